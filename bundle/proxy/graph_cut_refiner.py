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

"""Deep graph cut (DGCN) refinement of a binary lesion map: grow confident seeds over a KNN graph of features."""

from __future__ import annotations

import logging

import maxflow
import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors

__all__ = ["GraphCutRefiner", "batch_nearest_neighbors"]

logger = logging.getLogger(__name__)

# up to this many feature channels, neighbours are searched with a k-d tree instead of a dense distance matrix
_TREE_SEARCH_MAX_DIMS = 16


class GraphCutRefiner:
    """Refine a lesion probability map by a min cut on a K-nearest-neighbour graph of pixel features.

    Following Feng et al., "Deep graph cut network for weakly-supervised semantic segmentation" (code: hustvl/DGCN):

    - seeds: foreground where ``prob > fg_threshold``, background where ``prob < bg_threshold``;
    - n-links: each pixel is linked to its K nearest pixels in feature space (squared Euclidean, self excluded),
      the union symmetrised, every edge of capacity 1 (similarity decides the topology, not the weight);
    - t-links: the lesion class is the SINK terminal, as in DGCN where seeds of class c get
      (source, sink) = (0, seed_capacity) and seeds of the other class (seed_capacity, 0). PyMaxflow cuts the
      source edge of a node that ends in the sink segment, so ``sink`` capacity is what a node pays to be background
      and ``source`` capacity what it pays to be lesion. Unlabelled pixels get (-log10 p, -log10(1 - p)): a high p
      makes the lesion label cheap. ``get_grid_segments`` then returns True for lesion.
    - gating (when ``confidence`` is given): a cut label c is kept only where the confidence of c exceeds ``theta``
      (lesion: ``confidence``, background: ``1 - confidence``); elsewhere the pixel falls back to ``prob > 0.5``.
      Seeds always keep their label.

    Without any foreground seed or any background seed there is nothing to cut between, and the result is the plain
    threshold ``prob > 0.5``.

    Args:
        fg_threshold: probability above which a pixel is a foreground seed.
        bg_threshold: probability below which a pixel is a background seed.
        num_neighbors: K, neighbours per pixel in the graph (capped at the number of pixels minus one).
        theta: confidence a cut label needs to be accepted (gating).
        seed_capacity: t-link capacity tying a seed to its terminal.
        eps: probability clip for the log unaries.

    Example::

        refiner = GraphCutRefiner()
        mask = refiner(prob, features)  # prob (h, w) in [0, 1], features (C, h, w) -> bool (h, w)
    """

    def __init__(
        self,
        fg_threshold: float = 0.7,
        bg_threshold: float = 0.1,
        num_neighbors: int = 9,
        theta: float = 0.7,
        seed_capacity: float = 10.0,
        eps: float = 1e-6,
    ) -> None:
        if not 0.0 <= bg_threshold < fg_threshold <= 1.0:
            raise ValueError(
                f"thresholds must satisfy 0 <= bg_threshold < fg_threshold <= 1, got bg_threshold={bg_threshold}, "
                f"fg_threshold={fg_threshold}."
            )
        if isinstance(num_neighbors, bool) or not isinstance(num_neighbors, int) or num_neighbors < 1:
            raise ValueError(f"num_neighbors must be an int >= 1, got {num_neighbors!r}.")
        if not 0.0 <= theta <= 1.0:
            raise ValueError(f"theta must be in [0, 1], got {theta}.")
        if not seed_capacity > 0:
            raise ValueError(f"seed_capacity must be positive, got {seed_capacity}.")
        if not 0.0 < eps < 0.5:
            raise ValueError(f"eps must be in (0, 0.5), got {eps}.")
        self.fg_threshold = fg_threshold
        self.bg_threshold = bg_threshold
        self.num_neighbors = num_neighbors
        self.theta = theta
        self.seed_capacity = seed_capacity
        self.eps = eps

    def __call__(self, prob: np.ndarray, features: np.ndarray, confidence: np.ndarray | None = None) -> np.ndarray:
        """Refine one map.

        Args:
            prob: (h, w) lesion probability in [0, 1].
            features: (C, h, w) node features on the same grid.
            confidence: optional (h, w) lesion probability in [0, 1] used for the theta gating.

        Returns:
            (h, w) bool lesion mask.
        """
        prob, features, confidence = self._checked(prob, features, confidence)
        fg_seeds = prob > self.fg_threshold
        bg_seeds = prob < self.bg_threshold
        cut = self._seeded_cut(prob, features, fg_seeds, bg_seeds)
        if confidence is not None:
            accepted = np.where(cut, confidence > self.theta, 1.0 - confidence > self.theta)
            cut = np.where(accepted, cut, prob > 0.5)
        return (cut | fg_seeds) & ~bg_seeds

    def cut(
        self,
        prob: np.ndarray,
        features: np.ndarray,
        fg_seeds: np.ndarray,
        bg_seeds: np.ndarray,
        neighbors: np.ndarray | None = None,
    ) -> np.ndarray:
        """The min cut between given seeds, unlabelled pixels weighed by ``prob`` (no thresholds, no gating).

        Args:
            prob: (h, w) lesion probability in [0, 1] (the t-links of unlabelled pixels).
            features: (C, h, w) node features on the same grid.
            fg_seeds: (h, w) bool, pixels tied to the lesion terminal.
            bg_seeds: (h, w) bool, pixels tied to the background terminal (a pixel in both is background).
            neighbors: optional (h * w, k) indices of each pixel's nearest pixels in feature space, e.g. a row of
                :py:func:`batch_nearest_neighbors`; None: searched here.

        Returns:
            (h, w) bool lesion mask, seeds with their own label; ``prob > 0.5`` without seeds of both kinds.
        """
        prob, features, _ = self._checked(prob, features, None)
        fg_seeds, bg_seeds = np.asarray(fg_seeds, dtype=bool), np.asarray(bg_seeds, dtype=bool)
        if fg_seeds.shape != prob.shape or bg_seeds.shape != prob.shape:
            raise ValueError(f"seeds must have the shape of prob {prob.shape}, got {fg_seeds.shape}, {bg_seeds.shape}.")
        if neighbors is not None and (neighbors.ndim != 2 or neighbors.shape[0] != prob.size):
            raise ValueError(f"neighbors must be ({prob.size}, k), got shape {neighbors.shape}.")
        fg_seeds = fg_seeds & ~bg_seeds
        return (self._seeded_cut(prob, features, fg_seeds, bg_seeds, neighbors) | fg_seeds) & ~bg_seeds

    def _seeded_cut(
        self,
        prob: np.ndarray,
        features: np.ndarray,
        fg_seeds: np.ndarray,
        bg_seeds: np.ndarray,
        neighbors: np.ndarray | None = None,
    ) -> np.ndarray:
        if not fg_seeds.any() or not bg_seeds.any():
            missing = "foreground" if not fg_seeds.any() else "background"
            logger.debug("no %s seeds: falling back to prob > 0.5", missing)
            return prob > 0.5
        if neighbors is None:
            neighbors = _nearest_neighbors(features.reshape(features.shape[0], -1).T, self._k(prob.size))
        return self._min_cut(prob, neighbors, fg_seeds, bg_seeds)

    def refine_batch(
        self, probs: torch.Tensor, features: torch.Tensor, confidences: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Refine a batch of maps.

        Args:
            probs: (B, 1, h, w) lesion probabilities.
            features: (B, C, h, w) node features.
            confidences: optional (B, 1, h, w) lesion probabilities for the gating.

        Returns:
            (B, 1, h, w) bool masks on the device of ``probs``.
        """
        if probs.ndim != 4 or probs.shape[1] != 1:
            raise ValueError(f"probs must be (B, 1, h, w), got shape {tuple(probs.shape)}.")
        if features.ndim != 4 or features.shape[0] != probs.shape[0]:
            raise ValueError(f"features must be (B, C, h, w) with B={probs.shape[0]}, got {tuple(features.shape)}.")
        if confidences is not None and confidences.shape != probs.shape:
            raise ValueError(
                f"confidences must have the shape of probs {tuple(probs.shape)}, got {tuple(confidences.shape)}."
            )
        prob_np = probs.detach().float().cpu().numpy()
        feat_np = features.detach().float().cpu().numpy()
        conf_np = None if confidences is None else confidences.detach().float().cpu().numpy()
        masks = [
            self(prob_np[b, 0], feat_np[b], None if conf_np is None else conf_np[b, 0]) for b in range(len(prob_np))
        ]
        return torch.from_numpy(np.stack(masks)[:, None]).to(probs.device)

    def _checked(
        self, prob: np.ndarray, features: np.ndarray, confidence: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        prob = np.asarray(prob, dtype=np.float64)
        features = np.asarray(features, dtype=np.float32)
        if prob.ndim != 2:
            raise ValueError(f"prob must be (h, w), got shape {prob.shape}.")
        if features.ndim != 3 or features.shape[1:] != prob.shape:
            raise ValueError(f"features must be (C, h, w) with (h, w)={prob.shape}, got shape {features.shape}.")
        _check_probability("prob", prob)
        if confidence is not None:
            confidence = np.asarray(confidence, dtype=np.float64)
            if confidence.shape != prob.shape:
                raise ValueError(f"confidence must have the shape of prob {prob.shape}, got {confidence.shape}.")
            _check_probability("confidence", confidence)
        return prob, features, confidence

    def _min_cut(
        self, prob: np.ndarray, neighbors: np.ndarray, fg_seeds: np.ndarray, bg_seeds: np.ndarray
    ) -> np.ndarray:
        source_caps, sink_caps = self._terminal_capacities(prob, fg_seeds, bg_seeds)
        first, second = _undirected_edges(neighbors)
        graph = maxflow.Graph[float](prob.size, first.size)
        node_ids = graph.add_grid_nodes(prob.shape)
        ones = np.ones(first.size, dtype=np.float64)
        graph.add_edges(first, second, ones, ones)
        graph.add_grid_tedges(node_ids, source_caps, sink_caps)
        graph.maxflow()
        return graph.get_grid_segments(node_ids)  # True = sink segment = lesion

    def _terminal_capacities(
        self, prob: np.ndarray, fg_seeds: np.ndarray, bg_seeds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        clipped = np.clip(prob, self.eps, 1.0 - self.eps)
        source_caps = -np.log10(clipped)  # paid when the node ends up lesion
        sink_caps = -np.log10(1.0 - clipped)  # paid when the node ends up background
        source_caps[fg_seeds], sink_caps[fg_seeds] = 0.0, self.seed_capacity
        source_caps[bg_seeds], sink_caps[bg_seeds] = self.seed_capacity, 0.0
        return source_caps, sink_caps

    def _k(self, num_nodes: int) -> int:
        """K, capped at the number of other nodes."""
        return min(self.num_neighbors, num_nodes - 1)


def batch_nearest_neighbors(features: torch.Tensor, k: int) -> torch.Tensor:
    """The ``k`` nearest other pixels of every pixel of a batch of feature maps, in one batched matrix product.

    Args:
        features: (B, C, h, w) node features.
        k: neighbours per pixel, at most h * w - 1.

    Returns:
        (B, h * w, k) indices, row-major over (h, w), nearest first (squared Euclidean distance, self excluded).
    """
    points = features.detach().float().flatten(2).transpose(1, 2)  # (B, N, C)
    if not 1 <= k < points.shape[1]:
        raise ValueError(f"k must be in [1, {points.shape[1] - 1}], got {k}.")
    squared_norms = points.pow(2).sum(dim=2)
    distances = torch.baddbmm(squared_norms[:, :, None], points, points.transpose(1, 2), alpha=-2.0)
    distances = distances + squared_norms[:, None, :]
    distances.diagonal(dim1=1, dim2=2).fill_(float("inf"))
    return distances.topk(k, dim=2, largest=False).indices


def _undirected_edges(neighbors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges (i < j, each pair once) of the (N, k) neighbour lists."""
    num_nodes, k = neighbors.shape
    rows, cols = np.repeat(np.arange(num_nodes), k), neighbors.reshape(-1)
    pair_codes = np.unique(np.minimum(rows, cols) * num_nodes + np.maximum(rows, cols))
    return (pair_codes // num_nodes).astype(np.int32), (pair_codes % num_nodes).astype(np.int32)


def _nearest_neighbors(nodes: np.ndarray, k: int) -> np.ndarray:
    """(N, k) indices of the k nearest other nodes of the (N, C) ``nodes`` in Euclidean distance."""
    if nodes.shape[1] <= _TREE_SEARCH_MAX_DIMS:
        # a k-d tree is ~10x faster than the dense matrix on low-dimensional (e.g. colour) features
        return NearestNeighbors(n_neighbors=k).fit(nodes).kneighbors(return_distance=False)
    points = torch.from_numpy(np.ascontiguousarray(nodes))
    squared_norms = points.pow(2).sum(dim=1)
    # |a - b|^2 = |a|^2 - 2 a.b + |b|^2 as one matrix product: cheaper than cdist, same ranking
    distances = torch.addmm(squared_norms[:, None], points, points.T, alpha=-2.0).add_(squared_norms[None])
    distances.fill_diagonal_(float("inf"))
    return distances.topk(k, dim=1, largest=False).indices.numpy()


def _check_probability(name: str, values: np.ndarray) -> None:
    if not np.isfinite(values).all() or values.min() < 0.0 or values.max() > 1.0:
        raise ValueError(f"{name} must hold finite values in [0, 1], got range [{values.min()}, {values.max()}].")
