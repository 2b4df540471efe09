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
"""Tests for cutting maps at a reference mask's area."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation import CentredDiskBaseline, EqualAreaMasks, top_area_mask


@pytest.mark.parametrize(
    "score, area, expected",
    [
        [[[0.1, 0.9, 0.3], [0.8, 0.2, 0.9]], 3, [[False, True, False], [True, False, True]]],
        [[[0.5, 0.5], [0.5, 0.5]], 2, [[True, True], [False, False]]],  # ties: earlier pixels first
        [[[0.3, 0.1]], 0, [[False, False]]],
        [[[0.3, 0.1]], 2, [[True, True]]],
    ],
)
def test_top_area_mask_keeps_the_highest_pixels(score, area, expected):
    np.testing.assert_array_equal(top_area_mask(np.array(score), area), np.array(expected))


def test_top_area_mask_refuses_an_impossible_area():
    with pytest.raises(ValueError, match="area must be in"):
        top_area_mask(np.zeros((2, 2)), 5)


def test_cut_at_the_disk_area_keeps_a_shifted_blob(tmp_path):
    """A map peaking off-centre keeps exactly the disk's pixel count, all of them around the peak."""
    height, width = 30, 40
    disk = CentredDiskBaseline(radius_fraction=0.2)
    area = int(disk(np.zeros((height, width))).sum())
    yy, xx = np.mgrid[0:height, 0:width]
    score = np.exp(-((yy - 10.0) ** 2 + (xx - 12.0) ** 2) / 50.0)
    mask = EqualAreaMasks(disk)(score)
    assert mask.sum() == area
    assert mask[10, 12] and not mask[height // 2, width - 1]
    assert np.all(score[mask] >= score[~mask].max())


def test_write_reads_16_bit_maps_and_names_missing_ones(tmp_path):
    image = tmp_path / "ISIC_0000001.jpg"
    Image.fromarray(np.zeros((4, 6, 3), dtype=np.uint8)).save(image)
    maps = tmp_path / "maps"
    maps.mkdir()
    score = np.zeros((4, 6), dtype=np.uint16)
    score[0, :3] = 65535  # the top-left three pixels
    Image.fromarray(score).save(maps / "ISIC_0000001_map.png")
    written = EqualAreaMasks(lambda shape_like: np.arange(24).reshape(4, 6) < 3)
    (path,) = written.write([{"image": str(image)}], maps, tmp_path / "out")
    assert path.name == "ISIC_0000001_mask.png"
    np.testing.assert_array_equal(np.asarray(Image.open(path)) > 0, score > 0)
    with pytest.raises(FileNotFoundError, match="ISIC_0000002_map.png"):
        written.write([{"image": str(tmp_path / "ISIC_0000002.jpg")}], maps, tmp_path / "out")
