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
"""Tests for the boundary loss: KL divergence between the softmax's smoothing and the softmax."""

from __future__ import annotations

import math

import pytest
import torch

from bundle.losses import CRFBoundaryLoss


def test_zero_when_the_smoothing_leaves_the_softmax_unchanged():
    logits = torch.randn(2, 2, 4, 4, requires_grad=True)
    loss = CRFBoundaryLoss(lambda probs, images: probs)(logits, torch.rand(2, 3, 4, 4))
    loss.backward()
    assert loss.item() == pytest.approx(0.0, abs=1e-6) and logits.grad.abs().max() < 1e-6


def test_kl_of_the_target_from_the_softmax_by_hand():
    logits = torch.zeros(1, 2, 4, 4)  # softmax 1/2 everywhere
    target = torch.tensor([0.9, 0.1])[None, :, None, None].expand(1, 2, 4, 4)
    loss = CRFBoundaryLoss(lambda probs, images: target)(logits, torch.zeros(1, 3, 4, 4))
    assert loss.item() == pytest.approx(0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5), rel=1e-5)


def test_the_gradient_moves_the_softmax_towards_the_target_only():
    logits = torch.zeros(1, 2, 2, 2, requires_grad=True)
    target = torch.tensor([0.2, 0.8])[None, :, None, None].expand(1, 2, 2, 2)
    CRFBoundaryLoss(lambda probs, images: target)(logits, torch.zeros(1, 3, 2, 2)).backward()
    assert torch.all(logits.grad[:, 1] < 0) and torch.all(logits.grad[:, 0] > 0)  # descent raises the lesion logit


def test_at_a_smaller_size_the_smoother_sees_block_means():
    seen = {}

    def smoother(probs, images):
        seen.update(probs=probs, images=images)
        return probs

    logits = torch.zeros(1, 2, 4, 4)
    logits[0, 1, :2, :2] = 10.0  # one 2x2 block confidently lesion
    images = torch.arange(48.0).reshape(1, 3, 4, 4)
    loss = CRFBoundaryLoss(smoother, size=(2, 2))(logits, images)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    assert seen["probs"].shape == (1, 2, 2, 2) and seen["probs"][0, 1, 0, 0] > 0.99
    assert seen["probs"][0, 1, 1, 1].item() == pytest.approx(0.5)
    assert seen["images"][0, 0, 0, 0].item() == pytest.approx((0 + 1 + 4 + 5) / 4)
