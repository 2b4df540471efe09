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
"""Qualitative figure in the manner of the paper's Fig. 2: images with predicted and true masks overlaid."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage.segmentation import find_boundaries

from bundle.evaluation.baselines import read_rgb
from bundle.evaluation.segmentation_metrics import PREDICTION_SUFFIX, prediction_path, read_mask
from bundle.utils import atomic_path

logger = logging.getLogger(__name__)

PREDICTION_COLOUR = (255, 40, 40)
GROUND_TRUTH_COLOUR = (40, 220, 40)
TINT_ALPHA = 0.35
"""Weight of the mask colour inside the mask; the contour is drawn opaque."""
TITLE_HEIGHT = 20
FONT_SIZE = 12


def make_overlay_figure(
    items: Sequence[dict],
    rows: Sequence[tuple[str, str | os.PathLike]],
    out_path: str | os.PathLike,
    num_images: int = 4,
    tile: int = 160,
    image_key: str = "image",
    mask_key: str = "mask",
    suffix: str = PREDICTION_SUFFIX,
) -> Path:
    """Write a PNG grid: one row per image; columns the image, each prediction overlaid, the ground truth last.

    Every tile is the image fitted into ``tile`` x ``tile`` pixels (aspect kept, black margins) with the mask
    tinted and outlined. Column titles sit in a white strip of ``TITLE_HEIGHT`` pixels on top, so the figure is
    ``(1 + len(rows) + 1) * tile`` wide and ``TITLE_HEIGHT + n * tile`` high, ``n = min(num_images, len(items))``.

    Args:
        items: datalist items with an image path under ``image_key`` and a ground-truth mask under ``mask_key``;
            the first ``num_images`` are shown.
        rows: one ``(column title, prediction folder)`` per method, in column order; predictions are
            ``<folder>/<image id><suffix>``.
        out_path: PNG file to write (atomically).
        num_images: number of images (figure rows).
        tile: side of one tile in pixels.
        image_key: item key of the image path.
        mask_key: item key of the ground-truth mask path.
        suffix: file name ending of a predicted mask.

    Returns:
        ``out_path``.
    """
    if num_images < 1:
        raise ValueError(f"num_images must be >= 1, got {num_images}.")
    if tile < 16:
        raise ValueError(f"tile must be >= 16 pixels, got {tile}.")
    if not items:
        raise ValueError("items is empty: no image to show.")
    if not rows or any(len(row) != 2 for row in rows):
        raise ValueError(f"rows must be a non-empty list of (title, prediction folder) pairs, got {rows!r}.")
    titles = ["Image", *(title for title, _ in rows), "Ground truth"]
    shown = items[:num_images]
    figure = Image.new("RGB", (len(titles) * tile, TITLE_HEIGHT + len(shown) * tile), "white")
    _draw_titles(figure, titles, tile)
    for row, item in enumerate(shown):
        for column, tile_image in enumerate(_row_tiles(item, rows, tile, image_key, mask_key, suffix)):
            figure.paste(Image.fromarray(tile_image), (column * tile, TITLE_HEIGHT + row * tile))
    with atomic_path(out_path) as tmp:
        figure.save(tmp, format="PNG")
    logger.info("wrote overlay figure of %d images x %d columns to %s", len(shown), len(titles), out_path)
    return Path(out_path)


def _row_tiles(
    item: dict, rows: Sequence[tuple[str, str | os.PathLike]], tile: int, image_key: str, mask_key: str, suffix: str
) -> list[np.ndarray]:
    """Return the (tile, tile, 3) uint8 tiles of one figure row: image, each prediction, ground truth."""
    image = read_rgb(item[image_key])
    mask_files = [prediction_path(item[image_key], folder, suffix) for _, folder in rows] + [Path(item[mask_key])]
    colours = [PREDICTION_COLOUR] * len(rows) + [GROUND_TRUTH_COLOUR]
    small = _resize(image, tile, Image.Resampling.BILINEAR)
    tiles = [_letterbox(small, tile)]
    for mask_file, colour in zip(mask_files, colours):
        mask = read_mask(mask_file)
        if mask.shape != image.shape[:2]:
            raise ValueError(
                f"mask {mask_file} has size (H, W) {mask.shape} but image {item[image_key]} has {image.shape[:2]}."
            )
        small_mask = _resize(mask.astype(np.uint8) * 255, tile, Image.Resampling.NEAREST) > 127
        tiles.append(_letterbox(_overlay(small, small_mask, colour), tile))
    return tiles


def _resize(array: np.ndarray, tile: int, resample: Image.Resampling) -> np.ndarray:
    """Scale an (H, W[, 3]) uint8 array so that its longer side is ``tile``."""
    height, width = array.shape[:2]
    scale = tile / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(array).resize(size, resample))


def _overlay(image: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Tint ``image`` (h, w, 3) inside ``mask`` (h, w) with ``colour`` and draw the mask's contour opaque."""
    out = image.astype(np.float32)
    out[mask] = (1.0 - TINT_ALPHA) * out[mask] + TINT_ALPHA * np.asarray(colour, dtype=np.float32)
    out[find_boundaries(mask, mode="inner")] = colour
    return out.round().astype(np.uint8)


def _letterbox(image: np.ndarray, tile: int) -> np.ndarray:
    """Centre an (h, w, 3) image with h, w <= tile on a black (tile, tile, 3) canvas."""
    canvas = np.zeros((tile, tile, 3), dtype=np.uint8)
    top, left = (tile - image.shape[0]) // 2, (tile - image.shape[1]) // 2
    canvas[top : top + image.shape[0], left : left + image.shape[1]] = image
    return canvas


def _draw_titles(figure: Image.Image, titles: Sequence[str], tile: int) -> None:
    """Write each column title centred above its column, shortened with "..." when wider than a tile."""
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default(size=FONT_SIZE)
    for column, title in enumerate(titles):
        text = title
        while len(text) > 1 and draw.textlength(text, font=font) > tile - 4:
            text = text[:-2] + "\u2026"
        width = draw.textlength(text, font=font)
        draw.text((column * tile + (tile - width) / 2, TITLE_HEIGHT / 2), text, fill="black", font=font, anchor="lm")
