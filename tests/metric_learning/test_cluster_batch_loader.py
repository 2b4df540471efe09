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
"""Tests of the round-robin, class-balanced, resumable cluster batch loader."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch
from monai.data import Dataset
from monai.transforms import RandomizableTransform

from bundle.metric_learning.cluster_batch_loader import ClusterBatchLoader


def _dataset(labels: list[int]) -> Dataset:
    return Dataset([{"index": i, "label": label} for i, label in enumerate(labels)])


def _epoch(loader: ClusterBatchLoader) -> list[tuple[int, list[int]]]:
    """(cluster id, dataset indices) of every batch of one epoch."""
    batches = []
    for batch in loader:
        clusters = batch["cluster"]
        assert clusters.dtype == torch.long and len(set(clusters.tolist())) == 1
        batches.append((int(clusters[0]), batch["index"].tolist()))
    return batches


LABELS = [i % 6 for i in range(60)]  # 6 classes, 10 samples each


@pytest.mark.parametrize(
    "batch_size, samples_per_class, num_samples, expected_len",
    [(12, 3, 60, 5), (8, 2, 60, 8), (32, 8, 60, 2), (4, 4, 6, 2)],
)
def test_length_is_fixed_and_yielded(batch_size, samples_per_class, num_samples, expected_len):
    labels = LABELS[:num_samples]
    loader = ClusterBatchLoader(_dataset(labels), labels, batch_size, samples_per_class)
    assert len(loader) == expected_len
    assert len(_epoch(loader)) == expected_len
    loader.set_assignments(np.arange(num_samples) % 3)
    assert len(loader) == expected_len
    assert len(_epoch(loader)) == expected_len


def test_batches_round_robin_and_class_balanced():
    loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2)
    # Cluster 0 holds classes 0-2, cluster 1 classes 3-5.
    assignments = (np.array(LABELS) >= 3).astype(int)
    loader.set_assignments(assignments)
    batches = _epoch(loader)
    assert [cluster for cluster, _ in batches] == [0, 1] * 5
    for cluster, indices in batches:
        assert len(indices) == 6
        assert all(assignments[i] == cluster for i in indices)
        assert sorted(Counter(LABELS[i] for i in indices).values()) == [2, 2, 2]


def test_default_is_one_cluster_with_m_per_class():
    labels = [i % 4 for i in range(64)]
    loader = ClusterBatchLoader(_dataset(labels), labels, batch_size=32, samples_per_class=8)
    assert loader.num_clusters == 1
    for cluster, indices in _epoch(loader):
        assert cluster == 0
        assert Counter(labels[i] for i in indices) == {0: 8, 1: 8, 2: 8, 3: 8}


@pytest.mark.parametrize(
    "cluster_classes, expected_per_class",
    [
        ([0], {0: 8}),  # single class: the whole batch from it
        ([0, 1], {0: 4, 1: 4}),  # 2 classes * 2 per class < 8: 4 per class
        ([0, 1, 2], {"any": 4}),  # 3 classes * 2 < 8: 4 per class of 2 of the 3 classes
    ],
)
def test_few_class_cluster_falls_back_to_more_samples_per_class(cluster_classes, expected_per_class):
    labels = [i % 6 for i in range(24)]  # 4 samples per class
    loader = ClusterBatchLoader(_dataset(labels), labels, batch_size=8, samples_per_class=2)
    assignments = np.array([0 if label in cluster_classes else 1 for label in labels])
    loader.set_assignments(assignments)
    for cluster, indices in _epoch(loader):
        if cluster != 0:
            continue
        counts = Counter(labels[i] for i in indices)
        assert len(indices) == 8 and set(counts) <= set(cluster_classes)
        if "any" in expected_per_class:
            assert sorted(counts.values()) == [4, 4]
        else:
            assert counts == expected_per_class


def test_tiny_cluster_samples_with_replacement():
    labels = [0, 1] * 10
    loader = ClusterBatchLoader(_dataset(labels), labels, batch_size=8, samples_per_class=4)
    assignments = np.ones(20, dtype=int)
    assignments[:2] = 0  # cluster 0: one sample of each class
    loader.set_assignments(assignments)
    cluster_zero = [indices for cluster, indices in _epoch(loader) if cluster == 0]
    assert cluster_zero and all(sorted(indices) == [0] * 4 + [1] * 4 for indices in cluster_zero)


def test_seeded_epochs_are_reproducible_and_differ():
    first = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2, seed=5)
    second = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2, seed=5)
    epoch_one = _epoch(first)
    assert epoch_one == _epoch(second)
    assert _epoch(first) != epoch_one  # the next epoch draws new batches


def test_state_dict_round_trip_continues_identically(tmp_path):
    loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2, seed=1)
    loader.set_assignments(np.arange(60) % 3)
    _epoch(loader)
    torch.save(loader.state_dict(), tmp_path / "loader.pt")
    expected = [_epoch(loader), _epoch(loader)]

    resumed = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2, seed=1)
    resumed.load_state_dict(torch.load(tmp_path / "loader.pt", weights_only=True))
    np.testing.assert_array_equal(resumed.assignments, np.arange(60) % 3)
    assert [_epoch(resumed), _epoch(resumed)] == expected


def test_global_numpy_random_state_is_left_alone():
    loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2)
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    _epoch(loader)
    assert np.random.rand() == expected


def test_workers_give_the_same_batches():
    labels = LABELS[:24]
    in_process = ClusterBatchLoader(_dataset(labels), labels, batch_size=6, samples_per_class=2)
    with_workers = ClusterBatchLoader(_dataset(labels), labels, batch_size=6, samples_per_class=2, num_workers=1)
    assert _epoch(in_process) == _epoch(with_workers)


class _RandomDraw(RandomizableTransform):
    """Stores one number drawn from the transform's own random state: stands in for an augmentation."""

    def __call__(self, data: dict) -> dict:
        return {**data, "draw": self.R.rand()}


@pytest.mark.parametrize("num_workers", [0, 1])
def test_epochs_draw_new_augmentations(num_workers):
    labels = LABELS[:24]
    dataset = Dataset([{"index": i, "label": label} for i, label in enumerate(labels)], transform=_RandomDraw())
    loader = ClusterBatchLoader(dataset, labels, batch_size=6, samples_per_class=2, num_workers=num_workers)
    first, second = ([float(d) for batch in loader for d in batch["draw"]] for _ in range(2))
    # A fresh worker per epoch would start from the same random state and repeat the first epoch's draws.
    assert len(first) == len(second) == 24
    assert len(set(first) & set(second)) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 0},
        {"batch_size": 8, "samples_per_class": 3},
        {"samples_per_class": 0},
        {"num_workers": -1},
        {"seed": -1},
        {"labels": [0, 1]},
        {"labels": [0.5] * 60},
        {"num_replicas": 0},
        {"num_replicas": 2, "rank": 2},
        {"num_replicas": 2, "rank": -1},
    ],
)
def test_ill_options(kwargs):
    kwargs = {"dataset": _dataset(LABELS), "labels": LABELS, "batch_size": 6, "samples_per_class": 2, **kwargs}
    with pytest.raises(ValueError):
        ClusterBatchLoader(**kwargs)


@pytest.mark.parametrize("assignments", [np.zeros(59, dtype=int), -np.ones(60, dtype=int), np.zeros(60) + 0.5])
def test_ill_assignments(assignments):
    loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2)
    with pytest.raises(ValueError):
        loader.set_assignments(assignments)


def test_replicas_share_the_schedule_and_each_keeps_whole_balanced_batches():
    replicas = []
    for rank in (0, 1):
        loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2, seed=3,
                                    num_replicas=2, rank=rank)
        loader.set_assignments(np.arange(60) % 2)
        replicas.append(_epoch(loader))
    assert len(replicas[0]) == len(replicas[1]) == 5  # ceil(60 / (2 * 6)): the data about once per epoch
    for step, (zero, one) in enumerate(zip(*replicas)):
        assert zero[0] == one[0] == step % 2  # both processes train the same learner at each step
        for _, indices in (zero, one):
            assert Counter(Counter(LABELS[i] for i in indices).values()) == {2: 3}  # whole class-balanced batches
            assert {i % 2 for i in indices} == {step % 2}  # from the step's cluster
        assert zero[1] != one[1]


def test_without_a_process_group_the_loader_is_the_single_process_one():
    loader = ClusterBatchLoader(_dataset(LABELS), LABELS, batch_size=6, samples_per_class=2)
    assert (loader.num_replicas, loader.rank) == (1, 0)
