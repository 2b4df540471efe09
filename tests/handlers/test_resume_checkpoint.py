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
"""Tests of ResumeCheckpoint: an interrupted run resumes to the weights of an uninterrupted one."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from ignite.engine import Events
from monai.engines import SupervisedTrainer
from torch.utils.data import DataLoader

from bundle.handlers import ResumeCheckpoint

MAX_EPOCHS = 4


def _trainer(
    tmp_path: Path, max_epochs: int = MAX_EPOCHS, save_interval: int = 1, resume: bool = True
) -> tuple[SupervisedTrainer, torch.nn.Module, ResumeCheckpoint]:
    """A deterministic toy: linear model, 4 fixed samples in 2 batches, SGD with momentum (optimizer state)."""
    torch.manual_seed(0)
    network = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.1, momentum=0.9)
    x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, -1.0]])
    y = x @ torch.tensor([[0.5], [-1.0]]) + 0.25
    data = [{"image": x[i], "label": y[i]} for i in range(4)]
    trainer = SupervisedTrainer(
        device=torch.device("cpu"),
        max_epochs=max_epochs,
        train_data_loader=DataLoader(data, batch_size=2, shuffle=False),
        network=network,
        optimizer=optimizer,
        loss_function=torch.nn.MSELoss(),
    )
    handler = ResumeCheckpoint(
        tmp_path / "last.pt",
        {"network": network, "optimizer": optimizer, "trainer": trainer},
        save_interval=save_interval,
        resume=resume,
    )
    handler.attach(trainer)
    return trainer, network, handler


def _interrupt_after(trainer: SupervisedTrainer, epoch: int) -> None:
    trainer.add_event_handler(Events.EPOCH_COMPLETED(once=epoch), lambda engine: engine.terminate())


def _weights(network: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in network.state_dict().items()}


def test_checkpoint_written_and_loads_weights_only(tmp_path):
    trainer, network, _ = _trainer(tmp_path)
    _interrupt_after(trainer, 2)
    trainer.run()
    assert trainer.state.epoch == 2
    checkpoint = torch.load(tmp_path / "last.pt", weights_only=True)
    assert sorted(checkpoint) == ["network", "optimizer", "trainer"]
    assert checkpoint["trainer"]["iteration"] == 4  # 2 epochs x 2 batches
    for key, value in _weights(network).items():
        torch.testing.assert_close(checkpoint["network"][key], value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]


def test_resumed_run_matches_uninterrupted_run(tmp_path):
    reference, reference_net, _ = _trainer(tmp_path / "reference")
    reference.run()
    assert reference.state.epoch == MAX_EPOCHS

    interrupted, _, _ = _trainer(tmp_path / "run")
    _interrupt_after(interrupted, 2)
    interrupted.run()

    resumed, resumed_net, _ = _trainer(tmp_path / "run")
    started_at = []
    resumed.add_event_handler(Events.EPOCH_STARTED, lambda engine: started_at.append(engine.state.epoch))
    resumed.run()
    assert started_at == [3, 4]  # epochs 1-2 were not trained again
    assert resumed.state.epoch == MAX_EPOCHS and resumed.state.iteration == 2 * MAX_EPOCHS
    for key, value in _weights(reference_net).items():
        torch.testing.assert_close(_weights(resumed_net)[key], value)


def test_rerun_of_finished_run_trains_nothing(tmp_path):
    finished, finished_net, _ = _trainer(tmp_path)
    finished.run()
    rerun, rerun_net, _ = _trainer(tmp_path)
    started_at = []
    rerun.add_event_handler(Events.EPOCH_STARTED, lambda engine: started_at.append(engine.state.epoch))
    rerun.run()
    assert started_at == []
    for key, value in _weights(finished_net).items():
        torch.testing.assert_close(_weights(rerun_net)[key], value)


def test_resume_false_starts_from_scratch(tmp_path):
    first, _, _ = _trainer(tmp_path, max_epochs=2)
    first.run()
    fresh, _, _ = _trainer(tmp_path, max_epochs=2, resume=False)
    started_at = []
    fresh.add_event_handler(Events.EPOCH_STARTED, lambda engine: started_at.append(engine.state.epoch))
    fresh.run()
    assert started_at == [1, 2]


@pytest.mark.parametrize("save_interval, saved_iterations", [[1, [2, 4, 6, 8]], [2, [4, 8]], [3, [6]]])
def test_save_interval(tmp_path, save_interval, saved_iterations):
    trainer, _, _ = _trainer(tmp_path, save_interval=save_interval)
    seen = []

    def record_saved_iteration(engine: SupervisedTrainer) -> None:
        # registered after the handler: runs once the checkpoint of this epoch (if any) is on disk
        if (tmp_path / "last.pt").exists():
            seen.append(torch.load(tmp_path / "last.pt", weights_only=True)["trainer"]["iteration"])

    trainer.add_event_handler(Events.EPOCH_COMPLETED, record_saved_iteration)
    trainer.run()
    assert sorted(set(seen)) == saved_iterations


def test_failed_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    trainer, _, handler = _trainer(tmp_path)
    _interrupt_after(trainer, 1)
    trainer.run()
    previous = (tmp_path / "last.pt").read_bytes()

    def broken_save(obj, path, *args, **kwargs):
        with open(path, "wb") as stream:
            stream.write(b"truncated")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        handler(trainer)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]
    assert (tmp_path / "last.pt").read_bytes() == previous


@pytest.mark.parametrize("kwargs", [{"save_interval": 0}, {"save_interval": -2}, {"save_dict": {}}])
def test_ill_options(tmp_path, kwargs):
    options = {"path": tmp_path / "last.pt", "save_dict": {"network": torch.nn.Linear(1, 1)}, **kwargs}
    with pytest.raises(ValueError):
        ResumeCheckpoint(**options)


def test_checkpoint_of_another_configuration_is_named_and_kept(tmp_path):
    trainer, network, _ = _trainer(tmp_path)
    _interrupt_after(trainer, 1)
    trainer.run()
    written = (tmp_path / "last.pt").read_bytes()
    resumed = ResumeCheckpoint(tmp_path / "last.pt", {"network": network, "best_model": torch.nn.Linear(1, 1)})
    with pytest.raises(ValueError, match=r"last\.pt cannot resume this run: it has no \['best_model'\]"):
        resumed.load(trainer)
    assert (tmp_path / "last.pt").read_bytes() == written
