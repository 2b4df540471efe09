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
"""Switch divide-and-conquer training to one learner on the full embedding for the last epochs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from ignite.engine import Engine, Events

from bundle.metric_learning import ClusterBatchLoader, DivideAndConquerLoss
from bundle.utils import unwrap_module

logger = logging.getLogger(__name__)


class FinetuneSwitch:
    """From epoch ``start_epoch + 1`` on, train the whole embedding with one loss on one loader.

    At every ``EPOCH_STARTED`` past ``start_epoch`` the network and the loss are set to one learner and every
    sample to cluster 0, unless they already are. The state follows from the epoch alone, so a run resumed in
    the fine-tune phase switches again at its first epoch. The paper trains 300 epochs and fine-tunes the last
    50: ``start_epoch = max_epochs - finetune_epochs``.

    Args:
        start_epoch: last epoch of divide-and-conquer training (>= 0).
        loader: the training batch loader.
        loss: the per-learner loss.
    """

    def __init__(self, start_epoch: int, loader: ClusterBatchLoader, loss: DivideAndConquerLoss) -> None:
        if start_epoch < 0:
            raise ValueError(f"start_epoch must be >= 0, got {start_epoch}.")
        self.start_epoch = start_epoch
        self.loader = loader
        self.loss = loss

    def attach(self, engine: Engine) -> None:
        if not engine.has_event_handler(self, Events.EPOCH_STARTED):
            engine.add_event_handler(Events.EPOCH_STARTED, self)

    def __call__(self, engine: Engine) -> None:
        if engine.state.epoch <= self.start_epoch:
            return
        network = unwrap_module(engine.network)
        if network.num_learners == 1 and self.loss.num_learners == 1 and not self.loader.assignments.any():
            return
        network.num_learners = 1
        self.loss.num_learners = 1
        self.loader.set_assignments(np.zeros_like(self.loader.assignments))
        logger.info("epoch %d: fine-tuning the full embedding with one learner", engine.state.epoch)

    def state_dict(self) -> dict[str, Any]:
        """The switch epoch; everything else follows from the engine's epoch."""
        return {"start_epoch": self.start_epoch}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        start_epoch = int(state_dict["start_epoch"])
        if start_epoch < 0:
            raise ValueError(f"start_epoch must be >= 0, got {start_epoch}.")
        self.start_epoch = start_epoch
