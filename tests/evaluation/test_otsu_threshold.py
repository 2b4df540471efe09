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
"""Tests of the Otsu-threshold label-free baseline."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.draw import disk

from bundle.evaluation.otsu_threshold import OtsuBaseline
from bundle.evaluation.segmentation_metrics import segmentation_scores


def _dark_disk_image(shape=(96, 128), centre=(48, 64), radius=25, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Brown disk on noisy light skin: returns the RGB image (H, W, 3) uint8 and the disk mask (H, W)."""
    rng = np.random.default_rng(seed)
    truth = np.zeros(shape, dtype=bool)
    truth[disk(centre, radius, shape=shape)] = True
    image = np.where(truth[..., None], [110, 70, 50], [225, 180, 160]) + rng.normal(0, 12, (*shape, 3))
    return np.clip(image, 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"channel": "blue"}, {"sigma": 0.0}, {"component": "largest"}, {"component": "central", "fill_holes": True}],
)
def test_recovers_dark_disk(kwargs):
    image, truth = _dark_disk_image()
    mask = OtsuBaseline(**kwargs)(image)
    assert mask.shape == truth.shape and mask.dtype == np.bool_
    assert segmentation_scores(mask, truth)["dice"] > 0.95


def test_central_component_drops_dark_corner():
    image, truth = _dark_disk_image(radius=15)
    image[:30, :30] = (110, 70, 50)  # a vignette corner as dark as the lesion and larger (900 against 707 pixels)
    plain = OtsuBaseline()(image)
    assert plain[:30, :30].all() and plain[truth].all()
    largest = OtsuBaseline(component="largest")(image)
    assert largest[:30, :30].all() and not largest[truth].any()
    central = OtsuBaseline(component="central")(image)
    assert not central[:30, :30].any()
    assert segmentation_scores(central, truth)["dice"] > 0.95


def test_fill_holes_fills_light_centre():
    image, truth = _dark_disk_image()
    image[44:53, 60:69] = 225  # a light regression area inside the lesion
    assert not OtsuBaseline(component="central")(image)[48, 64]
    assert OtsuBaseline(component="central", fill_holes=True)(image)[48, 64]


def test_uniform_image_gives_empty_mask():
    assert not OtsuBaseline()(np.full((10, 12, 3), 200, dtype=np.uint8)).any()


@pytest.mark.parametrize("kwargs", [{"channel": "hue"}, {"sigma": -1.0}, {"component": "nearest"}])
def test_ill_options(kwargs):
    with pytest.raises(ValueError):
        OtsuBaseline(**kwargs)


@pytest.mark.parametrize("shape", [(10, 12), (10, 12, 4)])
def test_ill_image(shape):
    with pytest.raises(ValueError):
        OtsuBaseline()(np.zeros(shape, dtype=np.uint8))
