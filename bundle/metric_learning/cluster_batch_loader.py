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
"""Class-balanced batches drawn round-robin from the clusters of divide-and-conquer metric learning."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import ignite.distributed as idist
import numpy as np
import torch
from monai.data import list_data_collate
from monai.data.utils import worker_init_fn
from pytorch_metric_learning.samplers import MPerClassSampler
from pytorch_metric_learning.utils import common_functions
from torch.utils.data import DataLoader, Dataset

logger = logging.getLogger(__name__)

CLUSTER_KEY = "cluster"
"""Batch key of the (B,) LongTensor holding the cluster id, i.e. the learner the batch trains."""


@contextmanager
def _pml_random_state(rng: np.random.RandomState) -> Iterator[None]:
    """Make pytorch-metric-learning's samplers draw from ``rng`` instead of NumPy's global state."""
    # MPerClassSampler takes no generator; this module attribute is its only source of randomness.
    saved = common_functions.NUMPY_RANDOM
    common_functions.NUMPY_RANDOM = rng
    try:
        yield
    finally:
        common_functions.NUMPY_RANDOM = saved


class ClusterBatchLoader:
    """Iterate class-balanced batches, taking them round-robin from each cluster of the data.

    Every cluster has its own stream of batches drawn by pytorch-metric-learning's ``MPerClassSampler``
    (``samples_per_class`` samples of each of ``batch_size // samples_per_class`` classes), restarted when
    exhausted. Batch ``i`` of an epoch comes from the ``i % C``-th non-empty cluster, so all clusters (learners)
    train equally often. An epoch has ``ceil(N / batch_size)`` batches whatever the clustering, because Ignite
    reads the length once as ``epoch_length``.

    Fallbacks, so that any clustering works:
        - a cluster with fewer than ``batch_size // samples_per_class`` classes takes more samples per class:
          the smallest divisor ``m`` of ``batch_size`` with ``m >= samples_per_class`` and
          ``m * classes >= batch_size`` (a single-class cluster yields single-class batches, on which the
          margin loss is zero);
        - a class with fewer than ``m`` samples is sampled with replacement (``MPerClassSampler`` does this).

    The batches of an epoch are fixed by ``seed``, the number of epochs iterated so far and the assignments:
    ``state_dict``/``load_state_dict`` carry the last two so a resumed run continues with the same batches.

    With ``num_replicas`` processes (``torchrun``), every process draws the same schedule, ``num_replicas`` batches
    of the step's cluster per step, and keeps the ``rank``-th: each process trains on a whole class-balanced batch
    (``samples_per_class`` per class), the step's global batch is ``num_replicas * batch_size`` from one cluster,
    and an epoch still covers the data about once (``ceil(N / (num_replicas * batch_size))`` steps). Every process
    must hold the same assignments (``bundle.handlers.ReclusterHandler`` broadcasts them).

    One ``DataLoader`` serves every epoch, its batch sampler refilled each epoch. Its workers persist across epochs
    (started once, not every epoch) and MONAI's ``worker_init_fn`` seeds their random transforms: without it, a
    fresh loader per epoch forked workers holding the same transform random state every time, so that every
    epoch drew the same sequence of augmentations. (``monai.data.DataLoader`` would seed them too, but without
    workers it resets PyTorch's global random state, which the miner draws from, when it is built.)

    Args:
        dataset: map-style dataset of N dictionaries (e.g. ``{"image", "label"}``).
        labels: N integer class labels, in the order of ``dataset``.
        batch_size: samples per batch.
        samples_per_class: samples of each class in a batch; must divide ``batch_size``.
        num_workers: DataLoader worker processes, kept alive across epochs.
        collate_fn: merges a list of samples into a batch dictionary.
        seed: seed of the batch order.
        num_replicas: processes sharing the schedule; None: the process group's size (1 without one).
        rank: this process's index among them; None: its rank in the process group (0 without one).
    """

    def __init__(
        self,
        dataset: Dataset,
        labels: Sequence[int],
        batch_size: int = 32,
        samples_per_class: int = 8,
        num_workers: int = 0,
        collate_fn: Callable = list_data_collate,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
    ) -> None:
        num_replicas = idist.get_world_size() if num_replicas is None else num_replicas
        rank = idist.get_rank() if rank is None else rank
        if num_replicas < 1 or not 0 <= rank < num_replicas:
            raise ValueError(f"rank must be in [0, num_replicas) with num_replicas >= 1, got {rank} of {num_replicas}.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        if samples_per_class < 1 or batch_size % samples_per_class:
            raise ValueError(
                f"samples_per_class must be >= 1 and divide batch_size={batch_size}, got {samples_per_class}."
            )
        if num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, got {num_workers}.")
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}.")
        labels_array = np.asarray(labels)
        num_samples = len(dataset)  # type: ignore[arg-type]
        if labels_array.ndim != 1 or len(labels_array) != num_samples or num_samples == 0:
            raise ValueError(
                f"labels must hold one class per sample of the non-empty dataset ({num_samples}),"
                f" got shape {labels_array.shape}."
            )
        if not np.issubdtype(labels_array.dtype, np.integer):
            raise ValueError(f"labels must be integers, got dtype {labels_array.dtype}.")
        self.dataset = dataset
        self.labels = labels_array.astype(np.int64)
        self.batch_size = batch_size
        self.samples_per_class = samples_per_class
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self._assignments = np.zeros(len(self.labels), dtype=np.int64)
        self._epoch = 0
        self._batches: list[list[int]] = []  # this epoch's batches; the loader's batch sampler reads them
        self._loader: DataLoader | None = None

    @property
    def assignments(self) -> np.ndarray:
        """(N,) cluster id of every sample (a copy)."""
        return self._assignments.copy()

    @property
    def num_clusters(self) -> int:
        """Number of non-empty clusters batches are drawn from."""
        return len(np.unique(self._assignments))

    def set_assignments(self, assignments: Sequence[int] | np.ndarray | torch.Tensor) -> None:
        """Use ``assignments`` ((N,) non-negative cluster ids) from the next epoch on."""
        array = np.asarray(assignments)
        if array.shape != self._assignments.shape:
            raise ValueError(f"assignments must have shape {self._assignments.shape}, got {array.shape}.")
        if not np.issubdtype(array.dtype, np.integer) or array.min() < 0:
            raise ValueError(f"assignments must be non-negative integers, got dtype {array.dtype}, min {array.min()}.")
        self._assignments = array.astype(np.int64)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / (self.batch_size * self.num_replicas))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # A generator: the schedule is drawn at the first batch, i.e. after EPOCH_STARTED handlers re-clustered.
        self._epoch += 1
        schedule = self._epoch_schedule(np.random.RandomState([self.seed, self._epoch]))
        # In place: the loader's sampler is iterated in this process at the start of each epoch.
        self._batches[:] = [indices for _, indices in schedule]
        for (cluster, indices), batch in zip(schedule, self._get_loader()):
            batch[CLUSTER_KEY] = torch.full((len(indices),), cluster, dtype=torch.long)
            yield batch

    def _get_loader(self) -> DataLoader:
        """The loader of every epoch, built at the first; it yields the batches of ``self._batches``."""
        if self._loader is None:
            self._loader = DataLoader(
                self.dataset,
                batch_sampler=self._batches,
                num_workers=self.num_workers,
                collate_fn=self.collate_fn,
                worker_init_fn=worker_init_fn,
                persistent_workers=self.num_workers > 0,
            )
        return self._loader

    def _epoch_schedule(self, rng: np.random.RandomState) -> list[tuple[int, list[int]]]:
        """Return this rank's ``len(self)`` (cluster id, dataset indices) pairs, clusters taken in turn."""
        cluster_ids = np.unique(self._assignments)
        streams = [self._cluster_batches(int(cluster), rng) for cluster in cluster_ids]
        schedule = []
        for step in range(len(self)):
            turn = step % len(cluster_ids)
            replicas = [next(streams[turn]) for _ in range(self.num_replicas)]
            schedule.append((int(cluster_ids[turn]), replicas[self.rank]))
        return schedule

    def _cluster_batches(self, cluster: int, rng: np.random.RandomState) -> Iterator[list[int]]:
        """Endless class-balanced batches of dataset indices from one cluster."""
        members = np.flatnonzero(self._assignments == cluster)
        member_labels = self.labels[members]
        per_class = self._samples_per_class_for(len(np.unique(member_labels)))
        passes = max(1, math.ceil(len(members) / self.batch_size))
        sampler = MPerClassSampler(
            member_labels, per_class, batch_size=self.batch_size, length_before_new_iter=passes * self.batch_size
        )
        while True:
            with _pml_random_state(rng):
                order = np.fromiter(iter(sampler), dtype=np.int64)
            for start in range(0, len(order), self.batch_size):
                yield members[order[start : start + self.batch_size]].tolist()

    def _samples_per_class_for(self, num_classes: int) -> int:
        """Smallest divisor of ``batch_size`` >= ``samples_per_class`` letting ``num_classes`` fill a batch."""
        for per_class in range(self.samples_per_class, self.batch_size + 1):
            if self.batch_size % per_class == 0 and per_class * num_classes >= self.batch_size:
                if per_class != self.samples_per_class:
                    logger.debug("cluster of %d classes: %d samples per class", num_classes, per_class)
                return per_class
        return self.batch_size  # unreachable: batch_size itself always qualifies

    def state_dict(self) -> dict[str, Any]:
        """Assignments and the number of epochs iterated: all that fixes the coming batches."""
        return {"assignments": torch.from_numpy(self._assignments.copy()), "epoch": self._epoch}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        assignments = state_dict["assignments"]
        if isinstance(assignments, torch.Tensor):
            assignments = assignments.numpy()
        self.set_assignments(assignments)
        self._epoch = int(state_dict["epoch"])
