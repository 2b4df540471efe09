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
"""Threshold-free map quality: each map cut at the area of a label-free reference mask (e.g. the centred disk)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bundle.data.output_layout import map_path
from bundle.evaluation.segmentation_metrics import prediction_path
from bundle.utils import read_pil_array, save_png_atomic

__all__ = ["EqualAreaMasks", "top_area_mask"]


def top_area_mask(score: np.ndarray, area: int) -> np.ndarray:
    """The ``area`` highest pixels of ``score`` (H, W) as a bool (H, W) mask; ties go to the earlier pixel."""
    if not 0 <= area <= score.size:
        raise ValueError(f"area must be in [0, {score.size}] for a map of shape {score.shape}, got {area}.")
    chosen = np.zeros(score.size, dtype=bool)
    chosen[np.argsort(-score, axis=None, kind="stable")[:area]] = True
    return chosen.reshape(score.shape)


class EqualAreaMasks:
    """Masks of each image's map cut at the area a reference mask of that image covers.

    Comparing a method's maps with a label-free reference at the reference's own area scores *where* the maps
    put their mass, independently of any threshold: with the centred disk as reference, a map that localises
    lesions beats the disk; one that only repeats a position prior does not.

    Args:
        reference: image shape -> bool mask (H, W) of that shape, e.g. ``CentredDiskBaseline()`` (which only
            reads the shape of the array it is given).
    """

    def __init__(self, reference: Callable[[np.ndarray], np.ndarray]) -> None:
        self.reference = reference

    def __call__(self, score: np.ndarray) -> np.ndarray:
        """Cut ``score`` (H, W) at the reference's area for an image of that size; bool (H, W)."""
        return top_area_mask(score, int(np.count_nonzero(self.reference(np.zeros(score.shape, dtype=bool)))))

    def write(self, items: Sequence[dict], map_dir: str | os.PathLike, out_dir: str | os.PathLike) -> list[Path]:
        """Write ``<out_dir>/<id>_mask.png`` (0/255) from each item's ``<map_dir>/<id>_map.png`` (16-bit).

        Raises:
            FileNotFoundError: naming the map file of an item that has none.
        """
        written = []
        for item in items:
            score = read_pil_array(map_path(map_dir, item["image"]), mode="I", kind="map").astype(np.float64)
            written.append(save_png_atomic(self(score).astype(np.uint8) * 255, prediction_path(item["image"], out_dir)))
        return written
