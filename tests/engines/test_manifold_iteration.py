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
"""Tests of the divide-and-conquer training step inside MONAI's SupervisedTrainer, with its handlers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from ignite.engine import Events
from monai.data import DataLoader
from monai.engines import SupervisedTrainer
from monai.handlers import StatsHandler, from_engine

from bundle.engines.autocast_inferer import AutocastInferer
from bundle.engines.manifold_iteration import ManifoldIteration
from bundle.handlers.finetune_switch import FinetuneSwitch
from bundle.handlers.recluster_handler import ReclusterHandler
from bundle.metric_learning.cluster_batch_loader import ClusterBatchLoader
from bundle.metric_learning.divide_and_conquer_loss import DivideAndConquerLoss
from tests.metric_learning.stand_in_network import StandInManifoldNet, make_labelled_images

NUM_LEARNERS = 2
MAX_EPOCHS = 4
FINETUNE_START = 3  # epochs 1-3 divide and conquer, epoch 4 fine-tunes


def _training(max_epochs: int = MAX_EPOCHS, **trainer_kwargs):
    """A fresh, seeded trainer with the re-cluster and fine-tune handlers, and a per-epoch record of its state."""
    torch.manual_seed(0)
    dataset = make_labelled_images(num_classes=4, per_class=8)
    labels = [item["label"] for item in dataset.data]
    network = StandInManifoldNet(num_learners=NUM_LEARNERS)
    loss = DivideAndConquerLoss(num_learners=NUM_LEARNERS)
    loader = ClusterBatchLoader(dataset, labels, batch_size=8, samples_per_class=2, seed=0)
    recluster = ReclusterHandler(loader, DataLoader(dataset, batch_size=16), num_clusters=NUM_LEARNERS, interval=2)
    finetune = FinetuneSwitch(FINETUNE_START, loader, loss)
    handlers = [recluster, finetune]
    if trainer_kwargs.get("decollate", True):  # the bundle's loss logging reads decollated output
        handlers.append(StatsHandler(output_transform=from_engine(["loss"], first=True)))
    trainer = SupervisedTrainer(
        device="cpu",
        max_epochs=max_epochs,
        train_data_loader=loader,
        network=network,
        optimizer=torch.optim.Adam(network.parameters(), lr=1e-2),
        loss_function=loss,
        iteration_update=ManifoldIteration(),
        train_handlers=handlers,
        **trainer_kwargs,
    )
    record = {"assignments": {}, "reclustered": {}, "learners": {}, "batches": [], "losses": []}

    @trainer.on(Events.EPOCH_STARTED)
    def _record_epoch(engine):  # registered after the handlers, so it sees their effect
        record["assignments"][engine.state.epoch] = loader.assignments
        record["reclustered"][engine.state.epoch] = recluster.state_dict()["last_epoch"]
        record["learners"][engine.state.epoch] = (network.num_learners, loss.num_learners)

    @trainer.on(Events.ITERATION_COMPLETED)
    def _record_iteration(engine):
        batch = engine.state.batch
        indices = [item["index"] for item in batch] if isinstance(batch, list) else batch["index"].tolist()
        clusters = [int(item["cluster"]) for item in batch] if isinstance(batch, list) else batch["cluster"].tolist()
        record["batches"].append((engine.state.epoch, clusters[0], indices))
        record["losses"].append(from_engine(["loss"], first=True)(engine.state.output))

    objects = {"network": network, "optimizer": trainer.optimizer, "loss": loss, "loader": loader}
    objects.update({"recluster": recluster, "finetune": finetune, "trainer": trainer})
    return trainer, objects, record


def test_trainer_runs_dcml_schedule():
    trainer, objects, record = _training()
    initial_fc_weight = objects["network"].fc.weight.detach().clone()
    trainer.run()
    assert trainer.state.epoch == MAX_EPOCHS
    assert len(record["batches"]) == MAX_EPOCHS * len(objects["loader"]) == 16
    assert all(math.isfinite(value) and value >= 0 for value in record["losses"])
    assert max(record["losses"]) > 0
    assert not torch.equal(objects["network"].fc.weight, initial_fc_weight)

    # Re-clustered at epochs 1 and 3; every sample in one of the two clusters, both used round-robin.
    assert record["reclustered"] == {1: 1, 2: 1, 3: 3, 4: 3}
    for epoch in (1, 2, 3):
        assert sorted(set(record["assignments"][epoch].tolist())) == [0, 1]
        assert [cluster for e, cluster, _ in record["batches"] if e == epoch] == [0, 1, 0, 1]
    # Fine-tune from epoch 4: one learner, one cluster.
    assert {epoch: record["learners"][epoch] for epoch in (3, 4)} == {3: (2, 2), 4: (1, 1)}
    assert not record["assignments"][4].any()
    assert [cluster for e, cluster, _ in record["batches"] if e == 4] == [0, 0, 0, 0]
    # Features were computed in eval mode and training mode restored.
    assert objects["network"].pooled_features_modes and not any(objects["network"].pooled_features_modes)
    assert objects["network"].training


def test_output_holds_detached_embedding_and_loss():
    trainer, _, _ = _training(max_epochs=1, decollate=False)
    trainer.run()
    output = trainer.state.output
    assert set(output) == {"image", "label", "pred", "loss"}
    assert output["pred"].shape == (8, 8) and not output["pred"].requires_grad
    assert output["loss"].ndim == 0 and not output["loss"].requires_grad


def test_resume_after_epoch_two_continues_identically(tmp_path):
    reference, objects, expected = _training()

    @reference.on(Events.EPOCH_COMPLETED(once=2))
    def _save(engine):
        state = {name: obj.state_dict() for name, obj in objects.items()}
        torch.save({**state, "rng": torch.get_rng_state()}, tmp_path / "checkpoint.pt")

    reference.run()

    resumed, fresh, record = _training()
    saved = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    for name, obj in fresh.items():
        obj.load_state_dict(saved[name])
    torch.set_rng_state(saved["rng"])
    resumed.run()

    for epoch in (3, 4):
        np.testing.assert_array_equal(record["assignments"][epoch], expected["assignments"][epoch])
        assert record["learners"][epoch] == expected["learners"][epoch]
    assert record["batches"] == [batch for batch in expected["batches"] if batch[0] > 2]
    for name, value in fresh["network"].state_dict().items():
        torch.testing.assert_close(value, objects["network"].state_dict()[name])


def test_batch_mixing_clusters_is_refused():
    trainer, _, _ = _training(max_epochs=1)
    batch = next(iter(trainer.data_loader))
    batch["cluster"][0] = 1 - batch["cluster"][0]
    trainer.state.device = torch.device("cpu")
    with pytest.raises(ValueError, match="one cluster"):
        ManifoldIteration()(trainer, batch)


def test_cluster_without_learner_is_refused():
    trainer, objects, _ = _training(max_epochs=1)
    objects["network"].num_learners = 1
    batch = next(iter(trainer.data_loader))
    batch["cluster"][:] = 1
    with pytest.raises(ValueError, match="no learner"):
        ManifoldIteration()(trainer, batch)


@pytest.mark.parametrize("trainer_kwargs", [{"accumulation_steps": 2}, {"amp": True}])
def test_unsupported_trainer_options_are_refused(trainer_kwargs):
    trainer, _, _ = _training(max_epochs=1, **trainer_kwargs)
    with pytest.raises(ValueError):
        ManifoldIteration()(trainer, next(iter(trainer.data_loader)))


def test_the_forward_runs_through_the_trainers_inferer():
    trainer, objects, _ = _training(max_epochs=1, decollate=False, inferer=AutocastInferer("bfloat16"))
    dtypes = []
    objects["network"].fc.register_forward_hook(lambda module, args, output: dtypes.append(output.dtype))
    trainer.run()
    assert dtypes and set(dtypes) == {torch.bfloat16}
    assert trainer.state.output["pred"].dtype == torch.float32
    assert objects["network"].fc.weight.dtype == torch.float32
