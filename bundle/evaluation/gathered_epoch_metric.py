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
"""Ignite's ``EpochMetric`` over the samples of every process, however unevenly they are split."""

from __future__ import annotations

import ignite.distributed as idist
import torch
from ignite.exceptions import NotComputableError
from ignite.metrics import EpochMetric
from monai.utils import evenly_divisible_all_gather


class GatheredEpochMetric(EpochMetric):
    """``ignite.metrics.EpochMetric`` whose gathering across processes accepts a different number of samples on each.

    Validation under ``torchrun`` splits the data without padding (``monai.data.DistributedSampler`` with
    ``even_divisible=False``): padding would repeat samples, and a repeated sample is its own nearest neighbour.
    Ignite's ``all_gather`` needs equal shapes; MONAI's ``evenly_divisible_all_gather`` pads, gathers and trims.
    As in ``EpochMetric``, rank 0 computes and broadcasts the score (in double precision, so every process holds
    the single-process value). Arguments are those of ``EpochMetric``.
    """

    def compute(self) -> float:
        if len(self._predictions) < 1 or len(self._targets) < 1:
            raise NotComputableError(f"{type(self).__name__} must have at least one example before it can be computed.")
        if self._result is None:
            predictions = torch.cat(self._predictions, dim=0)
            targets = torch.cat(self._targets, dim=0)
            world_size = idist.get_world_size()
            if world_size > 1:
                predictions = evenly_divisible_all_gather(predictions, concat=True)
                targets = evenly_divisible_all_gather(targets, concat=True)
            self._result = self.compute_fn(predictions, targets) if idist.get_rank() == 0 else 0.0
            if world_size > 1:  # as a float64 tensor: Ignite would send a Python float as float32
                self._result = idist.broadcast(torch.tensor(self._result, dtype=torch.float64), src=0).item()
        return self._result
