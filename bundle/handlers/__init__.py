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
"""Ignite handlers: re-clustering, fine-tune switch, resumable and atomic checkpoints, mask writing, the handlers of
a process of a ``torchrun`` training."""

from __future__ import annotations

from .atomic_disk_saver import AtomicDiskSaver
from .finetune_switch import FinetuneSwitch
from .mask_writer import MaskWriter
from .recluster_handler import ReclusterHandler
from .resumable_checkpoint_saver import ResumableCheckpointSaver
from .resume_checkpoint import ResumeCheckpoint
from .writer_rank_handlers import CONSOLE_AND_TENSORBOARD, writer_rank_handlers

__all__ = [
    "CONSOLE_AND_TENSORBOARD",
    "AtomicDiskSaver",
    "FinetuneSwitch",
    "MaskWriter",
    "ReclusterHandler",
    "ResumableCheckpointSaver",
    "ResumeCheckpoint",
    "writer_rank_handlers",
]
