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

"""Tests of the DGCN graph cut refiner."""

from __future__ import annotations

import maxflow
import numpy as np
import pytest
import torch

from bundle.proxy.graph_cut_refiner import (
    GraphCutRefiner,
    _nearest_neighbors,
    _undirected_edges,
    batch_nearest_neighbors,
)

SIZE = 12
BLOB_A = (slice(1, 5), slice(1, 5))
BLOB_B = (slice(7, 11), slice(7, 11))


def _two_blob_features(seed: int = 0, num_channels: int = 3) -> np.ndarray:
    """(num_channels, SIZE, SIZE) one-hot region id (background, A, B), zero padded, plus small noise."""
    region = np.zeros((SIZE, SIZE), dtype=int)
    region[BLOB_A] = 1
    region[BLOB_B] = 2
    one_hot = np.eye(num_channels, 3, dtype=np.float32)[:, region]
    return one_hot + 0.01 * np.random.default_rng(seed).standard_normal(one_hot.shape).astype(np.float32)


def _blob_mask(blob: tuple[slice, slice]) -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    mask[blob] = True
    return mask


def _chain_features(positions: list[float]) -> np.ndarray:
    """(1, 1, N) features whose nearest neighbours (K=1) link the nodes into a chain."""
    return np.asarray(positions, dtype=np.float32).reshape(1, 1, -1)


def test_pymaxflow_terminal_direction() -> None:
    # the convention the refiner relies on: a node tied to the sink ends in the sink segment (True)
    graph = maxflow.Graph[float]()
    nodes = graph.add_nodes(4)
    graph.add_edges(np.array([0, 1, 2], dtype=np.int32), np.array([1, 2, 3], dtype=np.int32), np.ones(3), np.ones(3))
    graph.add_tedge(nodes[0], 10.0, 0.0)
    graph.add_tedge(nodes[3], 0.0, 10.0)
    # a sink capacity is paid when the node stays with the source: 2 > the chain edge 0-1 (1), so node 1 joins the sink
    graph.add_tedge(nodes[1], 0.0, 2.0)
    flow = graph.maxflow()
    assert flow == pytest.approx(1.0)  # only the chain edge 0-1 is cut
    assert list(graph.get_grid_segments(np.arange(4))) == [False, True, True, True]
    assert [graph.get_segment(i) for i in range(4)] == [0, 1, 1, 1]


# chain 0-1-2-3 (positions chosen so that each node's single nearest neighbour is its chain predecessor/successor);
# cost of labelling a free node lesion = -log10 p, background = -log10(1 - p), each cut chain edge costs 1:
#   [.9, .8, .3, .05]: (1,1)=.097+.523+1, (1,0)=.097+.155+1 (min), (0,0)=.699+.155+1
#   [.9, .8, .6, .05]: (1,1)=.097+.222+1 (min), (1,0)=.097+.398+1, (0,0)=.699+.398+1
#   [.9, .2, .3, .05]: (0,0)=.097+.155+1 (min)
CHAIN_CASES = [
    [[0.9, 0.8, 0.3, 0.05], [True, True, False, False]],
    [[0.9, 0.8, 0.6, 0.05], [True, True, True, False]],
    [[0.9, 0.2, 0.3, 0.05], [True, False, False, False]],
    [[0.05, 0.6, 0.8, 0.9], [False, True, True, True]],
]


@pytest.mark.parametrize("probs, expected", CHAIN_CASES)
def test_chain_min_cut_by_hand(probs: list[float], expected: list[bool]) -> None:
    refiner = GraphCutRefiner(num_neighbors=1)
    result = refiner(np.asarray([probs]), _chain_features([0.0, 1.0, 2.5, 4.5]))
    assert result.dtype == bool
    assert result[0].tolist() == expected


# 3 channels take the k-d tree neighbour search, 24 the dense distance matrix
@pytest.mark.parametrize("num_channels", [3, 24])
def test_foreground_seeds_grow_over_their_blob_only(num_channels: int) -> None:
    prob = np.full((SIZE, SIZE), 0.4)
    prob[1, 1] = prob[2, 3] = prob[4, 2] = 0.95  # a few foreground seeds inside blob A
    prob[0, 0] = prob[11, 0] = prob[0, 11] = prob[6, 5] = 0.05  # a few background seeds in the background
    result = GraphCutRefiner()(prob, _two_blob_features(num_channels=num_channels))
    np.testing.assert_array_equal(result, _blob_mask(BLOB_A))
    assert not (prob > 0.5)[BLOB_A].all()  # the growth comes from the graph, not from the unaries


@pytest.mark.parametrize("num_channels", [3, 24])
def test_background_seeds_grow_over_the_background(num_channels: int) -> None:
    prob = np.full((SIZE, SIZE), 0.6)  # the unaries alone would call the background lesion
    prob[BLOB_B] = 0.3
    prob[2, 2] = prob[3, 4] = 0.95
    prob[0, 0] = prob[11, 0] = prob[5, 9] = 0.02
    result = GraphCutRefiner()(prob, _two_blob_features(seed=1, num_channels=num_channels))
    np.testing.assert_array_equal(result, _blob_mask(BLOB_A))


@pytest.mark.parametrize(
    "prob",
    [
        np.array([[0.2, 0.6], [0.4, 0.05]]),  # no foreground seed
        np.array([[0.2, 0.6], [0.8, 0.55]]),  # no background seed
        np.full((2, 2), 0.5),  # neither
    ],
)
def test_without_seeds_falls_back_to_threshold(prob: np.ndarray) -> None:
    features = np.random.default_rng(0).random((4, 2, 2))
    np.testing.assert_array_equal(GraphCutRefiner()(prob, features), prob > 0.5)


# clusters {0, 1, 2} and {3, 4, 5} are fully linked inside (K=2) and apart from each other; the cut is
# [T, T, T, F, F, F]; with theta=0.7 a cut label is kept only where its confidence exceeds 0.7:
#   node 1: lesion, conf .8 -> kept; node 2: lesion, conf .6 -> prob .4 > .5 = F;
#   node 3: background, 1 - .5 -> prob .6 > .5 = T; node 4: background, 1 - .2 = .8 -> kept; 0 and 5: seeds.
# With the confidence contradicting the cut everywhere, every free node falls back to prob > 0.5.
GATING_PROB = np.array([[0.9, 0.4, 0.4, 0.6, 0.45, 0.05]])
GATING_FEATURES = _chain_features([0.0, 0.1, 0.2, 10.0, 10.1, 10.2])


@pytest.mark.parametrize(
    "confidence, expected",
    [
        [None, [True, True, True, False, False, False]],
        [np.array([[0.95, 0.8, 0.6, 0.5, 0.2, 0.02]]), [True, True, False, True, False, False]],
        [np.array([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]), [True, False, False, True, False, False]],
    ],
)
def test_confidence_gating_by_hand(confidence: np.ndarray | None, expected: list[bool]) -> None:
    refiner = GraphCutRefiner(num_neighbors=2, theta=0.7)
    assert refiner(GATING_PROB, GATING_FEATURES, confidence)[0].tolist() == expected


@pytest.mark.parametrize("num_channels, k", [[4, 3], [40, 3], [2, 1], [40, 19]])  # k-d tree and dense search
def test_knn_edges_match_a_loop(num_channels: int, k: int) -> None:
    nodes = np.random.default_rng(3).random((20, num_channels)).astype(np.float32)
    expected = set()
    for i in range(len(nodes)):
        distances = [(float(((nodes[i] - nodes[j]) ** 2).sum()), j) for j in range(len(nodes)) if j != i]
        for _, j in sorted(distances)[:k]:
            expected.add((min(i, j), max(i, j)))
    batch = torch.from_numpy(nodes.T.copy()).reshape(1, num_channels, 20, 1)  # 20 pixels of one image
    for neighbors in (_nearest_neighbors(nodes, k), batch_nearest_neighbors(batch, k)[0].numpy()):
        first, second = _undirected_edges(neighbors)
        assert set(zip(first.tolist(), second.tolist())) == expected
        assert len(first) == len(expected)  # each undirected pair once


def test_refine_batch_matches_single_calls() -> None:
    rng = np.random.default_rng(4)
    probs = torch.from_numpy(rng.random((3, 1, 6, 7)).astype(np.float32))
    features = torch.from_numpy(rng.random((3, 5, 6, 7)).astype(np.float32))
    confidences = torch.from_numpy(rng.random((3, 1, 6, 7)).astype(np.float32))
    refiner = GraphCutRefiner(num_neighbors=4)
    masks = refiner.refine_batch(probs, features, confidences)
    assert masks.shape == (3, 1, 6, 7) and masks.dtype == torch.bool
    for b in range(3):
        single = refiner(probs[b, 0].numpy(), features[b].numpy(), confidences[b, 0].numpy())
        np.testing.assert_array_equal(masks[b, 0].numpy(), single)


def test_seeds_keep_their_labels_and_inputs_are_not_modified() -> None:
    rng = np.random.default_rng(5)
    prob = rng.random((8, 8))
    features = rng.random((3, 8, 8)).astype(np.float32)
    prob_copy, features_copy = prob.copy(), features.copy()
    result = GraphCutRefiner(fg_threshold=0.8, bg_threshold=0.2, num_neighbors=5)(prob, features)
    assert result[prob > 0.8].all() and not result[prob < 0.2].any()
    np.testing.assert_array_equal(prob, prob_copy)
    np.testing.assert_array_equal(features, features_copy)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fg_threshold": 0.1, "bg_threshold": 0.7},
        {"fg_threshold": 0.5, "bg_threshold": 0.5},
        {"fg_threshold": 1.2},
        {"bg_threshold": -0.1},
        {"num_neighbors": 0},
        {"num_neighbors": 2.5},
        {"theta": 1.5},
        {"theta": -0.1},
        {"seed_capacity": 0.0},
        {"eps": 0.0},
    ],
)
def test_ill_options(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        GraphCutRefiner(**kwargs)


@pytest.mark.parametrize(
    "prob, features, confidence",
    [
        [np.zeros((2, 2, 1)), np.zeros((1, 2, 2)), None],  # prob not 2-D
        [np.zeros((2, 2)), np.zeros((1, 3, 2)), None],  # grid mismatch
        [np.full((2, 2), 1.5), np.zeros((1, 2, 2)), None],  # prob out of range
        [np.full((2, 2), np.nan), np.zeros((1, 2, 2)), None],
        [np.zeros((2, 2)), np.zeros((1, 2, 2)), np.zeros((2, 3))],  # confidence shape
        [np.zeros((2, 2)), np.zeros((1, 2, 2)), np.full((2, 2), -1.0)],  # confidence range
    ],
)
def test_ill_inputs(prob: np.ndarray, features: np.ndarray, confidence: np.ndarray | None) -> None:
    with pytest.raises(ValueError):
        GraphCutRefiner()(prob, features, confidence)


@pytest.mark.parametrize(
    "probs_shape, features_shape, confidences_shape",
    [
        [(2, 2, 4, 4), (2, 1, 4, 4), None],  # two channels
        [(2, 1, 4, 4), (3, 1, 4, 4), None],  # batch mismatch
        [(2, 1, 4, 4), (2, 1, 4, 4), (2, 1, 4, 5)],  # confidences shape
    ],
)
def test_ill_batch_inputs(probs_shape: tuple, features_shape: tuple, confidences_shape: tuple | None) -> None:
    confidences = None if confidences_shape is None else torch.zeros(confidences_shape)
    with pytest.raises(ValueError):
        GraphCutRefiner().refine_batch(torch.zeros(probs_shape), torch.zeros(features_shape), confidences)


@pytest.mark.parametrize("channels", [3, 40])  # a k-d tree below 17 channels per image, a dense search above
def test_the_batch_knn_finds_each_images_own_nearest_pixels(channels):
    features = torch.rand(3, channels, 6, 7, generator=torch.Generator().manual_seed(channels))
    neighbors = batch_nearest_neighbors(features, k=4)
    assert neighbors.shape == (3, 42, 4)
    for image, found in zip(features, neighbors):
        nodes = image.flatten(1).T.numpy()
        np.testing.assert_array_equal(found.numpy(), _nearest_neighbors(nodes, 4))


def test_a_cut_on_given_neighbours_equals_the_cut_that_searches_them():
    rng = np.random.default_rng(0)
    prob, features = rng.uniform(0.2, 0.8, (6, 6)), rng.normal(size=(20, 6, 6)).astype(np.float32)
    fg, bg = np.zeros((6, 6), bool), np.zeros((6, 6), bool)
    fg[1, 1], bg[5, 5] = True, True
    refiner = GraphCutRefiner(num_neighbors=5)
    neighbors = batch_nearest_neighbors(torch.from_numpy(features)[None], k=5)[0].numpy()
    np.testing.assert_array_equal(refiner.cut(prob, features, fg, bg, neighbors), refiner.cut(prob, features, fg, bg))
    with pytest.raises(ValueError, match="neighbors must be"):
        refiner.cut(prob, features, fg, bg, neighbors[:10])
    with pytest.raises(ValueError, match="k must be"):
        batch_nearest_neighbors(torch.from_numpy(features)[None], k=36)
