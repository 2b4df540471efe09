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
"""Per-image binary segmentation scores (Dice, Jaccard, ISIC thresholded Jaccard) of mask folders.

Predictions are 8-bit PNG masks ``<image id>_mask.png`` at each image's original size; ground truth is the
ISIC Task 1 ``*_segmentation.png``. Both are read by :func:`read_mask`, so they share one orientation (numpy
(H, W)) and one binarisation (> 128, as the ISIC challenge scorer does).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from monai.metrics import compute_dice, compute_iou

from bundle.data.image_files import image_id
from bundle.data.output_layout import MASK_SUFFIX
from bundle.utils.image_io import read_pil_array

logger = logging.getLogger(__name__)

MASK_BINARY_THRESHOLD = 128
"""A mask pixel is foreground when its 8-bit value is strictly above this (ISIC challenge scorer)."""

ISIC_JACCARD_THRESHOLD = 0.65
"""ISIC 2018 Task 1: a per-image Jaccard below this counts as 0 (a failed segmentation)."""

PREDICTION_SUFFIX = MASK_SUFFIX
"""File name ending of a predicted mask: ``<image id>_mask.png`` (``bundle.data.output_layout``)."""

SEGMENTATION_METRICS: tuple[str, ...] = ("dice", "jaccard", "isic_jaccard")
"""Keys of the score dictionaries, in reporting order."""


def prediction_path(
    image_path: str | os.PathLike, pred_dir: str | os.PathLike, suffix: str = PREDICTION_SUFFIX
) -> Path:
    """Return where the predicted mask of ``image_path`` lives in ``pred_dir``: ``<pred_dir>/<id><suffix>``."""
    return Path(pred_dir) / f"{image_id(image_path)}{suffix}"


def read_mask(path: str | os.PathLike) -> np.ndarray:
    """Read a mask image as a boolean array of numpy shape (H, W), foreground where the 8-bit value is > 128.

    Raises:
        FileNotFoundError: when ``path`` does not exist.
        ValueError: when ``path`` is not a readable image.
    """
    # "L" makes 1-bit, palette and 8-bit masks comparable on the 0..255 scale the ISIC threshold assumes.
    values = read_pil_array(path, "L", kind="mask")
    return values > MASK_BINARY_THRESHOLD


def segmentation_scores(pred: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Dice, Jaccard and ISIC thresholded Jaccard of one binary prediction against its ground truth.

    Both empty scores 1.0 (ISIC convention, applied to Dice too); one empty and the other not scores 0.0.

    Args:
        pred: predicted mask, bool array of shape (H, W).
        target: ground-truth mask, bool array of shape (H, W).

    Returns:
        ``{"dice": float, "jaccard": float, "isic_jaccard": float}``, each in [0, 1].
    """
    for name, mask in (("pred", pred), ("target", target)):
        if mask.ndim != 2 or mask.dtype != np.bool_:
            raise ValueError(f"{name} must be a 2D bool array (H, W), got dtype {mask.dtype} and shape {mask.shape}.")
    if pred.shape != target.shape:
        raise ValueError(f"pred and target shapes differ: {pred.shape} vs {target.shape}.")
    # One foreground channel, batch of one: (1, 1, H, W). float64 keeps a Jaccard of exactly 0.65 at 0.65
    # (float32 rounds 13/20 below the ISIC cut-off); ignore_empty=False scores empty-vs-empty 1.0.
    y_pred = torch.from_numpy(pred)[None, None].double()
    y = torch.from_numpy(target)[None, None].double()
    dice = float(compute_dice(y_pred, y, include_background=True, ignore_empty=False).item())
    jaccard = float(compute_iou(y_pred, y, include_background=True, ignore_empty=False).item())
    isic_jaccard = jaccard if jaccard >= ISIC_JACCARD_THRESHOLD else 0.0
    return {"dice": dice, "jaccard": jaccard, "isic_jaccard": isic_jaccard}


def evaluate_folder(
    items: Sequence[dict],
    pred_dir: str | os.PathLike,
    mask_key: str = "mask",
    suffix: str = PREDICTION_SUFFIX,
    image_key: str = "image",
) -> list[dict]:
    """Score every prediction in ``pred_dir`` against the ground truth of ``items``.

    Args:
        items: datalist items (``monai.data.load_decathlon_datalist``), each with an image path under
            ``image_key`` (names the prediction) and a ground-truth mask path under ``mask_key``.
        pred_dir: folder of predicted masks ``<image id><suffix>``.
        mask_key: item key of the ground-truth mask path.
        suffix: file name ending of a predicted mask.
        image_key: item key of the image path.

    Returns:
        One dictionary per item, in item order: ``{"id": str, "dice": ..., "jaccard": ..., "isic_jaccard": ...,
        "foreground": share of the prediction's pixels that are lesion}``.

    Raises:
        FileNotFoundError: naming the file when a prediction or a ground-truth mask is missing.
        ValueError: naming both files when a prediction's size differs from its ground truth.
    """
    if not items:
        raise ValueError("items is empty: nothing to evaluate.")
    scores = []
    for item in items:
        for key in (image_key, mask_key):
            if key not in item:
                raise ValueError(f"datalist item has no {key!r} key: {item}.")
        pred_file = prediction_path(item[image_key], pred_dir, suffix)
        pred, target = read_mask(pred_file), read_mask(item[mask_key])
        if pred.shape != target.shape:
            raise ValueError(
                f"prediction {pred_file} has size (H, W) {pred.shape} but ground truth {item[mask_key]} "
                f"has {target.shape}; predictions must be written at the image's original size."
            )
        scores.append({"id": image_id(item[image_key]), **segmentation_scores(pred, target),
                       "foreground": float(pred.mean())})
    logger.info("scored %d predictions in %s", len(scores), pred_dir)
    return scores
