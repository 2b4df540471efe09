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
"""Tests of the switch to single-learner fine-tuning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ignite.engine import Engine, Events

from bundle.handlers.finetune_switch import FinetuneSwitch
from bundle.metric_learning.cluster_batch_loader import ClusterBatchLoader
from bundle.metric_learning.divide_and_conquer_loss import DivideAndConquerLoss
from tests.metric_learning.stand_in_network import StandInManifoldNet, make_labelled_images

NUM_LEARNERS = 4


def _setup(start_epoch: int):
    dataset = make_labelled_images(num_classes=4, per_class=2)
    loader = ClusterBatchLoader(dataset, [item["label"] for item in dataset.data], batch_size=4, samples_per_class=2)
    loader.set_assignments(np.arange(8) % NUM_LEARNERS)
    loss = DivideAndConquerLoss(num_learners=NUM_LEARNERS)
    switch = FinetuneSwitch(start_epoch, loader, loss)
    engine = Engine(lambda engine, batch: None)
    engine.network = StandInManifoldNet(num_learners=NUM_LEARNERS)
    switch.attach(engine)
    return engine, switch, loader, loss


def _learners_per_epoch(engine: Engine, loader: ClusterBatchLoader, loss: DivideAndConquerLoss, max_epochs: int):
    seen = {}

    @engine.on(Events.EPOCH_STARTED)
    def _record(engine):
        seen[engine.state.epoch] = (engine.network.num_learners, loss.num_learners, loader.num_clusters)

    engine.run([0], max_epochs=max_epochs)
    return seen


@pytest.mark.parametrize(
    "start_epoch, expected",
    [
        (2, {1: (4, 4, 4), 2: (4, 4, 4), 3: (1, 1, 1), 4: (1, 1, 1)}),
        (0, {1: (1, 1, 1), 2: (1, 1, 1), 3: (1, 1, 1), 4: (1, 1, 1)}),
        (4, {1: (4, 4, 4), 2: (4, 4, 4), 3: (4, 4, 4), 4: (4, 4, 4)}),
    ],
)
def test_switches_after_start_epoch(start_epoch, expected):
    engine, _, loader, loss = _setup(start_epoch)
    assert _learners_per_epoch(engine, loader, loss, max_epochs=4) == expected
    if start_epoch < 4:
        assert not loader.assignments.any()


def test_idempotent_and_reapplied_on_resume():
    engine, switch, loader, loss = _setup(start_epoch=2)
    engine.state.epoch = 3
    switch(engine)
    switch(engine)
    assert (engine.network.num_learners, loss.num_learners, loader.num_clusters) == (1, 1, 1)

    # A fresh process resumed at epoch 3 starts with K learners again: the switch must apply anew.
    fresh_engine, fresh_switch, fresh_loader, fresh_loss = _setup(start_epoch=0)
    fresh_switch.load_state_dict(switch.state_dict())
    assert fresh_switch.start_epoch == 2
    fresh_engine.state.epoch = 3
    fresh_switch(fresh_engine)
    assert (fresh_engine.network.num_learners, fresh_loss.num_learners) == (1, 1)
    assert not fresh_loader.assignments.any()


def test_state_dict_loads_with_weights_only(tmp_path):
    _, switch, _, _ = _setup(start_epoch=7)
    torch.save(switch.state_dict(), tmp_path / "switch.pt")
    assert torch.load(tmp_path / "switch.pt", weights_only=True) == {"start_epoch": 7}


def test_ill_options():
    with pytest.raises(ValueError):
        _setup(start_epoch=-1)
    _, switch, _, _ = _setup(start_epoch=1)
    with pytest.raises(ValueError):
        switch.load_state_dict({"start_epoch": -3})
