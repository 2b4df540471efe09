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
from __future__ import annotations

from .atomic import atomic_path, write_json_atomic
from .bundle_root import bundle_root
from .distributed import is_writer_rank, local_device, process_group_backend, unwrap_module
from .image_io import read_pil_array, save_nifti_atomic, save_png_atomic
from .mixed_precision import native_autocast_dtype

__all__ = [
    "atomic_path",
    "bundle_root",
    "is_writer_rank",
    "local_device",
    "native_autocast_dtype",
    "process_group_backend",
    "read_pil_array",
    "save_nifti_atomic",
    "save_png_atomic",
    "unwrap_module",
    "write_json_atomic",
]
