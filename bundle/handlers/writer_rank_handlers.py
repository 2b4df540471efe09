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
"""The handlers a process of a ``torchrun`` training attaches: only rank 0 logs to the console and TensorBoard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ignite.handlers import ProgressBar
from monai.handlers import MLFlowHandler, StatsHandler, TensorBoardHandler

from bundle.utils import is_writer_rank

__all__ = ["CONSOLE_AND_TENSORBOARD", "writer_rank_handlers"]

CONSOLE_AND_TENSORBOARD = (StatsHandler, TensorBoardHandler, ProgressBar, MLFlowHandler)
"""Handlers that only write what every process would write alike; rank 0's copy is enough."""


def writer_rank_handlers(handlers: Sequence[Any] | None) -> list[Any]:
    """``handlers`` on rank 0 (or without a process group); on other ranks, those that are not logs.

    Checkpoint savers and ``MetricsSaver`` stay on every rank: they take part in the validation's collectives and
    write on rank 0 themselves (their ``save_on_rank`` / ``save_rank``), like ``bundle.handlers.ResumeCheckpoint``.
    """
    handlers = list(handlers or [])
    if is_writer_rank():
        return handlers
    return [handler for handler in handlers if not isinstance(handler, CONSOLE_AND_TENSORBOARD)]
