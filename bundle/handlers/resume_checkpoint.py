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
"""A resumable training checkpoint: written atomically every N epochs, restored when a run starts."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from ignite.engine import Engine, Events
from monai.handlers import CheckpointLoader

from bundle.utils import atomic_path, is_writer_rank, unwrap_module

logger = logging.getLogger(__name__)


class ResumeCheckpoint:
    """Save ``save_dict`` to one file every ``save_interval`` epochs and reload it at ``Events.STARTED``.

    MONAI's ``CheckpointSaver`` writes in place; this handler writes to a temporary name and renames, so an
    interrupted run never leaves a truncated checkpoint behind. Loading delegates to MONAI's ``CheckpointLoader``
    (``weights_only=True``), which also restores the engine's epoch and iteration so Ignite continues where it
    stopped. Every object in ``save_dict`` needs ``state_dict``/``load_state_dict`` holding tensors and plain
    Python containers only. Under ``torchrun`` every process restores the file and rank 0 writes it; networks are
    saved without their DistributedDataParallel wrapper, so one checkpoint resumes with any number of processes.

    Args:
        path: checkpoint file, e.g. ``<run dir>/last.pt``.
        save_dict: name -> object with ``state_dict`` (network, optimizer, trainer, stateful handlers).
        save_interval: save every this many epochs.
        resume: restore from ``path`` at start when it exists.
    """

    def __init__(
        self, path: str | os.PathLike, save_dict: Mapping[str, Any], save_interval: int = 1, resume: bool = True
    ) -> None:
        if save_interval < 1:
            raise ValueError(f"save_interval must be >= 1, got {save_interval}.")
        if not save_dict:
            raise ValueError("save_dict must name at least one object to save.")
        self.path = Path(path)
        self.save_dict = dict(save_dict)
        self.save_interval = save_interval
        self.resume = resume

    def attach(self, engine: Engine) -> None:
        if self.resume:
            engine.add_event_handler(Events.STARTED, self.load)
        engine.add_event_handler(Events.EPOCH_COMPLETED(every=self.save_interval), self)

    def __call__(self, engine: Engine) -> None:
        # every rank gathers (a state may be collective); rank 0 writes the modules without their DDP wrapper
        state = {name: unwrap_module(obj).state_dict() for name, obj in self.save_dict.items()}
        if is_writer_rank():
            with atomic_path(self.path) as tmp:
                torch.save(state, tmp)

    def load(self, engine: Engine) -> None:
        """Restore every object from ``path`` if the file exists; otherwise start from scratch."""
        if not self.path.is_file():
            return
        self._check_entries()
        CheckpointLoader(load_path=str(self.path), load_dict=self.save_dict, map_location="cpu")(engine)
        logger.info("resumed from %s at epoch %d", self.path, engine.state.epoch)

    def _check_entries(self) -> None:
        """Raise a ``ValueError`` naming the file when it lacks objects this run restores."""
        found = torch.load(self.path, map_location="cpu", weights_only=True)
        missing = sorted(set(self.save_dict) - set(found))
        if missing:
            raise ValueError(
                f"{self.path} cannot resume this run: it has no {missing} (it holds {sorted(found)}); it was written "
                "by another configuration or version of the bundle. Move it away to start this run afresh."
            )
