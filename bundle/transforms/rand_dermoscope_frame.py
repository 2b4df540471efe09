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
"""A random dark circular frame around a dermoscopy image, as a contact dermoscope's lens leaves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.transforms import RandomizableTransform
from monai.utils import TransformBackends

from bundle.transforms.drawing import RandDrawd, as_rgb_tensor, check_range, pixel_grid

__all__ = ["RandDermoscopeFrame", "RandDermoscopeFramed"]


class RandDermoscopeFrame(RandomizableTransform):
    """Darken a channel-first 2D RGB image (intensities in [0, 1]) outside a random circle.

    Many dermoscopy images show the round field of view of the lens, black outside, whatever the diagnosis. Drawn
    at random during training, the frame is noise every class shares, so the attention learns to leave it dark.
    The circle's centre is moved from the image centre by a normal offset, its radius is a fraction of the shorter
    side, and its edge is a linear ramp.

    Args:
        prob: probability of framing an image.
        radius_range: radius as a fraction of the image's shorter side, drawn uniformly from (low, high); at 0.5
            the centred circle touches the two longer sides.
        centre_std: standard deviation of the centre's offset, as a fraction of each side.
        intensity_range: intensity outside the circle, drawn uniformly from (low, high).
        edge: width of the ramp from image to frame, as a fraction of the shorter side.
    """

    backend = [TransformBackends.TORCH]

    def __init__(
        self,
        prob: float = 0.3,
        radius_range: Sequence[float] = (0.45, 0.65),
        centre_std: float = 0.05,
        intensity_range: Sequence[float] = (0.0, 0.08),
        edge: float = 0.04,
    ) -> None:
        RandomizableTransform.__init__(self, prob)
        self.radius_range = check_range("radius_range", radius_range, 0.0, float("inf"))
        self.intensity_range = check_range("intensity_range", intensity_range, 0.0, 1.0)
        if centre_std < 0 or edge < 0:
            raise ValueError(f"centre_std and edge must be >= 0, got {centre_std} and {edge}.")
        self.centre_std = centre_std
        self.edge = edge
        self._circle: tuple[np.ndarray, float, float] = (np.zeros(2), 0.0, 0.0)

    def randomize(self, spatial_shape: Sequence[int]) -> None:
        """Decide whether to frame and draw the circle's centre (px), radius (px) and the frame's intensity."""
        super().randomize(None)
        if not self._do_transform:
            return
        extent = np.asarray(spatial_shape[:2], dtype=float)
        centre = extent / 2 + self.R.normal(0.0, self.centre_std, size=2) * extent
        radius = self.R.uniform(*self.radius_range) * float(extent.min())
        self._circle = (centre, radius, self.R.uniform(*self.intensity_range))

    def __call__(self, img: NdarrayOrTensor, randomize: bool = True) -> NdarrayOrTensor:
        """Return ``img`` (3, W, H) framed (unchanged when not framed this time)."""
        img = as_rgb_tensor(img, "RandDermoscopeFrame")
        if randomize:
            self.randomize(img.shape[1:])
        if not self._do_transform:
            return img
        centre, radius, intensity = self._circle
        grid = pixel_grid(img.shape[1:], img.device)
        distance = (grid - torch.as_tensor(centre, dtype=torch.float32, device=img.device)).norm(dim=-1)
        ramp = max(self.edge * min(img.shape[1:]), 1e-6)
        cover = ((distance - radius) / ramp).clamp(0.0, 1.0).to(img.dtype)
        return img * (1 - cover) + intensity * cover


class RandDermoscopeFramed(RandDrawd):
    """Dictionary wrapper of :py:class:`RandDermoscopeFrame`: the same frame on every key (images of one shape).

    Args:
        keys: keys of the RGB images; masks must not be listed (the frame does not change the lesion).
        prob: probability of framing a sample.
        radius_range, centre_std, intensity_range, edge: see :py:class:`RandDermoscopeFrame`.
        allow_missing_keys: don't raise if a key is missing.
    """

    backend = RandDermoscopeFrame.backend

    def __init__(
        self,
        keys: KeysCollection,
        prob: float = 0.3,
        radius_range: Sequence[float] = (0.45, 0.65),
        centre_std: float = 0.05,
        intensity_range: Sequence[float] = (0.0, 0.08),
        edge: float = 0.04,
        allow_missing_keys: bool = False,
    ) -> None:
        frame = RandDermoscopeFrame(
            prob=1.0, radius_range=radius_range, centre_std=centre_std, intensity_range=intensity_range, edge=edge
        )
        super().__init__(keys, frame, prob, allow_missing_keys)
