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
"""The retrieval metrics over the samples of two processes split unevenly, as validation under torchrun splits them."""

from __future__ import annotations

from pathlib import Path

import torch

from bundle.evaluation import NormalizedMutualInfo, RecallAtK
from tests.gloo import run_in_two_processes

# 5 samples on a line, classes 0 0 1 1 0: by hand, Recall@1 = 4/5 (sample 4's nearest, sample 3, is of class 1);
# had padding repeated sample 4 on the short rank, it would find itself and score 1
EMBEDDINGS = torch.tensor([[0.0], [1.0], [5.0], [6.0], [9.0]])
LABELS = torch.tensor([0, 0, 1, 1, 0])


def _scores(rank: int) -> tuple[float, float]:
    share = slice(0, 3) if rank == 0 else slice(3, 5)  # 3 and 2 samples, as a DistributedSampler without padding
    scores = []
    for metric in (RecallAtK(k=1), NormalizedMutualInfo()):
        metric.reset()
        metric.update((EMBEDDINGS[share], LABELS[share]))
        scores.append(metric.compute())
    return tuple(scores)


def test_both_processes_score_all_samples_once(tmp_path: Path) -> None:
    recall = RecallAtK(k=1)
    recall.update((EMBEDDINGS, LABELS))
    nmi = NormalizedMutualInfo()
    nmi.update((EMBEDDINGS, LABELS))
    expected = (recall.compute(), nmi.compute())
    assert expected[0] == 0.8
    assert run_in_two_processes(_scores, tmp_path) == [expected, expected]
