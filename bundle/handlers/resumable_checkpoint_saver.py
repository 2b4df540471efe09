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
"""MONAI's checkpoint saver with a state that survives a resumed run and atomic writes."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from monai.handlers import CheckpointSaver

from bundle.handlers.atomic_disk_saver import AtomicDiskSaver

__all__ = ["ResumableCheckpointSaver"]


class ResumableCheckpointSaver(CheckpointSaver):
    """``monai.handlers.CheckpointSaver`` whose memory of the best key metric can be saved and restored.

    A resumed run builds a new saver that remembers no best score, so its first validation would overwrite the
    best model (e.g. ``model.pt``) with whatever that epoch scores. MONAI's saver can already restore the
    memory (``load_state_dict``); this class adds the matching ``state_dict``, so the saver can be put in the
    ``save_dict`` of ``bundle.handlers.ResumeCheckpoint`` next to the network and optimiser.
    Every file is written through ``AtomicDiskSaver``: an interrupted save leaves the previous best model intact.
    Arguments are those of ``CheckpointSaver``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for checkpoint in (self._final_checkpoint, self._key_metric_checkpoint, self._interval_checkpoint):
            if checkpoint is not None:
                checkpoint.save_handler = AtomicDiskSaver(self.save_dir, checkpoint.save_handler.filename)

    def state_dict(self) -> OrderedDict[str, Any]:
        """The (score, file name) pairs of the models kept so far, in ``ignite.handlers.Checkpoint``'s format.

        Scores are stored as Python floats so the state loads with ``torch.load(weights_only=True)``.
        """
        if self._key_metric_checkpoint is None:
            raise RuntimeError("ResumableCheckpointSaver has state only with save_key_metric=True.")
        state = self._key_metric_checkpoint.state_dict()
        return OrderedDict((key, [(float(score), str(name)) for score, name in kept]) for key, kept in state.items())
