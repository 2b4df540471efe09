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
"""Tests for the balanced seeding loss, checked by hand on 4x4 inputs."""

from __future__ import annotations

import math

import pytest
import torch

from bundle.losses import BalancedSeedingLoss

IGNORE = 255


def four_by_four() -> tuple[torch.Tensor, torch.Tensor]:
    """Two lesion seeds (p = 3/4 and 1/2 on the lesion), six background seeds (p = 3/4 on background), eight
    unlabelled pixels whose logits would swamp any mean that counted them."""
    logits = torch.zeros(1, 2, 4, 4)
    labels = torch.full((1, 1, 4, 4), IGNORE, dtype=torch.uint8)
    logits[0, :, 2:, :] = torch.tensor([-50.0, 50.0])[:, None, None]  # unlabelled rows, confidently wrong
    labels[0, 0, 0, 0], logits[0, 1, 0, 0] = 1, math.log(3.0)   # softmax (1/4, 3/4)
    labels[0, 0, 0, 1] = 1                                        # softmax (1/2, 1/2)
    for column in (2, 3):
        labels[0, 0, 0, column], logits[0, 0, 0, column] = 0, math.log(3.0)
    for column in range(4):
        labels[0, 0, 1, column], logits[0, 0, 1, column] = 0, math.log(3.0)
    return logits, labels


def test_each_seed_set_is_averaged_on_its_own_and_unlabelled_pixels_are_ignored():
    logits, labels = four_by_four()
    lesion = (-math.log(3 / 4) - math.log(1 / 2)) / 2
    background = -math.log(3 / 4)
    assert BalancedSeedingLoss(ignore_index=IGNORE)(logits, labels).item() == pytest.approx(lesion + background)


def test_a_class_without_seeds_adds_nothing_and_no_seeds_give_zero():
    logits, labels = four_by_four()
    labels[labels == 1] = IGNORE
    assert BalancedSeedingLoss()(logits, labels).item() == pytest.approx(-math.log(3 / 4))
    assert BalancedSeedingLoss()(logits, torch.full_like(labels, IGNORE)).item() == 0.0


def test_seed_counts_pool_over_the_batch_and_gradients_reach_seeded_pixels_only():
    logits, labels = four_by_four()
    logits = torch.cat([logits, logits]).requires_grad_(True)
    loss = BalancedSeedingLoss()(logits, torch.cat([labels, labels])[:, 0])  # (B, H, W) labels too
    assert loss.item() == pytest.approx((-math.log(3 / 4) - math.log(1 / 2)) / 2 - math.log(3 / 4))
    loss.backward()
    assert torch.all(logits.grad[:, :, 2:] == 0) and torch.any(logits.grad[:, :, :2] != 0)


@pytest.mark.parametrize(
    "labels, message",
    [(torch.zeros(1, 1, 4, 3, dtype=torch.long), "matching logits"), (torch.full((1, 4, 4), 2), "class indices")],
)
def test_bad_labels_are_refused(labels, message):
    with pytest.raises(ValueError, match=message):
        BalancedSeedingLoss()(torch.zeros(1, 2, 4, 4), labels)
