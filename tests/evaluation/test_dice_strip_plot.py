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
"""The per-image Dice strip plot: a dot per image where its Dice says, a mean bar per row."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation.dice_strip_plot import (
    DOT_COLOUR,
    LABEL_WIDTH,
    MARGIN,
    MEAN_COLOUR,
    PLOT_WIDTH,
    ROW_HEIGHT,
    write_dice_strip_plot,
)


def colour_columns(image: np.ndarray, row: int, colour: tuple[int, int, int]) -> set[int]:
    """x positions holding ``colour`` within row ``row`` of the plot."""
    top = MARGIN + row * ROW_HEIGHT
    band = image[top:top + ROW_HEIGHT]
    return set(np.nonzero((band == colour).all(axis=-1).any(axis=0))[0].tolist())


def test_dots_and_means_sit_at_their_dice(tmp_path):
    rows = [("collapsed U-net", [0.0, 0.0, 0.02]), ("good U-net", [0.8, 0.86, 1.0])]
    path = write_dice_strip_plot(rows, tmp_path / "strips.png", title="Dice per test image")
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape == (2 * MARGIN + 2 * ROW_HEIGHT, LABEL_WIDTH + PLOT_WIDTH + MARGIN, 3)
    for row, (_, values) in enumerate(rows):
        dots = colour_columns(image, row, DOT_COLOUR)
        for value in values:
            assert round(LABEL_WIDTH + value * PLOT_WIDTH) in dots
        mean = round(LABEL_WIDTH + np.mean(values) * PLOT_WIDTH)
        assert colour_columns(image, row, MEAN_COLOUR) & {mean - 1, mean, mean + 1}
    assert [p.name for p in tmp_path.iterdir()] == ["strips.png"]


@pytest.mark.parametrize("rows", [[], [("empty", [])], [("above one", [0.5, 1.2])], [("negative", [-0.1])]])
def test_ill_rows(tmp_path, rows):
    with pytest.raises(ValueError):
        write_dice_strip_plot(rows, tmp_path / "strips.png")
