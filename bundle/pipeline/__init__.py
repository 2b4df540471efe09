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
"""What the pipeline's scripts share: profiles of configs, stage commands, the make-style stage runner and the
models the release ships."""

from __future__ import annotations

from .commands import bundle_command, configs_digest, printable_command
from .profiles import CPU_OVERRIDES, MULTI_PROCESS_OVERRIDES, PROFILES, with_processes, with_profile
from .release_models import RELEASE_MANIFOLD, RELEASE_UNET, release_checkpoints
from .stage_runner import Pipeline

__all__ = [
    "CPU_OVERRIDES",
    "MULTI_PROCESS_OVERRIDES",
    "PROFILES",
    "RELEASE_MANIFOLD",
    "RELEASE_UNET",
    "Pipeline",
    "bundle_command",
    "configs_digest",
    "printable_command",
    "release_checkpoints",
    "with_processes",
    "with_profile",
]
