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
"""Divide step of divide-and-conquer metric learning: split the data into clusters with stable ids.

The data is clustered by k-means on L2-normalised features; after each re-clustering the new cluster ids are
matched to the previous ones (Hungarian assignment on membership overlap) so that learner ``k`` keeps training on
roughly the same part of the embedding space (Sanakoyeu et al. 2019, CompVis/metric-learning-divide-and-conquer).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

logger = logging.getLogger(__name__)


def kmeans_assign(
    features: np.ndarray, num_clusters: int, seed: int = 0, n_init: int = 5, max_iter: int = 100
) -> np.ndarray:
    """Assign every row of ``features`` to one of ``num_clusters`` k-means clusters.

    Rows are L2-normalised first, so clusters follow directions (cosine geometry), as in DCML.
    When the data holds fewer distinct rows than ``num_clusters``, some clusters would necessarily be empty:
    the number of clusters is then clamped to the number of distinct rows and a warning is logged, so that
    every returned id names a non-empty cluster.

    Args:
        features: (N, D) array, N >= 1.
        num_clusters: requested number of clusters, >= 1.
        seed: random state of the k-means initialisation; equal seeds give equal assignments.
        n_init: number of k-means restarts; the best (lowest inertia) is kept.
        max_iter: Lloyd iterations per restart.

    Returns:
        (N,) int64 array of cluster ids in ``[0, min(num_clusters, distinct rows))``.
    """
    if num_clusters < 1:
        raise ValueError(f"num_clusters must be >= 1, got {num_clusters}.")
    if n_init < 1:
        raise ValueError(f"n_init must be >= 1, got {n_init}.")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}.")
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 1:
        raise ValueError(f"features must be a non-empty (N, D) array, got shape {features.shape}.")
    if not np.isfinite(features).all():
        raise ValueError("features contain NaN or infinite values.")

    unit_rows = normalize(features)
    num_distinct = len(np.unique(unit_rows, axis=0))
    if num_distinct < num_clusters:
        logger.warning(
            "only %d distinct feature rows for %d clusters: using %d clusters", num_distinct, num_clusters, num_distinct
        )
        num_clusters = num_distinct
    if num_clusters == 1:
        return np.zeros(len(unit_rows), dtype=np.int64)
    kmeans = KMeans(n_clusters=num_clusters, n_init=n_init, max_iter=max_iter, random_state=seed)
    return kmeans.fit_predict(unit_rows).astype(np.int64)


def match_cluster_ids(previous: np.ndarray, current: np.ndarray, num_clusters: int) -> np.ndarray:
    """Relabel ``current`` so that its cluster ids overlap ``previous`` as much as possible.

    The relabelling is the one-to-one map of ids maximising the total number of samples that keep their id
    (Hungarian assignment on the negative overlap matrix).

    Args:
        previous: (N,) ids of the former clustering, in ``[0, num_clusters)``.
        current: (N,) ids of the new clustering, in ``[0, num_clusters)``.
        num_clusters: number of possible ids.

    Returns:
        (N,) int64 array: ``current`` with its ids permuted.
    """
    if num_clusters < 1:
        raise ValueError(f"num_clusters must be >= 1, got {num_clusters}.")
    previous = np.asarray(previous)
    current = np.asarray(current)
    if previous.ndim != 1 or previous.shape != current.shape:
        raise ValueError(
            f"previous and current must be (N,) arrays of equal length, got {previous.shape} and {current.shape}."
        )
    for name, ids in (("previous", previous), ("current", current)):
        if ids.size and (ids.min() < 0 or ids.max() >= num_clusters):
            raise ValueError(f"{name} holds ids outside [0, {num_clusters}): min {ids.min()}, max {ids.max()}.")

    overlap = np.zeros((num_clusters, num_clusters), dtype=np.int64)
    np.add.at(overlap, (current, previous), 1)
    current_ids, previous_ids = linear_sum_assignment(-overlap)
    relabel = np.empty(num_clusters, dtype=np.int64)
    relabel[current_ids] = previous_ids
    return relabel[current]
