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
"""Tests of the handler list a process of a torchrun training attaches."""

from __future__ import annotations

from pathlib import Path

import torch
from ignite.handlers import ProgressBar
from monai.handlers import MetricsSaver, StatsHandler, TensorBoardStatsHandler, ValidationHandler

from bundle.handlers import ResumableCheckpointSaver, writer_rank_handlers
from tests.gloo import run_in_two_processes


def _handlers(log_dir: Path) -> list:
    return [
        ValidationHandler(interval=1),
        StatsHandler(),
        TensorBoardStatsHandler(log_dir=str(log_dir)),
        ProgressBar(),
        MetricsSaver(save_dir=str(log_dir)),
        ResumableCheckpointSaver(save_dir=str(log_dir), save_dict={"network": torch.nn.Linear(1, 1)}, save_final=True),
    ]


def _kept(rank: int, log_dir: Path) -> list[str]:
    return [type(handler).__name__ for handler in writer_rank_handlers(_handlers(log_dir / str(rank)))]


def test_rank_zero_keeps_every_handler_and_other_ranks_all_but_the_logs(tmp_path: Path) -> None:
    alone = _handlers(tmp_path)
    assert writer_rank_handlers(alone) == alone  # no process group: the one process is rank 0
    zero, one = run_in_two_processes(_kept, tmp_path, tmp_path)
    assert zero == [type(handler).__name__ for handler in alone]
    assert one == ["ValidationHandler", "MetricsSaver", "ResumableCheckpointSaver"]


def test_no_handlers_is_an_empty_list() -> None:
    assert writer_rank_handlers(None) == []
