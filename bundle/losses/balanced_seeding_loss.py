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
"""The balanced seeding loss of seeded region growing (DSRG) and deep graph cut (DGCN)."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["BalancedSeedingLoss"]


class BalancedSeedingLoss(nn.Module):
    """Cross-entropy on the labelled pixels only, each class's term normalised by its own pixel count.

    ``loss = sum_c -(1 / |S_c|) sum_{u in S_c} log p_{u,c}`` over the classes c with pixels in the batch (S_c: the
    pixels labelled c in the whole batch), so a few lesion seeds weigh as much as many background ones; pixels
    labelled ``ignore_index`` (unlabelled) add nothing. A batch without labelled pixels gives 0.

    Args:
        ignore_index: the label of unlabelled pixels.

    Example::

        loss = BalancedSeedingLoss()(logits, labels)  # logits (B, C, H, W), labels (B, 1, H, W) -> scalar
    """

    def __init__(self, ignore_index: int = 255) -> None:
        super().__init__()
        self.ignore_index = ignore_index

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """
        Args:
            logits: (B, C, H, W) network outputs before the softmax.
            labels: (B, 1, H, W) or (B, H, W) class indices in [0, C), or ``ignore_index``.

        Returns:
            the scalar loss.
        """
        labels = self._checked(logits, labels)
        log_probs = F.log_softmax(logits.float(), dim=1)
        loss = logits.new_zeros((), dtype=torch.float32)
        for c in range(logits.shape[1]):
            seeds = labels == c
            if seeds.any():
                loss = loss - log_probs[:, c][seeds].mean()
        return loss

    def _checked(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if logits.ndim != 4:
            raise ValueError(f"logits must be (B, C, H, W), got shape {tuple(logits.shape)}.")
        if labels.ndim == 4 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape != (logits.shape[0], *logits.shape[2:]):
            raise ValueError(
                f"labels must be (B, 1, H, W) or (B, H, W) matching logits {tuple(logits.shape)}, "
                f"got shape {tuple(labels.shape)}."
            )
        labels = labels.long()
        valid = (labels == self.ignore_index) | ((labels >= 0) & (labels < logits.shape[1]))
        if not valid.all():
            raise ValueError(
                f"labels must be class indices in [0, {logits.shape[1]}) or {self.ignore_index}, got "
                f"{sorted(set(labels[~valid].tolist()))[:5]}."
            )
        return labels
