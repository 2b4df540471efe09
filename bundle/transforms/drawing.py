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
"""Pixel geometry shared by the transforms that draw artefacts on an image."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["check_range", "pixel_grid"]


def check_range(name: str, value: Sequence[float], low: float, high: float) -> tuple[float, float]:
    """Return ``value`` as a float (low, high) pair inside [``low``, ``high``]; raise naming ``name`` otherwise."""
    pair = tuple(float(v) for v in value)
    if len(pair) != 2 or not low <= pair[0] <= pair[1] <= high:
        raise ValueError(f"{name} must be a (low, high) pair with {low} <= low <= high <= {high}, got {value!r}.")
    return pair[0], pair[1]


def pixel_grid(spatial_shape: Sequence[int], device: torch.device) -> torch.Tensor:
    """Pixel coordinates (W, H, 2) of a (W, H) image."""
    axes = [torch.arange(size, dtype=torch.float32, device=device) for size in spatial_shape[:2]]
    return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)
