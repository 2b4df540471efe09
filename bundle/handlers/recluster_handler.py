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
"""Re-cluster the training data on the network's current features every few epochs (DCML's divide step)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ignite.distributed as idist
import numpy as np
import torch
from ignite.engine import Engine, Events
from monai.networks.utils import eval_mode
from monai.utils import CommonKeys

from bundle.metric_learning import ClusterBatchLoader, kmeans_assign, match_cluster_ids
from bundle.utils import is_writer_rank, unwrap_module

logger = logging.getLogger(__name__)


class ReclusterHandler:
    """At the start of epochs 1, 1 + interval, 1 + 2 * interval, ...: k-means the data into learner clusters.

    Features are the network's ``pooled_features`` over ``feature_loader`` (eval mode, no gradients), which must
    visit the loader's dataset in its order. New cluster ids are matched to the previous ones so each learner
    keeps most of its samples, then handed to ``loader``. Under ``torchrun`` rank 0 clusters and matches, and
    broadcasts the ids: every process holds the same clusters. Nothing happens when ``num_clusters`` is 1, when
    ``enabled`` is False, or once the network trains a single learner (the fine-tune phase).

    Args:
        loader: the training batch loader receiving the assignments.
        feature_loader: non-shuffled iterable over the same dataset, yielding dictionaries with ``image_key``.
        num_clusters: number of clusters, equal to the network's number of learners.
        interval: re-cluster every this many epochs.
        seed: k-means seed.
        image_key: batch key of the images in ``feature_loader``.
    """

    def __init__(
        self,
        loader: ClusterBatchLoader,
        feature_loader: Iterable,
        num_clusters: int,
        interval: int = 2,
        seed: int = 0,
        image_key: str = CommonKeys.IMAGE,
    ) -> None:
        if num_clusters < 1:
            raise ValueError(f"num_clusters must be >= 1, got {num_clusters}.")
        if interval < 1:
            raise ValueError(f"interval must be >= 1, got {interval}.")
        self.loader = loader
        self.feature_loader = feature_loader
        self.num_clusters = num_clusters
        self.interval = interval
        self.seed = seed
        self.image_key = image_key
        self.enabled = True
        self._assignments: np.ndarray | None = None
        self._last_epoch = 0

    def attach(self, engine: Engine) -> None:
        if not engine.has_event_handler(self, Events.EPOCH_STARTED):
            engine.add_event_handler(Events.EPOCH_STARTED, self)

    def __call__(self, engine: Engine) -> None:
        epoch = engine.state.epoch
        if not self._is_due(epoch):
            return
        network = unwrap_module(engine.network)
        if network.num_learners == 1:
            return  # fine-tune phase: one learner trains on the whole data
        if network.num_learners != self.num_clusters:
            raise ValueError(
                f"num_clusters={self.num_clusters} differs from the network's {network.num_learners} learners."
            )
        assignments = self._broadcast(self._recluster(network, engine.state.device) if is_writer_rank() else None)
        self.loader.set_assignments(assignments)
        self._assignments = assignments
        self._last_epoch = epoch
        logger.info("epoch %d: cluster sizes %s", epoch, np.bincount(assignments, minlength=self.num_clusters).tolist())

    def _is_due(self, epoch: int) -> bool:
        return (
            self.enabled
            and self.num_clusters > 1
            and epoch != self._last_epoch
            and (epoch - 1) % self.interval == 0
        )

    def _recluster(self, network: torch.nn.Module, device: torch.device) -> np.ndarray:
        """(N,) new cluster ids, matched to the previous ones."""
        assignments = kmeans_assign(self._features(network, device), self.num_clusters, seed=self.seed)
        if self._assignments is not None:
            assignments = match_cluster_ids(self._assignments, assignments, self.num_clusters)
        return assignments

    def _broadcast(self, assignments: np.ndarray | None) -> np.ndarray:
        """Rank 0's assignments on every process (``assignments`` as it is without a process group)."""
        if idist.get_world_size() == 1:
            return assignments
        buffer = torch.empty(len(self.loader.labels), dtype=torch.long)
        if assignments is not None:
            buffer = torch.from_numpy(assignments)
        return idist.broadcast(buffer, src=0).numpy()

    def _features(self, network: torch.nn.Module, device: torch.device) -> np.ndarray:
        """(N, c) pooled features of the whole dataset, in ``feature_loader`` order."""
        chunks = []
        with eval_mode(network):
            for batch in self.feature_loader:
                chunks.append(network.pooled_features(batch[self.image_key].to(device)).cpu())
        features = torch.cat(chunks).numpy()
        expected = len(self.loader.labels)
        if len(features) != expected:
            raise ValueError(f"feature_loader gave {len(features)} samples, the training loader holds {expected}.")
        return features

    def state_dict(self) -> dict[str, Any]:
        """The last assignments (empty before the first clustering) and the epoch they were made at."""
        if self._assignments is None:
            return {"assignments": torch.empty(0, dtype=torch.long), "last_epoch": self._last_epoch}
        return {"assignments": torch.from_numpy(self._assignments.copy()), "last_epoch": self._last_epoch}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        assignments = torch.as_tensor(state_dict["assignments"]).numpy().astype(np.int64)
        self._assignments = assignments if assignments.size else None
        self._last_epoch = int(state_dict["last_epoch"])
