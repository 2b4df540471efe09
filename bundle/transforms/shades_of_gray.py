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
"""Shades-of-Gray colour constancy (Finlayson & Trezzi 2004), the usual colour normalisation of dermoscopy images
(Barata et al. 2015, "Improving dermoscopy image classification using color constancy")."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import torch
from monai.config import KeysCollection, NdarrayOrTensor
from monai.data import get_track_meta
from monai.transforms import MapTransform, Transform
from monai.utils import TransformBackends, convert_to_tensor

__all__ = ["ShadesOfGray", "ShadesOfGrayd"]


class ShadesOfGray(Transform):
    """Divide out the colour of the light: each channel of an RGB image in [0, 1] gets the gain that makes its
    Minkowski ``norm_order``-mean equal to the mean over channels.

    The illuminant of channel c is ``e_c = mean(x_c ** p) ** (1 / p)`` over all pixels; the output is
    ``clip(x_c * mean(e) / e_c, 0, 1)``. ``p = 1`` is Gray World, large ``p`` tends to White Patch; ``p = 6`` is
    the value used for dermoscopy. A skin tone or a lamp's colour cast is mostly removed while the overall
    brightness is kept. A channel that is 0 everywhere is left as it is.

    Args:
        norm_order: Minkowski norm order p, >= 1.
    """

    backend = [TransformBackends.TORCH]

    def __init__(self, norm_order: float = 6.0) -> None:
        if not norm_order >= 1:
            raise ValueError(f"norm_order must be >= 1, got {norm_order}.")
        self.norm_order = float(norm_order)

    def __call__(self, img: NdarrayOrTensor) -> torch.Tensor:
        """Return ``img`` (C, *spatial), intensities in [0, 1], colour-corrected, same shape and type."""
        img = convert_to_tensor(img, track_meta=get_track_meta())
        flat = img.reshape(img.shape[0], -1).float().clamp(0.0, 1.0)
        illuminant = flat.pow(self.norm_order).mean(dim=1).pow(1.0 / self.norm_order)
        lit = illuminant > 0
        gain = torch.ones_like(illuminant)
        gain[lit] = illuminant[lit].mean() / illuminant[lit]
        shape = (-1,) + (1,) * (img.ndim - 1)
        return (img * gain.reshape(shape).to(img.dtype)).clamp(0.0, 1.0)


class ShadesOfGrayd(MapTransform):
    """Dictionary wrapper of :py:class:`ShadesOfGray`.

    Args:
        keys: keys of the images to correct.
        norm_order: see :py:class:`ShadesOfGray`.
        allow_missing_keys: don't raise if a key is missing.
    """

    backend = ShadesOfGray.backend

    def __init__(self, keys: KeysCollection, norm_order: float = 6.0, allow_missing_keys: bool = False) -> None:
        super().__init__(keys, allow_missing_keys)
        self.corrector = ShadesOfGray(norm_order=norm_order)

    def __call__(self, data: Mapping[Hashable, NdarrayOrTensor]) -> dict[Hashable, NdarrayOrTensor]:
        """Return a copy of ``data`` with each key's image colour-corrected."""
        d = dict(data)
        for key in self.key_iterator(d):
            d[key] = self.corrector(d[key])
        return d
