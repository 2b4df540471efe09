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
"""Tests of the Recall@K Ignite metric inside a MONAI evaluator."""

from __future__ import annotations

import pytest
import torch
from monai.data import DataLoader, Dataset
from monai.engines import SupervisedEvaluator
from torch import nn

from bundle.evaluation.recall_at_k import RecallAtK

# Nearest neighbours: 0->1, 1->0, 2->1, 3->2; only sample 2 misses at k=1 (see test_retrieval_metrics).
POINTS = [[0.0, 0.0], [1.0, 0.0], [2.4, 0.0], [4.0, 0.0]]
LABELS = [0, 0, 1, 1]


class EmbeddingWithAttention(nn.Module):
    """Returns its input as the embedding, with a dummy attention map, like AttentionManifoldNet."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x, torch.ones(len(x), 1, 2, 2)


@pytest.mark.parametrize("decollate", [True, False])
@pytest.mark.parametrize("k, expected", [(1, 0.75), (2, 1.0)])
def test_recall_in_monai_evaluator(decollate, k, expected):
    data = [{"image": torch.tensor(point), "label": label} for point, label in zip(POINTS, LABELS)]
    evaluator = SupervisedEvaluator(
        device="cpu",
        val_data_loader=DataLoader(Dataset(data), batch_size=3),  # batches of 3 and 1: gathered over the epoch
        network=EmbeddingWithAttention(),
        key_val_metric={"recall": RecallAtK(k=k)},
        decollate=decollate,
    )
    evaluator.run()
    assert evaluator.state.metrics["recall"] == pytest.approx(expected)
    assert evaluator.state.best_metric == pytest.approx(expected)


def test_metric_resets_between_epochs():
    metric = RecallAtK(k=1)
    metric.update((torch.tensor(POINTS), torch.tensor(LABELS)))
    assert metric.compute() == pytest.approx(0.75)
    metric.reset()
    metric.update((torch.eye(3), torch.tensor([0, 0, 1])))
    assert metric.compute() == pytest.approx(2 / 3)


def test_ill_options():
    with pytest.raises(ValueError):
        RecallAtK(k=0)
