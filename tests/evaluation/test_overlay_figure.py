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
"""Tests of the Fig. 2-style overlay figure."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation.overlay_figure import GROUND_TRUTH_COLOUR, PREDICTION_COLOUR, TITLE_HEIGHT, make_overlay_figure


def _items(tmp_path, count: int = 3, shape=(30, 40)) -> list[dict]:
    """Grey images with a dark square lesion and its mask; a "method" folder predicting the left half."""
    (tmp_path / "method").mkdir(exist_ok=True)
    items = []
    for index in range(count):
        truth = np.zeros(shape, dtype=np.uint8)
        truth[8:22, 10:30] = 255
        image = np.where(truth[..., None] > 0, 80, 200).repeat(3, axis=2).astype(np.uint8)
        stem = tmp_path / f"ISIC_{index:07d}"
        Image.fromarray(image).save(f"{stem}.jpg")
        Image.fromarray(truth).save(f"{stem}_segmentation.png")
        pred = np.zeros(shape, dtype=np.uint8)
        pred[:, : shape[1] // 2] = 255
        Image.fromarray(pred).save(tmp_path / "method" / f"ISIC_{index:07d}_mask.png")
        items.append({"image": f"{stem}.jpg", "mask": f"{stem}_segmentation.png"})
    return items


# [num_images, tile, number of items, expected figure rows]
@pytest.mark.parametrize("num_images, tile, count, rows", [[2, 32, 3, 2], [4, 48, 3, 3], [1, 16, 1, 1]])
def test_figure_size(tmp_path, num_images, tile, count, rows):
    items = _items(tmp_path, count)
    columns = [("GradCAM", tmp_path / "method"), ("DCML + Attention (ours)", str(tmp_path / "method"))]
    out = make_overlay_figure(items, columns, tmp_path / "fig" / "fig2.png", num_images=num_images, tile=tile)
    with Image.open(out) as figure:
        assert figure.size == (4 * tile, TITLE_HEIGHT + rows * tile)
    assert [p.name for p in (tmp_path / "fig").iterdir()] == ["fig2.png"]


def test_figure_content(tmp_path):
    tile = 80
    out = make_overlay_figure(_items(tmp_path, 1), [("ML", tmp_path / "method")], tmp_path / "f.png", tile=tile)
    figure = np.asarray(Image.open(out).convert("RGB")).astype(int)
    titles, grid = figure[:TITLE_HEIGHT], figure[TITLE_HEIGHT:]
    assert (titles < 128).any() and (titles == 255).any()  # dark text on white
    image, pred, truth = (grid[:, c * tile : (c + 1) * tile] for c in range(3))
    # 30x40 image fitted to 60x80, letterboxed 10 rows top and bottom.
    assert (image[:10] == 0).all() and (image[-10:] == 0).all() and image[10:70].mean() > 100
    # Prediction tinted towards red on the left half only; ground truth tinted towards green on the lesion.
    left, right = pred[30:50, 5:35], pred[30:50, 45:75]
    assert (left[..., 0] - left[..., 1]).mean() > 30 and abs(right[..., 0] - right[..., 1]).mean() < 5
    lesion, skin = truth[30:50, 30:50], truth[15:20, 60:75]
    assert (lesion[..., 1] - lesion[..., 0]).mean() > 20 and abs(skin[..., 1] - skin[..., 0]).mean() < 5
    # Contours are drawn opaque in the mask colours.
    assert (pred.reshape(-1, 3) == PREDICTION_COLOUR).all(axis=1).sum() > 40
    assert (truth.reshape(-1, 3) == GROUND_TRUTH_COLOUR).all(axis=1).sum() > 40


def test_missing_prediction_names_the_file(tmp_path):
    items = _items(tmp_path, 1)
    with pytest.raises(FileNotFoundError, match="ISIC_0000000_mask.png"):
        make_overlay_figure(items, [("X", tmp_path / "empty")], tmp_path / "f.png")
    assert not (tmp_path / "f.png").exists()


def test_wrong_size_prediction(tmp_path):
    items = _items(tmp_path, 1)
    Image.fromarray(np.zeros((5, 5), dtype=np.uint8)).save(tmp_path / "method" / "ISIC_0000000_mask.png")
    with pytest.raises(ValueError, match="ISIC_0000000_mask.png"):
        make_overlay_figure(items, [("X", tmp_path / "method")], tmp_path / "f.png")


@pytest.mark.parametrize(
    "kwargs", [{"num_images": 0}, {"tile": 8}, {"rows": []}, {"rows": [("only a title",)]}, {"items": []}]
)
def test_ill_options(tmp_path, kwargs):
    arguments = {"items": _items(tmp_path, 1), "rows": [("X", tmp_path / "method")], "out_path": tmp_path / "f.png"}
    arguments.update(kwargs)
    with pytest.raises(ValueError):
        make_overlay_figure(**arguments)
