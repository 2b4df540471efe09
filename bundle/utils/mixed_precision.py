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
"""Which reduced precision a device computes natively."""

from __future__ import annotations

import torch

__all__ = ["native_autocast_dtype"]


def native_autocast_dtype(device: str | torch.device) -> str | None:
    """``"bfloat16"`` where ``device`` multiplies bfloat16 matrices in hardware (a CUDA GPU that supports it, a CPU
    with AMX tiles), else None: elsewhere bfloat16 is emulated and slower than float32."""
    device = torch.device(device)
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else None
    if device.type == "cpu":
        return "bfloat16" if getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)() else None
    return None
