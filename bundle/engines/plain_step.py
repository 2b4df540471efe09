# Copyright (c) 2026 skin_lesion_wss contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#     http://www.apache.org/licenses/LICENSE-2.0
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""What the project's own training steps share with MONAI's: the events and the optimiser step after the loss."""

from __future__ import annotations

import torch
from monai.engines import SupervisedTrainer
from monai.engines.utils import IterationEvents
from monai.utils import CommonKeys

__all__ = ["check_plain_engine", "finish_step"]


def check_plain_engine(engine: SupervisedTrainer) -> None:
    """Refuse what a plain step does not do: gradient accumulation and automatic mixed precision."""
    if getattr(engine, "accumulation_steps", 1) != 1:
        raise ValueError(f"accumulation_steps must be 1 (no accumulation), got {engine.accumulation_steps}.")
    if engine.amp:
        raise ValueError("automatic mixed precision is not supported, got amp=True.")


def finish_step(engine: SupervisedTrainer, loss: torch.Tensor, prediction: torch.Tensor) -> dict:
    """Back-propagate ``loss`` and step the optimiser as MONAI's own iteration does, firing ``LOSS_COMPLETED``,
    ``BACKWARD_COMPLETED`` and ``MODEL_COMPLETED``; the detached ``prediction`` and ``loss`` join
    ``engine.state.output``, which is returned."""
    engine.fire_event(IterationEvents.LOSS_COMPLETED)
    loss.backward()
    engine.fire_event(IterationEvents.BACKWARD_COMPLETED)
    engine.optimizer.step()
    engine.state.output[CommonKeys.PRED] = prediction.detach()
    engine.state.output[CommonKeys.LOSS] = loss.detach()
    engine.fire_event(IterationEvents.MODEL_COMPLETED)
    return engine.state.output
