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
"""Write the masks of a label-free baseline in the same layout as a method's predictions.

A baseline's folder is then scored by :func:`bundle.evaluation.segmentation_metrics.evaluate_folder`, exactly
like a method's, and reported in Table 1 as ``init_maps``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bundle.evaluation.centred_disk import CentredDiskBaseline
from bundle.evaluation.otsu_threshold import OtsuBaseline
from bundle.evaluation.segmentation_metrics import PREDICTION_SUFFIX, prediction_path
from bundle.utils.image_io import read_pil_array, save_png_atomic

logger = logging.getLogger(__name__)

BaselineFn = Callable[[np.ndarray], np.ndarray]
"""Maps an RGB image (H, W, 3) uint8 to a bool mask (H, W)."""

BASELINES: dict[str, Callable[[], BaselineFn]] = {"centred_disk": CentredDiskBaseline, "otsu": OtsuBaseline}
"""Baselines by name, built with their default (documented) options."""


def read_rgb(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as an RGB uint8 array of numpy shape (H, W, 3); errors name the file."""
    return read_pil_array(path, "RGB")


def write_mask_png(mask: np.ndarray, path: str | os.PathLike) -> Path:
    """Write a bool mask (H, W) atomically as an 8-bit 0/255 PNG of width W and height H."""
    if mask.ndim != 2 or mask.dtype != np.bool_:
        raise ValueError(f"mask must be a 2D bool array (H, W), got dtype {mask.dtype} and shape {mask.shape}.")
    return save_png_atomic(mask.astype(np.uint8) * 255, path)


def write_baseline_masks(
    items: Sequence[dict],
    out_dir: str | os.PathLike,
    method: str | BaselineFn = "centred_disk",
    image_key: str = "image",
    suffix: str = PREDICTION_SUFFIX,
) -> list[Path]:
    """Run a label-free baseline on every image of ``items`` and write ``<out_dir>/<image id><suffix>``.

    Args:
        items: datalist items with an image path under ``image_key``; ground truth is never read.
        out_dir: output folder, created if needed.
        method: a name in :data:`BASELINES` (default options) or a callable image (H, W, 3) -> bool mask (H, W),
            e.g. ``OtsuBaseline(component="central")``.
        image_key: item key of the image path.
        suffix: file name ending of a written mask.

    Returns:
        The written mask paths, in item order.
    """
    baseline = _resolve(method)
    if not items:
        raise ValueError("items is empty: no image to run the baseline on.")
    written = []
    for item in items:
        if image_key not in item:
            raise ValueError(f"datalist item has no {image_key!r} key: {item}.")
        image = read_rgb(item[image_key])
        mask = baseline(image)
        if mask.shape != image.shape[:2]:
            raise ValueError(f"baseline returned shape {mask.shape} for image {item[image_key]} of {image.shape[:2]}.")
        written.append(write_mask_png(mask, prediction_path(item[image_key], out_dir, suffix)))
    logger.info("wrote %d baseline masks to %s", len(written), out_dir)
    return written


def _resolve(method: str | BaselineFn) -> BaselineFn:
    """Return the baseline callable named or given by ``method``."""
    if isinstance(method, str):
        if method not in BASELINES:
            raise ValueError(f"method must be one of {sorted(BASELINES)} or a callable, got {method!r}.")
        return BASELINES[method]()
    if not callable(method):
        raise ValueError(f"method must be a baseline name or a callable, got {type(method).__name__}.")
    return method
