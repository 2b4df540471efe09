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
"""Tests of what the drawing transforms share: the dictionary wrapper (one draw per sample, on every key) and the
RGB input check."""

from __future__ import annotations

import pytest
import torch
from monai.data import MetaTensor

from bundle.transforms.drawing import as_rgb_tensor
from bundle.transforms.rand_dermoscope_frame import RandDermoscopeFramed
from bundle.transforms.rand_hairs import RandHairsd

WRAPPERS = [RandHairsd, RandDermoscopeFramed]


def _skin(spatial=(40, 30)) -> MetaTensor:
    return MetaTensor(torch.full((3, *spatial), 0.8), meta={"filename_or_obj": "skin.png"})


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_same_draw_on_every_key_mask_untouched(wrapper):
    mask = torch.ones(1, 40, 30)
    data = {"image": _skin(), "copy": _skin(), "label": mask}
    out = wrapper(keys=["image", "copy"], prob=1.0).set_random_state(2)(data)
    assert torch.equal(out["image"], out["copy"]) and not torch.equal(out["image"], data["image"])
    assert out["label"] is mask


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_probability_zero_draws_nothing(wrapper):
    data = {"image": _skin()}
    assert wrapper(keys="image", prob=0.0)(data)["image"] is data["image"]


def test_rgb_check_names_the_drawer_and_keeps_metadata():
    image = _skin()
    assert as_rgb_tensor(image, "X").meta["filename_or_obj"] == "skin.png"
    with pytest.raises(ValueError, match=r"RandHairs expects a \(3, W, H\) RGB image, got shape \(1, 4, 4\)"):
        as_rgb_tensor(torch.zeros(1, 4, 4), "RandHairs")
