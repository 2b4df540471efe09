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
"""Tests of the NMI Ignite metric inside a MONAI evaluator."""

from __future__ import annotations

import math

import pytest
import torch
from monai.data import DataLoader, Dataset
from monai.engines import SupervisedEvaluator
from torch import nn

from bundle.evaluation.normalized_mutual_info import NormalizedMutualInfo
from bundle.evaluation.recall_at_k import RecallAtK

CLUMPS = [[0.0, 0.0], [0.0, 0.1], [0.1, 0.0], [10.0, 0.0], [10.0, 0.1], [10.1, 0.0]]


class EmbeddingWithAttention(nn.Module):
    """Returns its input as the embedding, with a dummy attention map, like AttentionManifoldNet."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x, torch.ones(len(x), 1, 2, 2)


# Clumps (0, 1, 0) and (1, 0, 1): contingency [[2, 1], [1, 2]], uniform marginals, NMI = MI / log 2.
TWO_AGAINST_ONE_NMI = (2 / 3 * math.log(4 / 3) + 1 / 3 * math.log(2 / 3)) / math.log(2)


@pytest.mark.parametrize("labels, expected", [([0, 0, 0, 1, 1, 1], 1.0), ([0, 1, 0, 1, 0, 1], TWO_AGAINST_ONE_NMI)])
def test_nmi_as_additional_metric(labels, expected):
    data = [{"image": torch.tensor(point), "label": label} for point, label in zip(CLUMPS, labels)]
    evaluator = SupervisedEvaluator(
        device="cpu",
        val_data_loader=DataLoader(Dataset(data), batch_size=4),
        network=EmbeddingWithAttention(),
        key_val_metric={"recall": RecallAtK(k=1)},
        additional_metrics={"nmi": NormalizedMutualInfo(seed=0)},
    )
    evaluator.run()
    assert evaluator.state.metrics["nmi"] == pytest.approx(expected)


def test_seed_makes_it_deterministic():
    generator = torch.Generator().manual_seed(0)
    embeddings, labels = torch.randn(40, 3, generator=generator), torch.arange(40) % 4
    scores = []
    for _ in range(2):
        metric = NormalizedMutualInfo(seed=3)
        metric.update((embeddings, labels))
        scores.append(metric.compute())
    assert scores[0] == scores[1]


def test_ill_options():
    with pytest.raises(ValueError):
        NormalizedMutualInfo(n_init=0)
