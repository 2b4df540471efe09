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
"""Tests of Recall@K, k-means NMI and the engine-output adapter, on embeddings small enough to score by hand."""

from __future__ import annotations

import math

import pytest
import torch

from bundle.evaluation.retrieval_metrics import embeddings_and_labels, normalized_mutual_info, recall_at_k


def _on_a_line(xs: list[float]) -> torch.Tensor:
    return torch.tensor([[x, 0.0] for x in xs])


@pytest.mark.parametrize(
    "xs, labels, k, expected",
    [
        # nearest neighbours: 0->1, 1->0, 2->1 (1.4 < 1.6), 3->2; only sample 2 misses at k=1
        ([0.0, 1.0, 2.4, 4.0], [0, 0, 1, 1], 1, 0.75),
        ([0.0, 1.0, 2.4, 4.0], [0, 0, 1, 1], 2, 1.0),
        # alternating labels: every nearest neighbour is of the other class; at k=2 only samples 0 and 3 hit
        ([0.0, 1.0, 2.1, 3.3], [0, 1, 0, 1], 1, 0.0),
        ([0.0, 1.0, 2.1, 3.3], [0, 1, 0, 1], 2, 0.5),
        ([0.0, 1.0, 2.1, 3.3], [0, 1, 0, 1], 3, 1.0),
    ],
)
def test_recall_at_k_by_hand(xs, labels, k, expected):
    assert recall_at_k(_on_a_line(xs), torch.tensor(labels), k) == pytest.approx(expected)


def test_balanced_recall_is_the_mean_of_per_class_recalls():
    xs, labels = [0.0, 1.0, 1.5, 5.0, 5.5], [0, 0, 0, 0, 1]
    # neighbours: 0->1 hit, 1->2 hit, 2->1 hit, 3->4 miss, 4->3 miss: class 0 3/4, class 1 0/1
    assert recall_at_k(_on_a_line(xs), torch.tensor(labels), 1) == pytest.approx(3 / 5)
    assert recall_at_k(_on_a_line(xs), torch.tensor(labels), 1, balanced=True) == pytest.approx((3 / 4 + 0) / 2)


def test_recall_at_k_never_retrieves_the_query_itself():
    # Each sample is the only one of its class: a self-match would give recall 1.
    assert recall_at_k(torch.eye(3), torch.arange(3), k=1) == 0.0


def _two_clumps() -> torch.Tensor:
    """Three points near (0, 0) and three near (10, 0)."""
    return torch.tensor([[0.0, 0.0], [0.0, 0.1], [0.1, 0.0], [10.0, 0.0], [10.0, 0.1], [10.1, 0.0]])


def _nmi_two_by_two(joint_counts: list[list[int]]) -> float:
    """NMI (arithmetic normalisation) of a 2 x 2 contingency table with uniform marginals."""
    total = sum(map(sum, joint_counts))
    mutual_info = sum(n / total * math.log((n / total) / 0.25) for row in joint_counts for n in row if n)
    return mutual_info / math.log(2)


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([0, 0, 0, 1, 1, 1], 1.0),  # clumps are the classes
        ([1, 1, 1, 0, 0, 0], 1.0),  # cluster numbering does not matter
        ([0, 0, 1, 1, 1, 0], _nmi_two_by_two([[2, 1], [1, 2]])),  # one sample of each clump in the other class
    ],
)
def test_normalized_mutual_info_by_hand(labels, expected):
    assert normalized_mutual_info(_two_clumps(), torch.tensor(labels)) == pytest.approx(expected)


def test_normalized_mutual_info_independent_of_labels_is_zero():
    embeddings = torch.tensor([[0.0, 0.0], [0.0, 0.1], [10.0, 0.0], [10.0, 0.1]])
    assert normalized_mutual_info(embeddings, torch.tensor([0, 1, 0, 1])) == pytest.approx(0.0, abs=1e-12)


def test_adapter_reads_a_batch_dictionary_with_tuple_pred():
    embedding = torch.randn(3, 4, requires_grad=True)
    output = {"pred": (embedding, torch.rand(3, 1, 2, 2)), "label": torch.tensor([[1], [0], [2]]), "loss": 0.5}
    embeddings, labels = embeddings_and_labels(output)
    torch.testing.assert_close(embeddings, embedding.detach())
    assert not embeddings.requires_grad
    assert labels.tolist() == [1, 0, 2]


def test_adapter_reads_decollated_samples():
    output = [
        {"pred": [torch.tensor([1.0, 0.0]), torch.rand(1, 2, 2)], "label": 3},  # (embedding, attention)
        {"pred": torch.tensor([0.0, 1.0]), "label": 4},
    ]
    embeddings, labels = embeddings_and_labels(output)
    torch.testing.assert_close(embeddings, torch.eye(2))
    assert labels.tolist() == [3, 4]


@pytest.mark.parametrize(
    "output",
    [
        {"pred": torch.zeros(2, 3), "label": torch.zeros(2, 7)},  # one-hot labels
        [{"pred": torch.zeros(3), "label": torch.zeros(7)}],
    ],
)
def test_adapter_refuses_non_scalar_labels(output):
    with pytest.raises(ValueError):
        embeddings_and_labels(output)


@pytest.mark.parametrize(
    "embeddings, labels, k",
    [
        (torch.zeros(3, 2), torch.zeros(3), 3),  # k must be below the sample count
        (torch.zeros(3, 2), torch.zeros(3), 0),
        (torch.zeros(1, 2), torch.zeros(1), 1),
        (torch.zeros(3, 2), torch.zeros(2), 1),
        (torch.zeros(3, 2, 1), torch.zeros(3), 1),
    ],
)
def test_recall_at_k_ill_inputs(embeddings, labels, k):
    with pytest.raises(ValueError):
        recall_at_k(embeddings, labels, k)
