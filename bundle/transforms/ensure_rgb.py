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
"""Bring a loaded 2D image to three colour channels: gray, gray+alpha and RGBA inputs become RGB."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.data import MetaTensor, get_track_meta
from monai.transforms import MapTransform, RepeatChannel, SqueezeDim, Transform
from monai.utils import ImageMetaKey, TransformBackends, convert_to_tensor

__all__ = ["EnsureRGB", "EnsureRGBd"]


def _source_name(img: NdarrayOrTensor) -> str:
    """Return the file an image was loaded from (MetaTensor meta ``filename_or_obj``), for error messages."""
    if isinstance(img, MetaTensor):
        return str(img.meta.get(ImageMetaKey.FILENAME_OR_OBJ, "<unknown file>"))
    return "<array without metadata>"


class EnsureRGB(Transform):
    """Convert a channel-first image (C, *spatial) to (3, *spatial).

    3 channels are returned unchanged; 1 (gray) is replicated; 2 (gray + alpha) replicates the gray channel;
    4 (RGBA) drops the alpha channel (no compositing: dermoscopy images are opaque). Any other channel count
    raises a ValueError naming the file. MetaTensor metadata is kept.

    MONAI's NIfTI writer stores a 2D RGB image as a one-slice volume (W, H, 1, 3), which loads as (3, W, H, 1):
    trailing singleton spatial axes beyond ``spatial_dims`` are squeezed (with the affine). An image that still has
    more than ``spatial_dims`` spatial axes is rejected.

    Args:
        spatial_dims: number of spatial axes of the output; ``None`` keeps the spatial shape as loaded.
    """

    backend = [TransformBackends.TORCH]

    def __init__(self, spatial_dims: int | None = 2) -> None:
        if spatial_dims is not None and spatial_dims < 1:
            raise ValueError(f"spatial_dims must be a positive int or None, got {spatial_dims}.")
        self.spatial_dims = spatial_dims

    def __call__(self, img: NdarrayOrTensor) -> torch.Tensor:
        """Return ``img`` of shape (C, *spatial) as (3, *spatial)."""
        img = convert_to_tensor(img, track_meta=get_track_meta())
        if self.spatial_dims is not None:
            img = self._squeeze_spatial(img)
        channels = img.shape[0]
        if channels == 3:
            return img
        if channels in (1, 2):
            return RepeatChannel(repeats=3)(img[:1])
        if channels == 4:
            return img[:3]
        raise ValueError(
            f"{_source_name(img)}: expected 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels, "
            f"got {channels} (image shape {tuple(img.shape)})."
        )

    def _squeeze_spatial(self, img: torch.Tensor) -> torch.Tensor:
        """Drop trailing singleton spatial axes down to ``spatial_dims``; reject images that keep more."""
        while img.ndim - 1 > self.spatial_dims and img.shape[-1] == 1:
            img = SqueezeDim(dim=-1)(img)
        if img.ndim - 1 != self.spatial_dims:
            raise ValueError(
                f"{_source_name(img)}: expected a {self.spatial_dims}D image, got spatial shape "
                f"{tuple(img.shape[1:])}. A 2D RGB NIfTI saved as (W, H, 3) reads as a 3-slice volume: save it as "
                "(W, H, 1, 3) (as MONAI's NibabelWriter does) or load it with NibabelReader(channel_dim=-1)."
            )
        return img


class EnsureRGBd(MapTransform):
    """Dictionary wrapper of :py:class:`EnsureRGB`.

    Args:
        keys: keys of the images to convert.
        spatial_dims: see :py:class:`EnsureRGB`.
        allow_missing_keys: don't raise if a key is missing.
    """

    backend = EnsureRGB.backend

    def __init__(self, keys: KeysCollection, spatial_dims: int | None = 2, allow_missing_keys: bool = False) -> None:
        super().__init__(keys, allow_missing_keys)
        self.converter = EnsureRGB(spatial_dims=spatial_dims)

    def __call__(self, data: Mapping[Hashable, NdarrayOrTensor]) -> dict[Hashable, NdarrayOrTensor]:
        """Return a copy of ``data`` with each key's image (C, *spatial) as (3, *spatial)."""
        d = dict(data)
        for key in self.key_iterator(d):
            d[key] = self.converter(d[key])
        return d
