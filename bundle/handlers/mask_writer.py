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
"""Write each prediction of an evaluator as a binary PNG mask (and optionally a 16-bit map), atomically."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from ignite.engine import Engine, Events

from bundle.proxy.proxy_files import map_path, mask_path
from bundle.utils.image_io import save_png_atomic

logger = logging.getLogger(__name__)


def _default_items(engine: Engine) -> Sequence[tuple[Any, Any]]:
    """(image meta source, prediction) pairs from a decollated MONAI evaluator state."""
    return [(item["image"], out["pred"]) for item, out in zip(engine.state.batch, engine.state.output)]


class MaskWriter:
    """Ignite handler saving ``<id>_mask.png`` (0/255) and, if asked, ``<id>_map.png`` (16-bit) per image.

    Predictions are channel-first MONAI arrays in ITK order, (C, W, H), already resized to the image's own size
    (e.g. by ``Invertd``); they are transposed back to PNG's (H, W). The mask is written last, so its existence
    marks a finished image and a resumed run can skip it.

    Args:
        output_dir: destination folder.
        threshold: the mask is ``pred[channel] > threshold`` (T = 0.5 in the paper).
        channel: which channel of the prediction holds the lesion probability or label.
        save_map: also write the continuous map, scaled from [0, 1] to 16 bits.
        items_transform: engine -> list of (image with meta, prediction) pairs; the default reads a decollated
            MONAI evaluator's ``batch["image"]`` and ``output["pred"]``.
    """

    def __init__(
        self,
        output_dir: str | os.PathLike,
        threshold: float = 0.5,
        channel: int = 0,
        save_map: bool = False,
        items_transform: Callable[[Engine], Sequence[tuple[Any, Any]]] = _default_items,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}.")
        if channel < 0:
            raise ValueError(f"channel must be >= 0, got {channel}.")
        self.output_dir = Path(output_dir)
        self.threshold = threshold
        self.channel = channel
        self.save_map = save_map
        self.items_transform = items_transform

    def attach(self, engine: Engine) -> None:
        engine.add_event_handler(Events.ITERATION_COMPLETED, self)

    def __call__(self, engine: Engine) -> None:
        for image, pred in self.items_transform(engine):
            source = image.meta["filename_or_obj"]
            prob = self._to_hw(pred)
            if self.save_map:
                map_16bit = np.round(np.clip(prob, 0.0, 1.0) * 65535).astype(np.uint16)
                save_png_atomic(map_16bit, map_path(self.output_dir, source))
            save_png_atomic((prob > self.threshold).astype(np.uint8) * 255, mask_path(self.output_dir, source))

    def _to_hw(self, pred: Any) -> np.ndarray:
        array = pred.detach().cpu().numpy() if isinstance(pred, torch.Tensor) else np.asarray(pred)
        if array.ndim != 3:
            raise ValueError(f"expected a channel-first 2D prediction (C, W, H), got shape {array.shape}.")
        return np.ascontiguousarray(array[self.channel].T.astype(np.float32))
