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
"""Tests for the dynamic supervision: seeds grown by graph cuts over feature groups, gated, kept as state."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bundle.proxy import GraphCutRefiner
from bundle.proxy.dynamic_supervision import IGNORE_INDEX, DynamicSupervision, seed_labels
from tests.gloo import run_in_two_processes

# Two groups interleaved on an 8x8 grid: what joins a group is its features, not where its pixels are.
GROUP_A = (np.add.outer(np.arange(8), np.arange(8)) % 3) == 0
FG_SEED, BG_SEED = (0, 0), (0, 1)  # one pixel of each group


def group_features() -> np.ndarray:
    """(2, 8, 8): each group's pixels on a line of their own, far from the other's: its KNN graph is a chain."""
    order = np.arange(64, dtype=np.float32).reshape(8, 8) * 0.1
    first = np.where(GROUP_A, order, 1000.0 + order)
    return np.stack([first, np.zeros_like(first)])


def seeds() -> torch.Tensor:
    labels = torch.full((1, 1, 8, 8), IGNORE_INDEX, dtype=torch.uint8)
    labels[0, 0][FG_SEED], labels[0, 0][BG_SEED] = 1, 0
    return labels


def test_the_cut_grows_each_seed_over_its_own_group_and_not_across():
    fg, bg = np.zeros((8, 8), bool), np.zeros((8, 8), bool)
    fg[FG_SEED], bg[BG_SEED] = True, True
    cut = GraphCutRefiner(num_neighbors=2).cut(np.full((8, 8), 0.5), group_features(), fg, bg)
    np.testing.assert_array_equal(cut, GROUP_A)


def confident_probs() -> tuple[torch.Tensor, np.ndarray]:
    """Lesion softmax 0.5 but: 0.9 on rows 4-7 of group A, 0.2 on rows 4-7 of group B and on pixel (3, 0) of A;
    and the labels an update must give: the cut's label where the softmax backs it above theta = 0.7."""
    lesion = np.full((8, 8), 0.5, dtype=np.float32)
    lower = np.arange(8)[:, None] >= 4
    lesion[lower & GROUP_A], lesion[lower & ~GROUP_A], lesion[3, 0] = 0.9, 0.2, 0.2
    expected = np.full((8, 8), IGNORE_INDEX, dtype=np.uint8)
    expected[lower & GROUP_A], expected[lower & ~GROUP_A] = 1, 0  # (3, 0): cut lesion, softmax says no: unlabelled
    expected[FG_SEED], expected[BG_SEED] = 1, 0
    probs = torch.from_numpy(np.stack([1.0 - lesion, lesion]))[None]
    return probs, expected


def test_update_keeps_the_cut_where_the_softmax_backs_it_and_the_seeds_everywhere():
    supervision = DynamicSupervision(GraphCutRefiner(num_neighbors=2), theta=0.7)
    probs, expected = confident_probs()
    torch.testing.assert_close(supervision.labels(["a"], seeds()), seeds())  # before any update: the seeds
    labels = supervision.update(["a"], seeds(), probs, torch.from_numpy(group_features())[None])
    np.testing.assert_array_equal(labels[0, 0].numpy(), expected)
    np.testing.assert_array_equal(supervision.labels(["a"], seeds())[0, 0].numpy(), expected)


def test_the_labels_are_state_restored_exactly():
    supervision = DynamicSupervision(GraphCutRefiner(num_neighbors=2))
    probs, expected = confident_probs()
    supervision.update(["a"], seeds(), probs, torch.from_numpy(group_features())[None])
    path_state = supervision.state_dict()
    restored = DynamicSupervision()
    restored.load_state_dict(path_state)
    both = torch.cat([seeds(), seeds()])
    np.testing.assert_array_equal(restored.labels(["a", "b"], both)[0, 0].numpy(), expected)
    torch.testing.assert_close(restored.labels(["a", "b"], both)[1], seeds()[0])  # "b": never updated


def test_probabilities_are_taken_to_the_grid():
    supervision = DynamicSupervision(GraphCutRefiner(num_neighbors=2))
    probs, expected = confident_probs()
    probs = probs.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)  # the network's 32x32 softmax
    labels = supervision.update(["a"], seeds(), probs, torch.from_numpy(group_features())[None])
    np.testing.assert_array_equal(labels[0, 0].numpy(), expected)


def test_seed_labels_from_a_map():
    maps = torch.tensor([[[[0.9, 0.5, 0.05]]]])
    assert seed_labels(maps, fg_threshold=0.7, bg_threshold=0.1).flatten().tolist() == [1, IGNORE_INDEX, 0]
    with pytest.raises(ValueError, match="thresholds"):
        seed_labels(maps, fg_threshold=0.1, bg_threshold=0.7)
    supervision = DynamicSupervision(fg_threshold=0.8, bg_threshold=0.2)
    assert supervision.seeds(maps).flatten().tolist() == [1, IGNORE_INDEX, 0]


@pytest.mark.parametrize(
    "probs, features, message",
    [(torch.rand(1, 3, 8, 8), torch.rand(1, 2, 8, 8), "probs must be"),
     (torch.rand(1, 2, 8, 8), torch.rand(1, 2, 4, 4), "features must be")],
)
def test_bad_shapes_are_refused(probs, features, message):
    with pytest.raises(ValueError, match=message):
        DynamicSupervision().update(["a"], seeds(), probs, features)


def _regrow_own_image(rank: int) -> dict:
    """Rank r regrows image "r" only; the state both save holds both images."""
    supervision = DynamicSupervision(GraphCutRefiner(num_neighbors=2), theta=0.7)
    probs, _ = confident_probs()
    supervision.update([str(rank)], seeds(), probs, torch.from_numpy(group_features())[None])
    return supervision.state_dict()


def test_processes_save_the_labels_every_process_regrew(tmp_path):
    _, expected = confident_probs()
    for state in run_in_two_processes(_regrow_own_image, tmp_path):
        assert state["keys"] == ["0", "1"]
        for labels in state["labels"]:
            np.testing.assert_array_equal(labels.numpy(), expected)
