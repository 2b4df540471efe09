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
"""Random dark hairs drawn over a dermoscopy image: teaches a network that hairs do not tell the class."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np
import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.transforms import RandomizableTransform
from monai.utils import TransformBackends

from bundle.transforms.drawing import RandDrawd, as_rgb_tensor, check_range

__all__ = ["RandHairs", "RandHairsd"]

_SAMPLES_PER_PIXEL = 2  # points per pixel of the control polygon's length: the curve is sampled at <= 0.5 px
_HAIR_TINT = (1.0, 0.85, 0.7)  # dark brown rather than grey: RGB factors of a hair's intensity


class RandHairs(RandomizableTransform):
    """Draw 1 to ``max_hairs`` dark curved hairs across a channel-first 2D RGB image with intensities in [0, 1].

    Hairs cross most dermoscopy images whatever the diagnosis. A network trained on a few hundred images can
    still tie them to a class, and its attention then lights them; drawn at random during training, they are
    noise every class shares. Each hair is a quadratic Bezier curve whose control points may lie outside the
    frame, of constant width, anti-aliased over one pixel; only the pixels near the curve are computed.

    Args:
        prob: probability of drawing hairs on an image.
        max_hairs: the number of hairs is drawn uniformly from 1..max_hairs.
        width_range: hair width as a fraction of the image's shorter side, drawn uniformly from (low, high).
        intensity_range: hair intensity (on the [0, 1] scale, before its brown tint), drawn from (low, high).
    """

    backend = [TransformBackends.TORCH]

    def __init__(
        self,
        prob: float = 0.5,
        max_hairs: int = 8,
        width_range: Sequence[float] = (0.004, 0.012),
        intensity_range: Sequence[float] = (0.02, 0.25),
    ) -> None:
        RandomizableTransform.__init__(self, prob)
        if isinstance(max_hairs, bool) or not isinstance(max_hairs, Integral) or max_hairs < 1:
            raise ValueError(f"max_hairs must be a positive int, got {max_hairs!r}.")
        self.max_hairs = int(max_hairs)
        self.width_range = check_range("width_range", width_range, 0.0, 1.0)
        self.intensity_range = check_range("intensity_range", intensity_range, 0.0, 1.0)
        self._hairs: list[tuple[np.ndarray, float, float]] = []

    def randomize(self, spatial_shape: Sequence[int]) -> None:
        """Decide whether to draw and draw the hairs: points along each curve (N, 2), widths (px), intensities."""
        super().randomize(None)
        if not self._do_transform:
            return
        extent = np.asarray(spatial_shape[:2], dtype=float)
        short_side = float(extent.min())
        self._hairs = []
        for _ in range(self.R.randint(1, self.max_hairs + 1)):
            start, bend, end = self.R.uniform(-0.2, 1.2, size=(3, 2)) * extent
            polygon_length = np.linalg.norm(bend - start) + np.linalg.norm(end - bend)  # >= the curve's length
            t = np.linspace(0.0, 1.0, int(np.ceil(_SAMPLES_PER_PIXEL * polygon_length)) + 2)[:, None]
            points = (1 - t) ** 2 * start + 2 * t * (1 - t) * bend + t**2 * end
            width = self.R.uniform(*self.width_range) * short_side
            self._hairs.append((points, width, self.R.uniform(*self.intensity_range)))

    def __call__(self, img: NdarrayOrTensor, randomize: bool = True) -> NdarrayOrTensor:
        """Return ``img`` (3, W, H) with hairs drawn over it (unchanged when not drawn this time)."""
        img = as_rgb_tensor(img, "RandHairs")
        if randomize:
            self.randomize(img.shape[1:])
        if not self._do_transform:
            return img
        tint = torch.tensor(_HAIR_TINT, dtype=img.dtype, device=img.device)[:, None, None]
        out = img
        for points, width, intensity in self._hairs:
            reach = width / 2 + 1.0  # full cover out to the half-width, then a one-pixel ramp to nothing
            distance = _distance_to_points(img.shape[1:], torch.as_tensor(points, dtype=torch.float32), reach)
            cover = (reach - distance.to(img.device)).clamp(0.0, 1.0).to(img.dtype)
            out = out * (1 - cover) + intensity * tint * cover
        return out


class RandHairsd(RandDrawd):
    """Dictionary wrapper of :py:class:`RandHairs`: the same hairs on every key (images of one shape).

    Args:
        keys: keys of the RGB images; masks must not be listed (hairs do not change the lesion).
        prob: probability of drawing hairs on a sample.
        max_hairs, width_range, intensity_range: see :py:class:`RandHairs`.
        allow_missing_keys: don't raise if a key is missing.
    """

    backend = RandHairs.backend

    def __init__(
        self,
        keys: KeysCollection,
        prob: float = 0.5,
        max_hairs: int = 8,
        width_range: Sequence[float] = (0.004, 0.012),
        intensity_range: Sequence[float] = (0.02, 0.25),
        allow_missing_keys: bool = False,
    ) -> None:
        hairs = RandHairs(prob=1.0, max_hairs=max_hairs, width_range=width_range, intensity_range=intensity_range)
        super().__init__(keys, hairs, prob, allow_missing_keys)


def _distance_to_points(spatial_shape: Sequence[int], points: torch.Tensor, reach: float) -> torch.Tensor:
    """Distance (W, H) of each pixel to the nearest of ``points`` (N, 2), exact up to ``reach``, inf beyond.

    Only the pixels of a (2r+1)^2 window around each point are visited (r = ceil(reach)), not the whole image.
    """
    width, height = int(spatial_shape[0]), int(spatial_shape[1])
    radius = int(np.ceil(reach))
    window = torch.arange(-radius, radius + 1)
    offsets = torch.stack(torch.meshgrid(window, window, indexing="ij"), dim=-1).reshape(-1, 2)  # (K, 2)
    pixels = points.floor().long()[:, None, :] + offsets  # (N, K, 2)
    distance = (pixels.float() - points[:, None, :]).norm(dim=-1)  # (N, K)
    inside = (pixels[..., 0] >= 0) & (pixels[..., 0] < width) & (pixels[..., 1] >= 0) & (pixels[..., 1] < height)
    flat_index = pixels[..., 0] * height + pixels[..., 1]
    nearest = torch.full((width * height,), float("inf"))
    nearest.scatter_reduce_(0, flat_index[inside], distance[inside], reduce="amin")
    return nearest.reshape(width, height)
