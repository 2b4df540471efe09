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
"""Turn a loaded mask (8-bit 0/255, already 0/1, optionally 16-bit) into a single-channel float {0, 1} mask."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.data import MetaTensor, get_track_meta
from monai.transforms import MapTransform, Transform
from monai.utils import ImageMetaKey, TransformBackends, convert_to_tensor

__all__ = ["BinarizeMask", "BinarizeMaskd"]

UINT8_MAX = 255
UINT16_MAX = 65535
UINT8_TO_UINT16 = UINT16_MAX / UINT8_MAX  # 257: maps 8-bit 0..255 onto 16-bit 0..65535


def _source_name(img: NdarrayOrTensor) -> str:
    """Return the file a mask was loaded from (MetaTensor meta ``filename_or_obj``), for error messages."""
    if isinstance(img, MetaTensor):
        return str(img.meta.get(ImageMetaKey.FILENAME_OR_OBJ, "<unknown file>"))
    return "<array without metadata>"


class BinarizeMask(Transform):
    """Binarise a channel-first mask (C, *spatial) into a float (1, *spatial) mask of 0 and 1.

    Only the first channel is used (an RGB-saved mask repeats it). ``threshold`` is in 8-bit units and follows the
    mask's value range: a mask whose maximum is <= 1 is taken as already 0/1 (threshold / 255), an 8-bit mask
    (maximum <= 255) is compared with ``threshold`` itself, and a 16-bit mask (maximum <= 65535, only with
    ``allow_16bit``) with ``threshold * 257``. Values above the accepted range or below 0 raise a ValueError naming
    the file: a 16-bit mask read as 8-bit data would otherwise binarise silently wrong. MetaTensor metadata is kept.

    Args:
        threshold: pixels strictly above it are foreground, in 8-bit units, in [0, 255).
        allow_16bit: accept masks with values up to 65535.
    """

    backend = [TransformBackends.TORCH]

    def __init__(self, threshold: float = 127, allow_16bit: bool = False) -> None:
        if not 0 <= threshold < UINT8_MAX:
            raise ValueError(f"threshold must be in [0, {UINT8_MAX}) (8-bit units), got {threshold}.")
        self.threshold = float(threshold)
        self.allow_16bit = allow_16bit

    def __call__(self, img: NdarrayOrTensor) -> torch.Tensor:
        """Return ``img`` of shape (C, *spatial) as a float32 (1, *spatial) mask of 0 and 1."""
        img = convert_to_tensor(img, track_meta=get_track_meta())
        first = img[:1]
        return (first > self._scaled_threshold(first)).to(torch.float32)

    def _scaled_threshold(self, mask: torch.Tensor) -> float:
        """Return ``self.threshold`` expressed in the value range of ``mask``; reject out-of-range masks."""
        low, high = float(mask.min()), float(mask.max())
        limit = UINT16_MAX if self.allow_16bit else UINT8_MAX
        if low < 0 or high > limit:
            hint = "" if self.allow_16bit else "; pass allow_16bit=True for 16-bit masks"
            raise ValueError(
                f"{_source_name(mask)}: mask values must lie in [0, {limit}], got [{low:g}, {high:g}]{hint}."
            )
        if high <= 1:
            return self.threshold / UINT8_MAX
        if high <= UINT8_MAX:
            return self.threshold
        return self.threshold * UINT8_TO_UINT16


class BinarizeMaskd(MapTransform):
    """Dictionary wrapper of :py:class:`BinarizeMask`.

    Args:
        keys: keys of the masks to binarise.
        threshold: see :py:class:`BinarizeMask`.
        allow_16bit: see :py:class:`BinarizeMask`.
        allow_missing_keys: don't raise if a key is missing.
    """

    backend = BinarizeMask.backend

    def __init__(
        self, keys: KeysCollection, threshold: float = 127, allow_16bit: bool = False, allow_missing_keys: bool = False
    ) -> None:
        super().__init__(keys, allow_missing_keys)
        self.binarizer = BinarizeMask(threshold=threshold, allow_16bit=allow_16bit)

    def __call__(self, data: Mapping[Hashable, NdarrayOrTensor]) -> dict[Hashable, NdarrayOrTensor]:
        """Return a copy of ``data`` with each key's mask (C, *spatial) as float (1, *spatial) in {0, 1}."""
        d = dict(data)
        for key in self.key_iterator(d):
            d[key] = self.binarizer(d[key])
        return d
