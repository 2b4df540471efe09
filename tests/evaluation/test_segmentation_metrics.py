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
"""Tests of per-image Dice / Jaccard / ISIC Jaccard and of scoring a prediction folder."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation.segmentation_metrics import (
    evaluate_folder,
    image_id,
    prediction_path,
    read_mask,
    segmentation_scores,
)


def _mask(flat_true: int, shape: tuple[int, int] = (4, 5)) -> np.ndarray:
    """Mask with the first ``flat_true`` pixels (raster order) set."""
    mask = np.zeros(shape[0] * shape[1], dtype=bool)
    mask[:flat_true] = True
    return mask.reshape(shape)


def _save(array: np.ndarray, path) -> None:
    Image.fromarray(array.astype(np.uint8)).save(path)


# [pred, target, dice, jaccard, isic_jaccard]
SCORE_CASES = [
    [[[1, 1], [0, 0]], [[1, 0], [0, 0]], 2 / 3, 1 / 2, 0.0],
    [[[1, 1], [0, 0]], [[1, 0], [1, 0]], 1 / 2, 1 / 3, 0.0],
    [[[1, 1], [1, 0]], [[1, 1], [1, 0]], 1.0, 1.0, 1.0],
    [[[0, 0], [0, 0]], [[0, 0], [0, 0]], 1.0, 1.0, 1.0],
    [[[0, 0], [0, 0]], [[0, 1], [0, 0]], 0.0, 0.0, 0.0],
    [[[0, 1], [0, 0]], [[0, 0], [0, 0]], 0.0, 0.0, 0.0],
]


@pytest.mark.parametrize("pred, target, dice, jaccard, isic", SCORE_CASES)
def test_hand_cases(pred, target, dice, jaccard, isic):
    scores = segmentation_scores(np.array(pred, dtype=bool), np.array(target, dtype=bool))
    assert scores == pytest.approx({"dice": dice, "jaccard": jaccard, "isic_jaccard": isic})


# [predicted pixels inside a 20-pixel target, jaccard, isic_jaccard]
@pytest.mark.parametrize("inside, jaccard, isic", [[12, 0.6, 0.0], [13, 0.65, 0.65], [14, 0.7, 0.7], [20, 1.0, 1.0]])
def test_isic_threshold(inside, jaccard, isic):
    scores = segmentation_scores(_mask(inside), _mask(20))
    assert scores["jaccard"] == pytest.approx(jaccard)
    assert scores["isic_jaccard"] == pytest.approx(isic)
    assert scores["dice"] == pytest.approx(2 * inside / (inside + 20))


@pytest.mark.parametrize(
    "pred, target",
    [
        [np.zeros((2, 2), dtype=np.uint8), np.zeros((2, 2), dtype=bool)],
        [np.zeros((2, 2), dtype=bool), np.zeros((2, 3), dtype=bool)],
        [np.zeros((1, 2, 2), dtype=bool), np.zeros((1, 2, 2), dtype=bool)],
    ],
)
def test_ill_inputs(pred, target):
    with pytest.raises(ValueError):
        segmentation_scores(pred, target)


def test_read_mask_binarises_above_128_in_numpy_orientation(tmp_path):
    values = np.array([[0, 128, 129], [255, 10, 200]], dtype=np.uint8)
    _save(values, tmp_path / "m.png")
    np.testing.assert_array_equal(read_mask(tmp_path / "m.png"), [[False, False, True], [True, False, True]])


def test_read_mask_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.png"):
        read_mask(tmp_path / "absent.png")
    (tmp_path / "junk.png").write_text("not an image")
    with pytest.raises(ValueError, match="junk.png"):
        read_mask(tmp_path / "junk.png")


@pytest.mark.parametrize(
    "path, expected", [["/d/ISIC_0012345.jpg", "ISIC_0012345"], ["a/b.nii.gz", "b"], ["x.JPG", "x"], ["noext", "noext"]]
)
def test_image_id(path, expected):
    assert image_id(path) == expected


def _datalist(tmp_path, targets: list[np.ndarray]) -> list[dict]:
    items = []
    for index, target in enumerate(targets):
        image, mask = tmp_path / f"ISIC_{index:07d}.jpg", tmp_path / f"ISIC_{index:07d}_segmentation.png"
        _save(np.repeat(target[..., None], 3, axis=2) * 255, image)
        _save(target * 255, mask)
        items.append({"image": str(image), "mask": str(mask)})
    return items


def test_evaluate_folder_scores_each_item(tmp_path):
    targets = [_mask(20), _mask(10)]
    items = _datalist(tmp_path, targets)
    pred_dir = tmp_path / "preds"
    pred_dir.mkdir()
    _save(_mask(20) * 255, prediction_path(items[0]["image"], pred_dir))
    _save(_mask(5) * 255, pred_dir / "ISIC_0000001_mask.png")
    scores = evaluate_folder(items, pred_dir)
    assert [s["id"] for s in scores] == ["ISIC_0000000", "ISIC_0000001"]
    assert scores[0]["dice"] == pytest.approx(1.0)
    assert scores[1] == pytest.approx({"id": "ISIC_0000001", "dice": 10 / 15, "jaccard": 0.5, "isic_jaccard": 0.0,
                                       "foreground": 5 / 20})  # 5 of the 4x5 pixels predicted


def test_evaluate_folder_missing_prediction_names_the_file(tmp_path):
    items = _datalist(tmp_path, [_mask(3)])
    with pytest.raises(FileNotFoundError, match="ISIC_0000000_mask.png"):
        evaluate_folder(items, tmp_path / "preds")


def test_evaluate_folder_wrong_size_names_the_file(tmp_path):
    items = _datalist(tmp_path, [_mask(3)])
    _save(np.zeros((5, 4), dtype=np.uint8), tmp_path / "ISIC_0000000_mask.png")
    with pytest.raises(ValueError, match="ISIC_0000000_mask.png"):
        evaluate_folder(items, tmp_path)


def test_evaluate_folder_ill_options(tmp_path):
    with pytest.raises(ValueError):
        evaluate_folder([], tmp_path)
    with pytest.raises(ValueError, match="'label'"):
        evaluate_folder([{"image": "a.jpg", "mask": "b.png"}], tmp_path, mask_key="label")
