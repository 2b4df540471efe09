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
"""Tests of RandDermoscopeFrame: dark outside the circle, untouched inside, seeds (the dict form: test_drawing.py)."""

from __future__ import annotations

import pytest
import torch
from monai.data import MetaTensor

from bundle.transforms.rand_dermoscope_frame import RandDermoscopeFrame

SKIN = 0.8


def _skin(spatial=(40, 30)) -> MetaTensor:
    return MetaTensor(torch.full((3, *spatial), SKIN), meta={"filename_or_obj": "skin.png"})


def test_fixed_circle_by_hand():
    # centre fixed (std 0) at (20, 15) of a 40 x 30 image, radius 0.5 * 30 = 15 px, ramp 0.1 * 30 = 3 px
    frame = RandDermoscopeFrame(prob=1.0, radius_range=(0.5, 0.5), centre_std=0.0, intensity_range=(0.0, 0.0), edge=0.1)
    out = frame(_skin())
    assert torch.all(out[:, 20, 15] == SKIN) and torch.all(out[:, 20, 29] == SKIN)  # centre; 14 px away
    assert torch.allclose(out[:, 20 + 16, 15], torch.tensor(SKIN * (1 - 1 / 3)))  # 1 px into the 3 px ramp
    assert torch.all(out[:, 0, 0] == 0.0) and torch.all(out[:, 39, 29] == 0.0)  # corners: 25 px away
    assert isinstance(out, MetaTensor) and out.meta["filename_or_obj"] == "skin.png"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_frame_darkens_corners_keeps_centre(seed):
    out = RandDermoscopeFrame(prob=1.0).set_random_state(seed)(_skin((64, 64)))
    assert torch.all(out[:, 32, 32] == SKIN)
    assert out[:, [0, 0, -1, -1], [0, -1, 0, -1]].max() <= 0.08 + 1e-6
    assert out.min() >= 0.0 and out.max() <= SKIN + 1e-6


def test_probability_zero_and_seed():
    image = _skin()
    assert torch.equal(RandDermoscopeFrame(prob=0.0)(image), image)
    first = RandDermoscopeFrame(prob=1.0).set_random_state(4)(image)
    assert torch.equal(first, RandDermoscopeFrame(prob=1.0).set_random_state(4)(image))
    assert not torch.equal(first, RandDermoscopeFrame(prob=1.0).set_random_state(5)(image))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"radius_range": (0.6, 0.5)}, "radius_range"),
        ({"intensity_range": (-0.1, 0.1)}, "intensity_range"),
        ({"centre_std": -1.0}, "centre_std"),
        ({"edge": -0.1}, "edge"),
    ],
)
def test_ill_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandDermoscopeFrame(**kwargs)
