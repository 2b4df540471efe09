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
"""A strip plot of per-image Dice per method: means hide collapses and bimodal failures, the strips show them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bundle.utils import atomic_path

__all__ = ["DOT_COLOUR", "MEAN_COLOUR", "write_dice_strip_plot"]

LABEL_WIDTH = 300
"""Pixels left of the axis for the row labels (the longest, "DCML + Attention + deep graph cut U-net", fits)."""
PLOT_WIDTH = 500
"""Pixels from Dice 0 to Dice 1."""
ROW_HEIGHT = 28
MARGIN = 24
FONT_SIZE = 12
DOT_COLOUR = (30, 90, 200)
MEAN_COLOUR = (220, 30, 30)


def write_dice_strip_plot(
    rows: Sequence[tuple[str, Sequence[float]]], out_path: str | os.PathLike, title: str = "", seed: int = 0
) -> Path:
    """Write a PNG with one horizontal strip per row: a dot per image at its Dice, a red bar at the mean.

    Dice 0 lies at ``x = LABEL_WIDTH`` and Dice 1 at ``x = LABEL_WIDTH + PLOT_WIDTH``; row ``i`` is centred at
    ``y = MARGIN + i * ROW_HEIGHT + ROW_HEIGHT // 2``; dots are jittered vertically (seeded) within the row.

    Args:
        rows: (label, per-image Dice in [0, 1]) pairs, top to bottom.
        out_path: PNG file to write (atomically).
        title: caption above the strips.
        seed: seed of the vertical jitter.

    Returns:
        ``out_path``.
    """
    if not rows:
        raise ValueError("rows is empty: nothing to plot.")
    for label, values in rows:
        if len(values) == 0 or not np.all((np.asarray(values) >= 0) & (np.asarray(values) <= 1)):
            raise ValueError(f"{label!r}: Dice values must be a non-empty sequence in [0, 1].")
    height = 2 * MARGIN + len(rows) * ROW_HEIGHT
    canvas = Image.new("RGB", (LABEL_WIDTH + PLOT_WIDTH + MARGIN, height), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=FONT_SIZE)
    draw.text((LABEL_WIDTH, MARGIN / 2), title, fill="black", font=font, anchor="lm")
    _axis(draw, font, height)
    rng = np.random.default_rng(seed)
    for index, (label, values) in enumerate(rows):
        centre = MARGIN + index * ROW_HEIGHT + ROW_HEIGHT // 2
        draw.text((LABEL_WIDTH - 8, centre), label, fill="black", font=font, anchor="rm")
        for value, jitter in zip(values, rng.uniform(-0.3, 0.3, len(values)) * ROW_HEIGHT):
            x, y = _x(value), centre + jitter
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=DOT_COLOUR)
        mean = _x(float(np.mean(values)))
        draw.line((mean, centre - ROW_HEIGHT // 2 + 2, mean, centre + ROW_HEIGHT // 2 - 2), fill=MEAN_COLOUR, width=2)
    with atomic_path(out_path) as tmp:
        canvas.save(tmp, format="PNG")
    return Path(out_path)


def _x(dice: float) -> float:
    return LABEL_WIDTH + dice * PLOT_WIDTH


def _axis(draw: ImageDraw.ImageDraw, font: ImageFont.ImageFont, height: int) -> None:
    """Grid lines and labels at Dice 0, 0.25, ..., 1 along the bottom."""
    for tick in np.linspace(0.0, 1.0, 5):
        x = _x(float(tick))
        draw.line((x, MARGIN, x, height - MARGIN), fill=(225, 225, 225))
        draw.text((x, height - MARGIN / 2), f"{tick:.2f}", fill="black", font=font, anchor="mm")
