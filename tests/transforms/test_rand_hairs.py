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
"""Tests of RandHairs: dark curves only, width and count bounds, seeds, errors (RandHairsd: test_drawing.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.data import MetaTensor

from bundle.transforms.rand_hairs import RandHairs, _distance_to_points

SKIN = 0.8


def _skin(spatial=(32, 24), filename: str = "skin.png") -> MetaTensor:
    return MetaTensor(torch.full((3, *spatial), SKIN), meta={"filename_or_obj": filename})


def test_distance_to_points_by_hand():
    # one point at (1.5, 1.5) in a 4 x 3 image, exact within reach 1: the four pixels around it at sqrt(0.5)
    distance = _distance_to_points((4, 3), torch.tensor([[1.5, 1.5]]), reach=1.0)
    near = torch.full((4, 3), float("inf"))
    near[1:3, 1:3] = 0.5**0.5
    finite = torch.isfinite(near)
    assert torch.allclose(distance[finite], near[finite])
    assert distance[3].isinf().all()  # outside the 3 x 3 window around the point: not visited
    assert distance[0, 0] == pytest.approx(np.hypot(1.5, 1.5))  # inside the (2r+1)^2 window: still exact


@pytest.mark.parametrize("spatial", [(32, 24), (17, 40)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hairs_only_darken_and_keep_meta(spatial, seed):
    image = _skin(spatial)
    out = RandHairs(prob=1.0).set_random_state(seed)(image)
    assert isinstance(out, MetaTensor) and out.shape == image.shape and out.meta["filename_or_obj"] == "skin.png"
    assert out.max() <= SKIN + 1e-6 and out.min() >= 0.0
    darkened = (out < SKIN - 1e-3).any(dim=0).float().mean()
    assert 0.0 < darkened < 0.9  # some hair, not a black image


def test_hair_colour_is_tinted_dark_brown():
    out = RandHairs(prob=1.0, intensity_range=(0.2, 0.2)).set_random_state(0)(_skin((64, 64)))
    red, green, blue = out[:, out[0] < 0.2 + 1e-5]  # pixels fully covered by hair
    assert red.numel() > 0
    assert torch.allclose(red, torch.tensor(0.2)) and torch.allclose(blue, torch.tensor(0.2 * 0.7))
    assert torch.allclose(green, torch.tensor(0.2 * 0.85))


def test_wider_hairs_cover_more():
    cover = []
    for width in [(0.01, 0.01), (0.05, 0.05)]:
        out = RandHairs(prob=1.0, max_hairs=1, width_range=width).set_random_state(5)(_skin((64, 64)))
        cover.append((out[0] < SKIN - 1e-3).float().sum())
    assert cover[1] > 2 * cover[0] > 0


def test_probability_zero_and_seed():
    image = _skin()
    assert torch.equal(RandHairs(prob=0.0)(image), image)
    first = RandHairs(prob=1.0).set_random_state(7)(image)
    second = RandHairs(prob=1.0).set_random_state(7)(image)
    other = RandHairs(prob=1.0).set_random_state(8)(image)
    assert torch.equal(first, second) and not torch.equal(first, other)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_hairs": 0}, "max_hairs"),
        ({"max_hairs": 2.5}, "max_hairs"),
        ({"width_range": (0.02, 0.01)}, "width_range"),
        ({"intensity_range": (0.1, 1.5)}, "intensity_range"),
    ],
)
def test_ill_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandHairs(**kwargs)


def test_rejects_non_rgb():
    with pytest.raises(ValueError, match=r"\(3, W, H\)"):
        RandHairs(prob=1.0)(torch.zeros(1, 8, 8))
