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
"""What a training needs to run as one process of several (``torchrun``): its device, its process group's backend,
the network inside the DistributedDataParallel wrapper, and the rank that writes."""

from __future__ import annotations

import os

import ignite.distributed as idist
import torch

__all__ = ["is_writer_rank", "local_device", "process_group_backend", "unwrap_module"]


def local_device() -> torch.device:
    """``cuda:<LOCAL_RANK>`` when CUDA is available (``LOCAL_RANK`` as set by ``torchrun``, 0 without it), else CPU."""
    if torch.cuda.is_available():
        return torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}")
    return torch.device("cpu")


def process_group_backend() -> str:
    """NCCL between GPUs, Gloo between CPU processes."""
    return "nccl" if torch.cuda.is_available() else "gloo"


def unwrap_module(network: torch.nn.Module) -> torch.nn.Module:
    """The module inside ``(Distributed)DataParallel``, which owns the network's own methods and layer names."""
    if isinstance(network, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)):
        return network.module
    return network


def is_writer_rank() -> bool:
    """Whether this process writes the run's files: rank 0 of a process group, or a process without one."""
    return idist.get_rank() == 0
