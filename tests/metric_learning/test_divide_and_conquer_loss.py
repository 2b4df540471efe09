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
"""Tests of the per-learner margin loss."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from bundle.metric_learning.divide_and_conquer_loss import DivideAndConquerLoss


def _two_overlapping_classes(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """16 points in 4D, two classes on nearby directions: separable but not yet separated."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[1.0, 0.3, 0.0, 0.0], [0.3, 1.0, 0.0, 0.0]])
    labels = torch.arange(16) % 2
    points = centres[labels] + 0.3 * torch.randn(16, 4, generator=generator)
    return points, labels


def _forced_square() -> tuple[torch.Tensor, torch.Tensor]:
    """Four 2D points of norm 3 at 0, 180 (class 0), 60 and 240 degrees (class 1). After normalisation each anchor's
    positive is antipodal (distance 2) and exactly one negative lies within the miner's 1.4 cutoff, at 60 degrees
    (chord 2 sin 30 = 1): the distance-weighted sampling has no choice to make."""
    angles = torch.deg2rad(torch.tensor([0.0, 180.0, 60.0, 240.0]))
    return 3 * torch.stack([angles.cos(), angles.sin()], dim=1), torch.tensor([0, 0, 1, 1])


@pytest.mark.parametrize("learner, seed", [(0, 0), (1, 0), (1, 7)])
def test_margin_loss_by_hand_on_fixed_embeddings(learner, seed):
    # per triplet: relu(d_ap - beta + margin) + relu(beta - d_an + margin) = relu(2 - 1.2 + 0.2) + relu(1.2 - 1 + 0.2)
    # = 1.0 + 0.4; four triplets, eight non-zero terms: (4 * 1.4) / 8 = 0.7, whatever the sampling seed
    torch.manual_seed(seed)
    embeddings, labels = _forced_square()
    loss = DivideAndConquerLoss(num_learners=2, margin=0.2, beta=1.2)(embeddings, labels, learner=learner)
    assert loss.item() == pytest.approx(0.7, abs=1e-6)


@pytest.mark.parametrize("learn_beta", [False, True])
def test_loss_falls_under_adam(learn_beta):
    torch.manual_seed(0)
    points, labels = _two_overlapping_classes()
    projection = torch.nn.Linear(4, 4)
    loss_fn = DivideAndConquerLoss(num_learners=2, learn_beta=learn_beta)
    optimizer = torch.optim.Adam([*projection.parameters(), *loss_fn.parameters()], lr=0.05)

    def loss_value() -> torch.Tensor:
        return loss_fn(F.normalize(projection(points), dim=1), labels, learner=1)

    before = loss_value().item()
    for _ in range(20):
        optimizer.zero_grad()
        loss_value().backward()
        optimizer.step()
    with torch.no_grad():
        after = loss_value().item()
    assert before > 0 and after < before


def test_learners_have_independent_betas():
    loss_fn = DivideAndConquerLoss(num_learners=3, learn_beta=True)
    betas = [p for name, p in loss_fn.named_parameters() if name.endswith("beta")]
    assert len(betas) == 3 and len({id(b) for b in betas}) == 3
    assert not list(DivideAndConquerLoss(num_learners=3).parameters())


@pytest.mark.parametrize(
    "labels",
    [
        torch.zeros(8, dtype=torch.long),  # one class: no negative
        torch.arange(4),  # one sample per class: no positive pair
        torch.tensor([0]),  # a single sample
    ],
)
def test_degenerate_batch_gives_zero_loss_with_grad(labels):
    embeddings = F.normalize(torch.randn(len(labels), 4), dim=1).requires_grad_()
    loss = DivideAndConquerLoss()(embeddings, labels, 0)
    assert loss.item() == 0.0
    loss.backward()
    assert embeddings.grad is not None and torch.all(embeddings.grad == 0)


def test_finetune_uses_learner_zero_only():
    loss_fn = DivideAndConquerLoss(num_learners=4)
    loss_fn.num_learners = 1
    points, labels = _two_overlapping_classes()
    assert loss_fn(F.normalize(points, dim=1), labels, 0).item() > 0
    with pytest.raises(ValueError):
        loss_fn(F.normalize(points, dim=1), labels, 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_learners": 0},
        {"margin": -0.1},
        {"beta": 0.0},
        {"nu": -1.0},
        {"miner_cutoff": 1.5},
        {"miner_cutoff": -0.1},
    ],
)
def test_ill_options(kwargs):
    with pytest.raises(ValueError):
        DivideAndConquerLoss(**kwargs)


@pytest.mark.parametrize("num_learners", [0, 3])
def test_ill_num_learners_setting(num_learners):
    loss_fn = DivideAndConquerLoss(num_learners=2)
    with pytest.raises(ValueError):
        loss_fn.num_learners = num_learners


@pytest.mark.parametrize(
    "embeddings, labels, learner",
    [
        (torch.randn(4, 2), torch.zeros(4, dtype=torch.long), 2),  # no such learner
        (torch.randn(4, 2), torch.zeros(3, dtype=torch.long), 0),  # one label short
        (torch.randn(4), torch.zeros(4, dtype=torch.long), 0),  # no feature axis
    ],
)
def test_ill_inputs(embeddings, labels, learner):
    with pytest.raises(ValueError):
        DivideAndConquerLoss(num_learners=2)(embeddings, labels, learner)
