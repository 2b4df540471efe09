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
"""An ignite disk saver that replaces checkpoint files atomically."""

from __future__ import annotations

from collections.abc import Mapping

from ignite.handlers import DiskSaver

__all__ = ["AtomicDiskSaver"]


class AtomicDiskSaver(DiskSaver):
    """``ignite.handlers.DiskSaver`` that writes to a temporary file and renames it onto the target.

    MONAI's ``CheckpointSaver`` saves with ``atomic=False`` under a fixed name (``model.pt``), and ignite removes
    the previous best file before writing the new one: an interruption in between leaves no model or half of
    one. Here a fixed-name file is never removed; the next save's rename replaces it, so a complete checkpoint is
    on disk at every moment. Files read ``rw-r--r--`` like ignite's atomic saves.

    Args:
        dirname: directory of the checkpoints.
        filename: fixed file name of every save; ``None`` keeps the name ignite's ``Checkpoint`` gives.
    """

    def __init__(self, dirname: str, filename: str | None = None) -> None:
        super().__init__(dirname=dirname, atomic=True, require_empty=False)
        self.filename = filename

    def __call__(self, checkpoint: Mapping, filename: str, metadata: Mapping | None = None) -> None:
        super().__call__(checkpoint, self.filename or filename, metadata)

    def remove(self, filename: str) -> None:
        """Delete a superseded checkpoint, unless the name is fixed: then the next save replaces it."""
        if self.filename is None:
            super().remove(filename)
