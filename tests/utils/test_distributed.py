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
"""Tests of the multi-process helpers, in a process without a process group (the gloo tests join two)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from bundle.utils import is_writer_rank, local_device, process_group_backend, unwrap_module
from tests.gloo import run_in_two_processes


def test_a_wrapped_network_is_unwrapped_and_a_plain_one_kept() -> None:
    network = torch.nn.Linear(2, 2)
    assert unwrap_module(torch.nn.DataParallel(network)) is network
    assert unwrap_module(network) is network


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU defaults")
def test_without_a_gpu_processes_run_on_the_cpu_and_talk_gloo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert local_device() == torch.device("cpu")
    assert process_group_backend() == "gloo"


def _writer_and_ddp_keys(rank: int) -> tuple[bool, list[str]]:
    network = torch.nn.Linear(2, 2)
    wrapped = torch.nn.parallel.DistributedDataParallel(network)
    return is_writer_rank(), list(unwrap_module(wrapped).state_dict())


def test_rank_zero_alone_writes(tmp_path: Path) -> None:
    assert is_writer_rank()  # no process group: the one process writes
    assert run_in_two_processes(_writer_and_ddp_keys, tmp_path) == [(True, ["weight", "bias"]),
                                                                      (False, ["weight", "bias"])]
