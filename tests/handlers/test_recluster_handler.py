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
"""Tests of the periodic re-clustering handler."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ignite.engine import Engine, Events
from monai.data import DataLoader

from bundle.handlers.recluster_handler import ReclusterHandler
from bundle.metric_learning.cluster_batch_loader import ClusterBatchLoader
from bundle.metric_learning.clustering import kmeans_assign
from tests.gloo import run_in_two_processes
from tests.metric_learning.stand_in_network import StandInManifoldNet, make_labelled_images


def _setup(num_clusters: int = 2, interval: int = 2, num_learners: int = 2, feature_batch: int = 8):
    torch.manual_seed(0)
    dataset = make_labelled_images(num_classes=4, per_class=4)
    labels = [item["label"] for item in dataset.data]
    loader = ClusterBatchLoader(dataset, labels, batch_size=4, samples_per_class=2)
    handler = ReclusterHandler(loader, DataLoader(dataset, batch_size=feature_batch), num_clusters, interval=interval)
    engine = Engine(lambda engine, batch: None)
    engine.network = StandInManifoldNet(num_learners=num_learners)
    engine.state.device = torch.device("cpu")
    handler.attach(engine)
    return engine, handler, loader, dataset


def _run_recording(engine: Engine, handler: ReclusterHandler, max_epochs: int) -> dict[int, int]:
    """Epoch of the latest clustering, as seen at the start of every epoch."""
    reclustered = {}

    @engine.on(Events.EPOCH_STARTED)
    def _record(engine):
        reclustered[engine.state.epoch] = handler.state_dict()["last_epoch"]

    engine.run([0], max_epochs=max_epochs)
    return reclustered


@pytest.mark.parametrize(
    "interval, expected", [(2, {1: 1, 2: 1, 3: 3, 4: 3, 5: 5}), (3, {1: 1, 2: 1, 3: 1, 4: 4, 5: 4})]
)
def test_reclusters_every_interval_epochs(interval, expected):
    engine, handler, _, _ = _setup(interval=interval)
    assert _run_recording(engine, handler, max_epochs=5) == expected


def test_assignments_are_kmeans_of_pooled_features_in_eval_mode():
    engine, handler, loader, dataset = _setup()
    network = engine.network
    network.train()
    engine.run([0], max_epochs=1)
    images = torch.stack([item["image"] for item in dataset.data])
    with torch.no_grad():
        expected = kmeans_assign(network.pooled_features(images).numpy(), 2, seed=0)
    np.testing.assert_array_equal(loader.assignments, expected)
    assert network.pooled_features_modes[:2] == [False, False]  # two feature batches, both in eval mode
    assert network.training


def test_new_ids_are_matched_to_previous_ones():
    engine, handler, loader, _ = _setup(interval=1)
    engine.run([0], max_epochs=1)
    first = loader.assignments
    # Unchanged weights give the same partition again; claimed earlier ids swapped, matching must swap them too.
    handler.load_state_dict({"assignments": torch.from_numpy(1 - first), "last_epoch": 1})
    engine.state.epoch = 2
    handler(engine)
    np.testing.assert_array_equal(loader.assignments, 1 - first)


@pytest.mark.parametrize("num_clusters, num_learners, enabled", [(1, 1, True), (2, 1, True), (2, 2, False)])
def test_no_reclustering_when_single_learner_or_disabled(num_clusters, num_learners, enabled):
    engine, handler, loader, _ = _setup(num_clusters=num_clusters, num_learners=num_learners)
    handler.enabled = enabled
    engine.run([0], max_epochs=1)
    assert not loader.assignments.any()
    assert not engine.network.pooled_features_modes


def test_state_dict_round_trip(tmp_path):
    engine, handler, _, _ = _setup()
    assert handler.state_dict()["assignments"].numel() == 0
    engine.run([0], max_epochs=2)
    torch.save(handler.state_dict(), tmp_path / "recluster.pt")

    _, fresh, _, _ = _setup()
    fresh.load_state_dict(torch.load(tmp_path / "recluster.pt", weights_only=True))
    assert fresh.state_dict()["last_epoch"] == 1
    torch.testing.assert_close(fresh.state_dict()["assignments"], handler.state_dict()["assignments"])


def test_mismatched_learners_are_refused():
    engine, _, _, _ = _setup(num_clusters=3, num_learners=2)
    with pytest.raises(ValueError, match="learners"):
        engine.run([0], max_epochs=1)


def test_feature_loader_over_other_data_is_refused():
    engine, handler, _, _ = _setup()
    handler.feature_loader = DataLoader(make_labelled_images(num_classes=4, per_class=3), batch_size=8)
    with pytest.raises(ValueError, match="feature_loader"):
        engine.run([0], max_epochs=1)


@pytest.mark.parametrize("kwargs", [{"num_clusters": 0}, {"num_clusters": 2, "interval": 0}])
def test_ill_options(kwargs):
    dataset = make_labelled_images(num_classes=2, per_class=2)
    loader = ClusterBatchLoader(dataset, [0, 1, 0, 1], batch_size=2, samples_per_class=1)
    with pytest.raises(ValueError):
        ReclusterHandler(loader, DataLoader(dataset), **kwargs)


def _cluster_with_own_network(rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank 1's network differs from rank 0's: (the assignments it trains with, those its own features give)."""
    engine, _, loader, dataset = _setup()
    if rank == 1:
        torch.manual_seed(1)
        engine.network = StandInManifoldNet(num_learners=2)
    engine.run([0], max_epochs=1)
    images = torch.stack([item["image"] for item in dataset.data])
    with torch.no_grad():
        own = kmeans_assign(engine.network.pooled_features(images).numpy(), 2, seed=0)
    return loader.assignments, own


def test_every_process_trains_with_rank_zeros_clusters(tmp_path):
    (zero, zero_own), (one, one_own) = run_in_two_processes(_cluster_with_own_network, tmp_path)
    np.testing.assert_array_equal(zero, zero_own)
    np.testing.assert_array_equal(one, zero)
    assert not np.array_equal(one_own, zero)  # rank 1 alone would have clustered otherwise
