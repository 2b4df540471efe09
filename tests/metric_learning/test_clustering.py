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
"""Tests of k-means assignment and cluster-id matching."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from bundle.metric_learning.clustering import kmeans_assign, match_cluster_ids


def _three_blobs(seed: int = 0) -> np.ndarray:
    """30 points around three well separated directions."""
    rng = np.random.default_rng(seed)
    centres = np.array([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]])
    return np.concatenate([centre + rng.normal(size=(10, 3)) for centre in centres])


def test_kmeans_assigns_every_sample_to_its_blob():
    ids = kmeans_assign(_three_blobs(), num_clusters=3)
    assert ids.shape == (30,) and ids.dtype == np.int64
    assert set(ids.tolist()) == {0, 1, 2}
    for blob in range(3):
        assert len(set(ids[blob * 10 : (blob + 1) * 10].tolist())) == 1


def test_kmeans_is_deterministic_for_a_seed():
    features = np.random.default_rng(1).normal(size=(40, 5))
    np.testing.assert_array_equal(kmeans_assign(features, 4, seed=3), kmeans_assign(features, 4, seed=3))


def test_kmeans_uses_directions_not_norms():
    # Same direction, different lengths: one cluster after L2 normalisation.
    features = np.array([[1.0, 0.0], [5.0, 0.0], [0.0, 1.0], [0.0, 7.0]])
    ids = kmeans_assign(features, 2)
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]


def test_kmeans_clamps_clusters_to_distinct_rows(caplog):
    features = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])  # two distinct directions
    with caplog.at_level(logging.WARNING, logger="bundle.metric_learning.clustering"):
        ids = kmeans_assign(features, num_clusters=5)
    assert "2 distinct feature rows" in caplog.text
    assert ids.tolist() in ([0, 0, 1], [1, 1, 0])


@pytest.mark.parametrize(
    "previous, current, num_clusters, expected",
    [
        ([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1], 3, [0, 0, 1, 1, 2, 2]),  # a pure permutation is undone
        ([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0], 2, [0, 0, 1, 1, 1, 1]),  # 5 kept (new 0 -> 1) against 1
        ([0, 1, 1, 1, 1], [0, 0, 0, 0, 1], 2, [1, 1, 1, 1, 0]),  # 3 kept (new 0 -> 1) against 2
        ([0, 0, 0, 1], [1, 1, 1, 1], 2, [0, 0, 0, 0]),  # one current cluster takes the biggest old id
    ],
)
def test_match_cluster_ids(previous, current, num_clusters, expected):
    matched = match_cluster_ids(np.array(previous), np.array(current), num_clusters)
    np.testing.assert_array_equal(matched, expected)


def test_match_cluster_ids_keeps_partition():
    rng = np.random.default_rng(0)
    previous, current = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    matched = match_cluster_ids(previous, current, 4)
    # Same grouping of samples: a bijection between current and matched ids.
    assert len(set(zip(current.tolist(), matched.tolist()))) == len(set(current.tolist()))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"features": np.zeros((4, 2)) + 1, "num_clusters": 0},
        {"features": np.zeros((0, 2)), "num_clusters": 1},
        {"features": np.ones(4), "num_clusters": 1},
        {"features": np.array([[np.nan, 1.0]]), "num_clusters": 1},
        {"features": np.ones((4, 2)), "num_clusters": 1, "n_init": 0},
        {"features": np.ones((4, 2)), "num_clusters": 1, "max_iter": 0},
    ],
)
def test_kmeans_ill_options(kwargs):
    with pytest.raises(ValueError):
        kmeans_assign(**kwargs)


@pytest.mark.parametrize(
    "previous, current, num_clusters",
    [([0, 1], [0, 1, 1], 2), ([0, 2], [0, 1], 2), ([0, -1], [0, 1], 2), ([0, 1], [0, 1], 0)],
)
def test_match_cluster_ids_ill_options(previous, current, num_clusters):
    with pytest.raises(ValueError):
        match_cluster_ids(np.array(previous), np.array(current), num_clusters)
