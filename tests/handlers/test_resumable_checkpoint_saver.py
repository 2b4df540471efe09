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
"""Tests of ResumableCheckpointSaver: a resumed run keeps the best model of the epochs before the interruption."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
from ignite.engine import Engine

from bundle.handlers import ResumableCheckpointSaver


def _validate(saver: ResumableCheckpointSaver, network: torch.nn.Linear, scores: Sequence[float]) -> None:
    """One "validation" per epoch: the network's bias becomes the epoch's score, the saver sees that score."""

    def step(engine: Engine, batch: None) -> None:
        network.bias.data.fill_(scores[engine.state.epoch - 1])
        engine.state.metrics["score"] = scores[engine.state.epoch - 1]

    engine = Engine(step)
    saver.attach(engine)
    engine.run([None], max_epochs=len(scores))


def _saver(run_dir: Path, network: torch.nn.Module) -> ResumableCheckpointSaver:
    return ResumableCheckpointSaver(
        save_dir=str(run_dir), save_dict={"network": network}, save_key_metric=True,
        key_metric_name="score", key_metric_filename="model.pt",
    )


@pytest.mark.parametrize(
    "restore, kept_bias",
    [[True, 0.9], [False, 0.4]],  # without the restored state the first score after the resume replaces the best
)
def test_best_model_survives_a_resume(tmp_path: Path, restore: bool, kept_bias: float) -> None:
    network = torch.nn.Linear(1, 1)
    first = _saver(tmp_path, network)
    _validate(first, network, [0.5, 0.9, 0.7])
    torch.save(first.state_dict(), tmp_path / "saver.pt")

    resumed = _saver(tmp_path, network)
    if restore:
        resumed.load_state_dict(torch.load(tmp_path / "saver.pt", weights_only=True))
    _validate(resumed, network, [0.4])
    best = torch.load(tmp_path / "model.pt", weights_only=True)
    assert best["bias"].item() == pytest.approx(kept_bias)


def test_state_keeps_the_best_score(tmp_path: Path) -> None:
    network = torch.nn.Linear(1, 1)
    saver = _saver(tmp_path, network)
    assert list(saver.state_dict().values()) == [[]]
    _validate(saver, network, [0.25, 0.75, 0.5])
    (kept,) = saver.state_dict().values()
    assert [score for score, _ in kept] == [0.75]


def test_state_needs_key_metric_saving(tmp_path: Path) -> None:
    saver = ResumableCheckpointSaver(save_dir=str(tmp_path), save_dict={"network": torch.nn.Linear(1, 1)},
                                     save_final=True)
    with pytest.raises(RuntimeError, match="save_key_metric=True"):
        saver.state_dict()


def test_interrupted_save_of_a_better_model_keeps_the_best_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = torch.nn.Linear(1, 1)
    real_save, saves = torch.save, []

    def save_then_interrupt(obj: Any, file: Any, **kwargs: Any) -> None:
        """The first save completes; the second is interrupted half-way through writing."""
        saves.append(file)
        if len(saves) == 1:
            return real_save(obj, file, **kwargs)
        with open(file, "wb") if isinstance(file, Path) else file as stream:  # a path when saves are not atomic
            stream.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", save_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _validate(_saver(tmp_path, network), network, [0.25, 0.75])
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    assert torch.load(tmp_path / "model.pt", weights_only=True)["bias"].item() == 0.25
