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
"""The model-zoo release of the bundle: self-contained configs baked from the repository's, and the zip."""

from __future__ import annotations

from .bundle_exporter import RELEASE_CONFIGS, RELEASE_FILES, RELEASE_OVERRIDES, export_bundle, zip_name
from .config_baking import ENTRY_IDS, bake_config, merge_overrides, referenced_ids, write_config

__all__ = [
    "ENTRY_IDS",
    "RELEASE_CONFIGS",
    "RELEASE_FILES",
    "RELEASE_OVERRIDES",
    "bake_config",
    "export_bundle",
    "merge_overrides",
    "referenced_ids",
    "write_config",
    "zip_name",
]
