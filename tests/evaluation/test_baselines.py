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
"""Tests of writing baseline masks in the prediction layout, scored through evaluate_folder."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation.baselines import read_rgb, write_baseline_masks
from bundle.evaluation.centred_disk import CentredDiskBaseline
from bundle.evaluation.segmentation_metrics import evaluate_folder, read_mask


def _items(tmp_path, shapes: list[tuple[int, int]]) -> list[dict]:
    """JPEG images of the given (H, W) with a centred dark square, and their ground-truth masks."""
    items = []
    for index, (height, width) in enumerate(shapes):
        truth = np.zeros((height, width), dtype=np.uint8)
        truth[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4] = 255
        image = np.where(truth[..., None] > 0, 60, 220).repeat(3, axis=2).astype(np.uint8)
        image_path, mask_path = tmp_path / f"ISIC_{index:07d}.jpg", tmp_path / f"ISIC_{index:07d}_segmentation.png"
        Image.fromarray(image).save(image_path, quality=95)
        Image.fromarray(truth).save(mask_path)
        items.append({"image": str(image_path), "mask": str(mask_path)})
    return items


@pytest.mark.parametrize("method", ["centred_disk", "otsu", CentredDiskBaseline(radius_fraction=0.1)])
def test_writes_one_mask_per_image_at_original_size(tmp_path, method):
    items = _items(tmp_path, [(30, 40), (45, 35)])
    out_dir = tmp_path / "baseline"
    paths = write_baseline_masks(items, out_dir, method)
    assert [p.name for p in paths] == ["ISIC_0000000_mask.png", "ISIC_0000001_mask.png"]
    assert sorted(p.name for p in out_dir.iterdir()) == [p.name for p in paths]  # no temporary file left
    for path, shape in zip(paths, [(30, 40), (45, 35)]):
        with Image.open(path) as image:
            assert image.mode == "L" and image.size == (shape[1], shape[0])
            assert set(np.unique(np.asarray(image))) <= {0, 255}
        assert read_mask(path).any()
    assert len(evaluate_folder(items, out_dir)) == 2


def test_otsu_baseline_scores_high_on_dark_squares(tmp_path):
    items = _items(tmp_path, [(40, 48)])
    write_baseline_masks(items, tmp_path / "otsu", "otsu")
    assert evaluate_folder(items, tmp_path / "otsu")[0]["dice"] > 0.95


def test_read_rgb_shape_and_missing_file(tmp_path):
    Image.fromarray(np.zeros((6, 9), dtype=np.uint8)).save(tmp_path / "g.png")
    assert read_rgb(tmp_path / "g.png").shape == (6, 9, 3)
    with pytest.raises(FileNotFoundError, match="nope.jpg"):
        read_rgb(tmp_path / "nope.jpg")


@pytest.mark.parametrize("method", ["watershed", 3])
def test_ill_options(tmp_path, method):
    items = _items(tmp_path, [(10, 10)])
    with pytest.raises(ValueError):
        write_baseline_masks(items, tmp_path / "out", method)


def test_ill_items(tmp_path):
    with pytest.raises(ValueError):
        write_baseline_masks([], tmp_path / "out")
    with pytest.raises(ValueError, match="'image'"):
        write_baseline_masks([{"img": "a.jpg"}], tmp_path / "out")
