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
"""Batch preparation for contrastive training: the views of a batch stacked, their image index as the label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from monai.engines.utils import PrepareBatch
from monai.utils import CommonKeys, convert_to_tensor

__all__ = ["TwoViewBatch"]


class TwoViewBatch(PrepareBatch):
    """``prepare_batch`` of a ``SupervisedTrainer`` whose samples hold several random views of one image.

    Returns ``(inputs, targets)``: the views of ``view_keys`` concatenated along the batch axis,
    (V * B, C, *spatial), and for each the index of its image in the batch, (V * B,) ``[0 .. B-1]`` repeated V times.
    Views of one image then share a label, which is what pytorch-metric-learning's ``NTXentLoss`` takes as
    positive pairs; no class label is read.

    Args:
        view_keys: batch keys of the views, at least two (e.g. those of ``contrastive_transforms``).
    """

    def __init__(self, view_keys: Sequence[str] = (CommonKeys.IMAGE, "image_view")) -> None:
        if len(view_keys) < 2 or len(set(view_keys)) != len(view_keys):
            raise ValueError(f"view_keys must name at least two distinct keys, got {tuple(view_keys)}.")
        self.view_keys = tuple(view_keys)

    def __call__(
        self,
        batchdata: Mapping[str, Any],
        device: str | torch.device | None = None,
        non_blocking: bool = False,
        **kwargs: Any,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        missing = [key for key in self.view_keys if key not in batchdata]
        if missing:
            raise KeyError(f"the batch has no view {missing}; its keys are {sorted(batchdata)}.")
        views = [convert_to_tensor(batchdata[key], track_meta=False) for key in self.view_keys]
        if len({view.shape for view in views}) != 1:
            raise ValueError(f"views must share one shape, got {[tuple(view.shape) for view in views]}.")
        inputs = torch.cat(views).to(device=device, non_blocking=non_blocking, **kwargs)
        targets = torch.arange(len(views[0]), device=inputs.device).repeat(len(views))
        return inputs, targets
