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
"""Tests of AtomicDiskSaver: a checkpoint file is either the previous complete one or the new complete one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from bundle.handlers import AtomicDiskSaver


def _half_written_save(obj: Any, file: Any, **kwargs: Any) -> None:
    """A ``torch.save`` interrupted after writing some bytes."""
    file.write(b"half a checkpoint")
    raise KeyboardInterrupt


def _bias(path: Path) -> float:
    return torch.load(path, weights_only=True)["bias"].item()


@pytest.mark.parametrize("filename", ["model.pt", None])
def test_save_writes_a_loadable_file_and_no_temporary(tmp_path: Path, filename: str | None) -> None:
    saver = AtomicDiskSaver(str(tmp_path), filename)
    saver({"bias": torch.tensor(0.25)}, "checkpoint_1.pt")
    expected = filename or "checkpoint_1.pt"
    assert [p.name for p in tmp_path.iterdir()] == [expected]
    assert _bias(tmp_path / expected) == 0.25


def test_fixed_name_is_replaced_not_removed(tmp_path: Path) -> None:
    saver = AtomicDiskSaver(str(tmp_path), "model.pt")
    saver({"bias": torch.tensor(0.25)}, "a.pt")
    saver.remove("a.pt")  # what ignite's Checkpoint calls before writing a better model
    assert _bias(tmp_path / "model.pt") == 0.25
    saver({"bias": torch.tensor(0.75)}, "b.pt")
    assert _bias(tmp_path / "model.pt") == 0.75


def test_free_names_are_removed(tmp_path: Path) -> None:
    saver = AtomicDiskSaver(str(tmp_path))
    saver({"bias": torch.tensor(0.25)}, "checkpoint_1.pt")
    saver.remove("checkpoint_1.pt")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_save_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saver = AtomicDiskSaver(str(tmp_path), "model.pt")
    saver({"bias": torch.tensor(0.25)}, "a.pt")
    monkeypatch.setattr(torch, "save", _half_written_save)
    with pytest.raises(KeyboardInterrupt):
        saver({"bias": torch.tensor(0.75)}, "b.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    assert _bias(tmp_path / "model.pt") == 0.25
