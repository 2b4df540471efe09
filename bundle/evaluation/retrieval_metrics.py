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
"""Retrieval quality of an embedding: Recall@K and k-means NMI, plus the engine-output adapter their metrics use.

The Ignite metrics :class:`~bundle.evaluation.recall_at_k.RecallAtK` and
:class:`~bundle.evaluation.normalized_mutual_info.NormalizedMutualInfo` wrap these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from monai.utils import CommonKeys, convert_to_tensor
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score


def recall_at_k(embeddings: torch.Tensor, labels: torch.Tensor, k: int = 1, balanced: bool = False) -> float:
    """Fraction of samples with a same-class sample among their ``k`` nearest neighbours (itself excluded).

    Args:
        embeddings: (N, d) embeddings; distances are Euclidean.
        labels: (N,) class labels.
        k: neighbours considered, ``1 <= k < N``.
        balanced: the mean of the per-class fractions instead (at ``k=1``, the balanced accuracy of a leave-one-out
            1-nearest-neighbour classifier: a majority class cannot carry it).
    """
    embeddings, labels = _check_embeddings_and_labels(embeddings, labels)
    if not 1 <= k < len(embeddings):
        raise ValueError(f"k must be in [1, {len(embeddings)}) for {len(embeddings)} samples, got {k}.")
    distances = torch.cdist(embeddings.float(), embeddings.float())
    distances.fill_diagonal_(float("inf"))
    neighbours = distances.topk(k, dim=1, largest=False).indices
    hits = (labels[neighbours] == labels[:, None]).any(dim=1).double()
    if balanced:
        return torch.stack([hits[labels == label].mean() for label in labels.unique()]).mean().item()
    return hits.mean().item()


def normalized_mutual_info(embeddings: torch.Tensor, labels: torch.Tensor, seed: int = 0, n_init: int = 5) -> float:
    """NMI between the classes and a k-means clustering of the embeddings into as many clusters as classes.

    Args:
        embeddings: (N, d) embeddings.
        labels: (N,) class labels.
        seed: k-means random state.
        n_init: k-means restarts.
    """
    embeddings, labels = _check_embeddings_and_labels(embeddings, labels)
    label_array = labels.cpu().numpy()
    num_classes = len(np.unique(label_array))
    kmeans = KMeans(n_clusters=num_classes, n_init=n_init, random_state=seed)
    clusters = kmeans.fit_predict(embeddings.double().cpu().numpy())
    return float(normalized_mutual_info_score(label_array, clusters))


def embeddings_and_labels(output: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Default ``output_transform`` of the retrieval metrics: ``(embeddings (B, d), labels (B,))``.

    Reads ``pred`` and ``label`` of a MONAI engine's output, either one batch dictionary or the list of
    per-sample dictionaries left by decollation. A ``pred`` that is a tuple or list (e.g.
    ``(embedding, attention)``) contributes its first element.
    """
    if isinstance(output, Mapping):
        embeddings = _first_if_sequence(output[CommonKeys.PRED])
        labels = convert_to_tensor(output[CommonKeys.LABEL], track_meta=False).reshape(-1)
    else:
        embeddings = torch.stack([_first_if_sequence(item[CommonKeys.PRED]) for item in output])
        labels = torch.stack([_scalar_label(item[CommonKeys.LABEL]) for item in output])
    if labels.numel() != len(embeddings):
        raise ValueError(f"need one class id per embedding: {len(embeddings)} embeddings, {labels.numel()} labels.")
    return convert_to_tensor(embeddings, track_meta=False).detach(), labels


def _first_if_sequence(pred: Any) -> torch.Tensor:
    return convert_to_tensor(pred[0] if isinstance(pred, (tuple, list)) else pred, track_meta=False)


def _scalar_label(label: Any) -> torch.Tensor:
    label = convert_to_tensor(label, track_meta=False)
    if label.numel() != 1:
        raise ValueError(f"a sample's label must be one class id, got shape {tuple(label.shape)}.")
    return label.reshape(())


def _check_embeddings_and_labels(embeddings: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (N, d) embeddings and (N,) labels, restoring the feature axis Ignite squeezes when d == 1."""
    embeddings = embeddings[:, None] if embeddings.ndim == 1 else embeddings
    if embeddings.ndim != 2 or labels.shape != embeddings.shape[:1]:
        raise ValueError(
            f"need (N, d) embeddings and (N,) labels, got {tuple(embeddings.shape)} and {tuple(labels.shape)}."
        )
    if len(embeddings) < 2:
        raise ValueError(f"need at least 2 samples, got {len(embeddings)}.")
    return embeddings, labels
