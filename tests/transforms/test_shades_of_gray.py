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
"""Tests of ShadesOfGray / ShadesOfGrayd: gains computed by hand, cast removal, clipping, metadata, options."""

from __future__ import annotations

import pytest
import torch
from monai.data import MetaTensor

from bundle.transforms.shades_of_gray import ShadesOfGray, ShadesOfGrayd


def _channels(*rows: list[float]) -> torch.Tensor:
    """(C, 1, W) image, one row of pixel values per channel."""
    return torch.tensor(rows, dtype=torch.float32)[:, None, :]


@pytest.mark.parametrize(
    "image, norm_order, expected",
    [
        # uniform channels: every channel becomes the mean of the three, (0.6 + 0.3 + 0.9) / 3
        (_channels([0.6, 0.6], [0.3, 0.3], [0.9, 0.9]), 6, _channels([0.6, 0.6], [0.6, 0.6], [0.6, 0.6])),
        # p = 1 (Gray World): e = (0.4, 0.2, 0.3), mean 0.3 -> gains 0.75, 1.5, 1
        (_channels([0.0, 0.8], [0.2, 0.2], [0.3, 0.3]), 1, _channels([0.0, 0.6], [0.3, 0.3], [0.3, 0.3])),
        # p = 2: e_R = sqrt(0.32) = 0.4 sqrt(2), e_G = 0.2 sqrt(2); mean 0.3 sqrt(2) -> gains 0.75, 1.5
        (_channels([0.0, 0.8], [0.0, 0.4]), 2, _channels([0.0, 0.6], [0.0, 0.6])),
        # the gain may push a pixel past 1: clipped. e = (0.1, 0.9) at p = 1, mean 0.5 -> gains 5, 5/9
        (_channels([0.0, 0.2], [0.9, 0.9]), 1, _channels([0.0, 1.0], [0.5, 0.5])),
        # a channel that is 0 everywhere keeps gain 1; the others share their own mean
        (_channels([0.2, 0.2], [0.0, 0.0], [0.4, 0.4]), 6, _channels([0.3, 0.3], [0.0, 0.0], [0.3, 0.3])),
    ],
)
def test_gains_by_hand(image, norm_order, expected):
    torch.testing.assert_close(ShadesOfGray(norm_order)(image), expected)


def test_removes_a_colour_cast():
    torch.manual_seed(0)
    scene = torch.rand(3, 8, 8) * 0.5 + 0.25
    cast = torch.tensor([1.3, 0.9, 0.7])[:, None, None]
    corrector = ShadesOfGray()
    corrected, reference = corrector(scene * cast), corrector(scene)
    # the same scene under a coloured light comes out alike up to a common brightness factor
    ratio = corrected / reference
    assert ratio.std() < 0.01 * ratio.mean()
    assert not torch.allclose(scene * cast, scene, atol=0.05)


def test_keeps_shape_dtype_and_metadata():
    image = MetaTensor(torch.rand(3, 4, 5), meta={"filename_or_obj": "lesion.png"})
    out = ShadesOfGray()(image)
    assert isinstance(out, MetaTensor) and out.meta["filename_or_obj"] == "lesion.png"
    assert out.shape == (3, 4, 5) and out.dtype == torch.float32
    assert float(out.min()) >= 0 and float(out.max()) <= 1


def test_dictionary_version_corrects_only_its_keys():
    image, other = torch.rand(3, 4, 4), torch.rand(1, 4, 4)
    out = ShadesOfGrayd(keys="image", norm_order=2)({"image": image, "mask": other})
    torch.testing.assert_close(out["image"], ShadesOfGray(2)(image))
    assert out["mask"] is other


@pytest.mark.parametrize("norm_order", [0, 0.5, -1, float("nan")])
def test_ill_norm_order(norm_order):
    with pytest.raises(ValueError, match="norm_order"):
        ShadesOfGray(norm_order)
