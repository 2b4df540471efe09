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
"""Tests of the centred-disk label-free baseline."""

from __future__ import annotations

import numpy as np
import pytest

from bundle.evaluation.centred_disk import CentredDiskBaseline


# [radius_fraction, (H, W)]
@pytest.mark.parametrize("fraction, shape", [[0.3, (90, 120)], [0.5, (64, 64)], [0.25, (101, 81)]])
def test_disk_area_and_centre(fraction, shape):
    mask = CentredDiskBaseline(fraction)(np.zeros((*shape, 3), dtype=np.uint8))
    radius = fraction * min(shape)
    assert mask.shape == shape and mask.dtype == np.bool_
    assert mask.sum() == pytest.approx(np.pi * radius**2, rel=0.03)
    rows, cols = np.nonzero(mask)
    assert rows.mean() == pytest.approx((shape[0] - 1) / 2, abs=0.01)
    assert cols.mean() == pytest.approx((shape[1] - 1) / 2, abs=0.01)
    assert rows.max() - rows.min() + 1 == pytest.approx(2 * radius, abs=1)


def test_disk_ignores_pixel_values():
    baseline = CentredDiskBaseline()
    dark, bright = np.zeros((30, 40, 3), np.uint8), np.full((30, 40, 3), 255, np.uint8)
    np.testing.assert_array_equal(baseline(dark), baseline(bright))


@pytest.mark.parametrize("fraction", [0.0, -0.1, 0.51])
def test_ill_options(fraction):
    with pytest.raises(ValueError):
        CentredDiskBaseline(fraction)


def test_ill_image():
    with pytest.raises(ValueError):
        CentredDiskBaseline()(np.zeros(5, dtype=np.uint8))
