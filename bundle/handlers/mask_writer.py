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
"""Write each prediction of an evaluator as a binary PNG mask (and optionally its map), atomically."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from ignite.engine import Engine, Events

from bundle.data.output_layout import MAP_SUFFIXES, map_path, mask_path
from bundle.utils.image_io import save_nifti_atomic, save_png_atomic

logger = logging.getLogger(__name__)


def _default_items(engine: Engine) -> Sequence[tuple[Any, Any]]:
    """(image meta source, prediction) pairs from a decollated MONAI evaluator state."""
    return [(item["image"], out["pred"]) for item, out in zip(engine.state.batch, engine.state.output)]


class MaskWriter:
    """Ignite handler saving ``<id>_mask.png`` (0/255) and, if asked, the map ``<id>_map.png|.nii.gz`` per image.

    Predictions are channel-first MONAI arrays in ITK order, (C, W, H), already resized to the image's own size
    (e.g. by ``Invertd``); PNGs get them transposed back to (H, W), NIfTI maps keep MONAI's (W, H), so
    ``LoadImage`` reads map and image on the same grid. The mask is written last, so its existence marks a
    finished image and a resumed run can skip it.

    Args:
        output_dir: destination folder.
        threshold: the mask is ``pred[channel] > threshold`` (T = 0.5 in the paper).
        channel: which channel of the prediction holds the lesion probability or label.
        save_map: also write the continuous map, clipped to [0, 1].
        map_format: ``"png"``: the map scaled to 16 bits; ``"nii.gz"``: the float32 map as NIfTI.
        items_transform: engine -> list of (image with meta, prediction) pairs; the default reads a decollated
            MONAI evaluator's ``batch["image"]`` and ``output["pred"]``.
    """

    def __init__(
        self,
        output_dir: str | os.PathLike,
        threshold: float = 0.5,
        channel: int = 0,
        save_map: bool = False,
        map_format: str = "png",
        items_transform: Callable[[Engine], Sequence[tuple[Any, Any]]] = _default_items,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}.")
        if channel < 0:
            raise ValueError(f"channel must be >= 0, got {channel}.")
        if map_format not in MAP_SUFFIXES:
            raise ValueError(f"map_format must be one of {sorted(MAP_SUFFIXES)}, got {map_format!r}.")
        self.output_dir = Path(output_dir)
        self.threshold = threshold
        self.channel = channel
        self.save_map = save_map
        self.map_format = map_format
        self.items_transform = items_transform

    def attach(self, engine: Engine) -> None:
        engine.add_event_handler(Events.ITERATION_COMPLETED, self)

    def __call__(self, engine: Engine) -> None:
        for image, pred in self.items_transform(engine):
            source = image.meta["filename_or_obj"]
            prob_wh = self._to_wh(pred)
            if self.save_map:
                self._save_map(np.clip(prob_wh, 0.0, 1.0), map_path(self.output_dir, source, self.map_format))
            mask_hw = np.ascontiguousarray(prob_wh.T > self.threshold).astype(np.uint8) * 255
            save_png_atomic(mask_hw, mask_path(self.output_dir, source))

    def _save_map(self, map_wh: np.ndarray, path: Path) -> None:
        if self.map_format == "nii.gz":
            save_nifti_atomic(map_wh, path)
        else:
            save_png_atomic(np.ascontiguousarray(np.round(map_wh.T * 65535).astype(np.uint16)), path)

    def _to_wh(self, pred: Any) -> np.ndarray:
        array = pred.detach().cpu().numpy() if isinstance(pred, torch.Tensor) else np.asarray(pred)
        if array.ndim != 3:
            raise ValueError(f"expected a channel-first 2D prediction (C, W, H), got shape {array.shape}.")
        return array[self.channel].astype(np.float32)
