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
"""Run a function in two CPU processes joined by a Gloo process group, as ``torchrun`` would, and collect what each
returns."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ignite.distributed as idist
import torch


def run_in_two_processes(function: Callable[..., Any], out_dir: Path, *args: Any) -> list[Any]:
    """``function(rank, *args)`` in ranks 0 and 1 of a Gloo group; its return values, by rank (saved with torch)."""
    with socket.socket() as probe:  # a free port for the group's rendezvous
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    idist.spawn("gloo", _run_and_save, (function, out_dir, args), nproc_per_node=2, master_addr="127.0.0.1",
                master_port=port)
    return [torch.load(out_dir / f"rank{rank}.pt", weights_only=False) for rank in (0, 1)]


def _run_and_save(rank: int, function: Callable[..., Any], out_dir: Path, args: tuple) -> None:
    torch.set_num_threads(1)
    torch.save(function(rank, *args), out_dir / f"rank{rank}.pt")
