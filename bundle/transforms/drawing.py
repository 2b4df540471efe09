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
"""What the transforms that draw artefacts on an image share: option checks, pixel geometry and the dictionary
wrapper that draws once per sample."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.data import get_track_meta
from monai.transforms import MapTransform, RandomizableTransform
from monai.utils import convert_to_tensor

__all__ = ["RandDrawd", "as_rgb_tensor", "check_range", "pixel_grid"]


class RandDrawd(RandomizableTransform, MapTransform):
    """Dictionary wrapper of an artefact-drawing array transform: with probability ``prob``, one random draw of
    ``drawer`` (made with probability 1) is applied to every key, so images of one sample get the same artefact.

    Args:
        keys: keys of the RGB images (3, W, H); masks must not be listed (artefacts do not change the lesion).
        drawer: array transform with ``randomize(spatial_shape)`` and ``__call__(img, randomize)``.
        prob: probability of drawing on a sample.
        allow_missing_keys: don't raise if a key is missing.
    """

    def __init__(
        self, keys: KeysCollection, drawer: RandomizableTransform, prob: float, allow_missing_keys: bool = False
    ) -> None:
        MapTransform.__init__(self, keys, allow_missing_keys)
        RandomizableTransform.__init__(self, prob)
        self.drawer = drawer

    def set_random_state(self, seed: int | None = None, state: np.random.RandomState | None = None) -> RandDrawd:
        super().set_random_state(seed, state)
        self.drawer.set_random_state(seed, state)
        return self

    def __call__(self, data: Mapping[Hashable, NdarrayOrTensor]) -> dict[Hashable, NdarrayOrTensor]:
        """Return a copy of ``data`` with the same artefact drawn on each key's image, with probability ``prob``."""
        d = dict(data)
        self.randomize(None)
        if not self._do_transform:
            return d
        for index, key in enumerate(self.key_iterator(d)):
            d[key] = self.drawer(d[key], randomize=index == 0)
        return d


def as_rgb_tensor(img: NdarrayOrTensor, drawer: str) -> torch.Tensor:
    """Return ``img`` as a tensor (MetaTensor if tracking); raise naming ``drawer`` unless it is (3, W, H)."""
    img = convert_to_tensor(img, track_meta=get_track_meta())
    if img.ndim != 3 or img.shape[0] != 3:
        raise ValueError(f"{drawer} expects a (3, W, H) RGB image, got shape {tuple(img.shape)}.")
    return img


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
