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
"""Conquer step of divide-and-conquer metric learning: one margin loss per learner."""

from __future__ import annotations

import torch
from pytorch_metric_learning import losses, miners
from torch import nn


class DivideAndConquerLoss(nn.Module):
    """Margin loss (Wu et al. 2017) with distance-weighted negative sampling, one independent loss per learner.

    Learner ``k`` owns a slice of the embedding and is trained only on batches of its cluster; ``forward`` takes
    that slice. Each learner has its own ``MarginLoss`` (its own boundary ``beta`` when ``learn_beta``), all share
    one ``DistanceWeightedMiner``. Batches without a positive and a negative pair (one class, or one sample per
    class) give a zero loss that is still connected to the graph, so ``backward`` never fails.

    With ``learn_beta=True`` the betas are parameters of this module: add ``loss.parameters()`` to the optimizer.

    Args:
        num_learners: number of learners K (the number of losses built; may later be lowered, not raised).
        margin: margin ``alpha`` around the boundary.
        beta: initial class boundary on the distance.
        nu: regularisation weight of a learned beta.
        learn_beta: learn beta by gradient descent.
        miner_cutoff: distances below this are clamped when weighting negatives.
        nonzero_loss_cutoff: negatives farther than this are never sampled.
    """

    def __init__(
        self,
        num_learners: int = 1,
        margin: float = 0.2,
        beta: float = 1.2,
        nu: float = 0.0,
        learn_beta: bool = False,
        miner_cutoff: float = 0.5,
        nonzero_loss_cutoff: float = 1.4,
    ) -> None:
        super().__init__()
        if num_learners < 1:
            raise ValueError(f"num_learners must be >= 1, got {num_learners}.")
        if margin < 0:
            raise ValueError(f"margin must be >= 0, got {margin}.")
        if beta <= 0:
            raise ValueError(f"beta must be > 0, got {beta}.")
        if nu < 0:
            raise ValueError(f"nu must be >= 0, got {nu}.")
        if not 0 <= miner_cutoff < nonzero_loss_cutoff:
            raise ValueError(
                f"need 0 <= miner_cutoff < nonzero_loss_cutoff, got {miner_cutoff} and {nonzero_loss_cutoff}."
            )
        self.losses = nn.ModuleList(
            [losses.MarginLoss(margin=margin, nu=nu, beta=beta, learn_beta=learn_beta) for _ in range(num_learners)]
        )
        self.miner = miners.DistanceWeightedMiner(cutoff=miner_cutoff, nonzero_loss_cutoff=nonzero_loss_cutoff)
        self._num_learners = num_learners

    @property
    def num_learners(self) -> int:
        """Number of active learners; setting 1 starts the full-embedding fine-tune with learner 0's loss."""
        return self._num_learners

    @num_learners.setter
    def num_learners(self, value: int) -> None:
        if not 1 <= value <= len(self.losses):
            raise ValueError(f"num_learners must be in [1, {len(self.losses)}], got {value}.")
        self._num_learners = value

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor, learner: int = 0) -> torch.Tensor:
        """Margin loss of one learner.

        Args:
            embeddings: (B, D_k) the learner's slice of the embedding (normalised again by the distance).
            labels: (B,) integer class labels.
            learner: index of the learner in ``[0, num_learners)``.

        Returns:
            scalar loss.
        """
        if not 0 <= learner < self._num_learners:
            raise ValueError(f"learner must be in [0, {self._num_learners}), got {learner}.")
        if embeddings.ndim != 2 or labels.shape != embeddings.shape[:1]:
            raise ValueError(
                f"need (B, D) embeddings and (B,) labels, got {tuple(embeddings.shape)} and {tuple(labels.shape)}."
            )
        pairs = self.miner(embeddings, labels)
        return self.losses[learner](embeddings, labels, pairs)
