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
"""Clustering quality (NMI) of an embedding as an Ignite metric over a whole epoch."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch

from bundle.evaluation.gathered_epoch_metric import GatheredEpochMetric
from bundle.evaluation.retrieval_metrics import embeddings_and_labels, normalized_mutual_info


class NormalizedMutualInfo(GatheredEpochMetric):
    """NMI between the classes and a k-means clustering (one cluster per class) of the epoch's embeddings.

    Needs no pixel labels, which is why the paper picks its best epoch by it. Works as a MONAI evaluator
    ``key_val_metric`` or ``additional_metrics`` entry, with the samples of every process under ``torchrun``.

    Args:
        seed: k-means random state.
        n_init: k-means restarts.
        output_transform: maps the engine output to ``(embeddings (B, d), labels (B,))``; the default reads
            ``pred`` (or its first element) and ``label`` of a MONAI engine's output.
        device: where the gathered embeddings are kept.
    """

    def __init__(
        self,
        seed: int = 0,
        n_init: int = 5,
        output_transform: Callable = embeddings_and_labels,
        device: str | torch.device = torch.device("cpu"),
    ) -> None:
        if n_init < 1:
            raise ValueError(f"n_init must be >= 1, got {n_init}.")
        self.seed = seed
        self.n_init = n_init
        super().__init__(
            partial(normalized_mutual_info, seed=seed, n_init=n_init),
            output_transform=output_transform,
            check_compute_fn=False,
            device=device,
        )
