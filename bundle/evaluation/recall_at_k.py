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
"""Recall@K of an embedding as an Ignite metric over a whole epoch."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch

from bundle.evaluation.gathered_epoch_metric import GatheredEpochMetric
from bundle.evaluation.retrieval_metrics import embeddings_and_labels, recall_at_k


class RecallAtK(GatheredEpochMetric):
    """Leave-one-out Recall@K: the fraction of samples whose ``k`` nearest neighbours include a same-class one.

    Embeddings and labels of every iteration are gathered and scored at the end of the epoch (Euclidean
    distance, the sample itself excluded). Works as a MONAI evaluator ``key_val_metric`` or
    ``additional_metrics`` entry, with the samples of every process under ``torchrun``.

    Args:
        k: neighbours considered (>= 1; fewer than the number of evaluated samples).
        balanced: the mean of the per-class Recall@K (see ``recall_at_k``).
        output_transform: maps the engine output to ``(embeddings (B, d), labels (B,))``; the default reads
            ``pred`` (or its first element) and ``label`` of a MONAI engine's output.
        device: where the gathered embeddings are kept.
    """

    def __init__(
        self,
        k: int = 1,
        balanced: bool = False,
        output_transform: Callable = embeddings_and_labels,
        device: str | torch.device = torch.device("cpu"),
    ) -> None:
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}.")
        self.k, self.balanced = k, balanced
        super().__init__(
            partial(recall_at_k, k=k, balanced=balanced),
            output_transform=output_transform,
            check_compute_fn=False,
            device=device,
        )
