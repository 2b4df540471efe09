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
"""The boundary (constrain-to-boundary) loss of SEC, DSRG and DGCN: the softmax pulled towards its CRF smoothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["CRFBoundaryLoss"]


class CRFBoundaryLoss(nn.Module):
    """Mean over pixels of ``KL(R || S) = sum_c R_c log(R_c / S_c)``, with ``S`` the softmax of the logits and
    ``R = smoother(S, images)`` its boundary-respecting smoothing (a dense CRF), held fixed as a target.

    Zero where the smoothing leaves the softmax unchanged; the gradient moves ``S`` towards ``R`` only. With
    ``size``, softmax and images are first averaged over blocks down to that size (as DSRG applies the loss at its
    network's output stride): the CRF's cost falls with the number of pixels.

    Args:
        smoother: maps probabilities (B, C, h, w) and images (B, C_in, h, w) to smoothed probabilities (B, C, h, w),
            e.g. :py:class:`bundle.losses.DenseCRF`.
        size: (h, w) the loss is computed at; None: the logits' own size.

    Example::

        loss = CRFBoundaryLoss(DenseCRF())(logits, images)  # (B, C, H, W), (B, 3, H, W) -> scalar
    """

    def __init__(
        self, smoother: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], size: Sequence[int] | None = None
    ) -> None:
        super().__init__()
        if size is not None and (len(size) != 2 or min(size) < 1):
            raise ValueError(f"size must be two positive ints (h, w) or None, got {size!r}.")
        self.smoother = smoother
        self.size = None if size is None else (int(size[0]), int(size[1]))

    def forward(self, logits: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """
        Args:
            logits: (B, C, H, W) network outputs before the softmax.
            images: (B, C_in, H, W) the network's inputs (the CRF's appearance kernel reads them).

        Returns:
            the scalar loss.
        """
        if logits.ndim != 4 or images.ndim != 4 or images.shape[0] != logits.shape[0]:
            raise ValueError(
                f"logits (B, C, H, W) and images (B, C_in, H, W) of one batch expected, got shapes "
                f"{tuple(logits.shape)} and {tuple(images.shape)}."
            )
        log_probs = F.log_softmax(logits.float(), dim=1)
        if self.size is not None and self.size != tuple(logits.shape[2:]):
            log_probs = F.adaptive_avg_pool2d(log_probs.exp(), self.size).clamp_min(1e-12).log()
            images = F.adaptive_avg_pool2d(images.float(), self.size)
        with torch.no_grad():
            target = self.smoother(log_probs.exp(), images).float()
        # R (log R - log S), 0 where R is 0
        return F.kl_div(log_probs, target, reduction="none").sum(dim=1).mean()
