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
"""Mixed-precision forward passes on any device, for the trainers' ``inferer``."""

from __future__ import annotations

from typing import Any

import torch
from monai.inferers import Inferer, SimpleInferer

__all__ = ["AutocastInferer"]

AUTOCAST_DTYPES = ("bfloat16", "float16")


class AutocastInferer(Inferer):
    """Run another inferer under ``torch.autocast`` on the inputs' device and return float32 outputs.

    MONAI's ``amp=True`` autocasts on CUDA only; this inferer does it on the inputs' device, so a CPU with bfloat16
    matrix units (e.g. AMX) trains in mixed precision too. Parameters and gradients stay float32; the outputs (any
    nesting of tuples, lists and dictionaries) are cast back to float32 so that losses and metrics run in full
    precision. bfloat16 needs no gradient scaling; float16 does (use MONAI's ``amp=True`` on CUDA for that).

    Args:
        dtype: ``"bfloat16"``, ``"float16"`` (or the ``torch`` dtype), or None for a plain float32 forward.
        inferer: the inferer to wrap; default ``SimpleInferer()``.
    """

    def __init__(self, dtype: str | torch.dtype | None = "bfloat16", inferer: Inferer | None = None) -> None:
        super().__init__()
        name = str(dtype).removeprefix("torch.") if dtype is not None else None
        if name is not None and name not in AUTOCAST_DTYPES:
            raise ValueError(f"dtype must be one of {AUTOCAST_DTYPES} or None, got {dtype!r}.")
        self.dtype = getattr(torch, name) if name is not None else None
        self.inferer = inferer if inferer is not None else SimpleInferer()

    def __call__(self, inputs: torch.Tensor, network: Any, *args: Any, **kwargs: Any) -> Any:
        """``inferer(inputs (B, C, *spatial), network, ...)`` under autocast; floating outputs as float32."""
        if self.dtype is None:
            return self.inferer(inputs, network, *args, **kwargs)
        with torch.autocast(device_type=inputs.device.type, dtype=self.dtype):
            outputs = self.inferer(inputs, network, *args, **kwargs)
        return _as_float32(outputs)


def _as_float32(data: Any) -> Any:
    """``data`` with every floating tensor (nested in tuples, lists, dictionaries) cast to float32."""
    if isinstance(data, torch.Tensor):
        return data.float() if data.is_floating_point() else data
    if isinstance(data, dict):
        return {key: _as_float32(value) for key, value in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(_as_float32(value) for value in data)
    return data
