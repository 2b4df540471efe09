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
"""Tests for TwoViewBatch: views stacked in key order, image indices as labels, NT-Xent-ready."""

from __future__ import annotations

import pytest
import torch
from monai.data import MetaTensor
from pytorch_metric_learning.losses import NTXentLoss

from bundle.engines import TwoViewBatch


@pytest.mark.parametrize("batch_size, keys", [[3, ("image", "image_view")], [1, ("a", "b", "c")]])
def test_views_stacked_in_key_order_with_image_index_labels(batch_size, keys):
    batch = {key: torch.full((batch_size, 1, 2, 2), float(i)) for i, key in enumerate(keys)}
    batch["label"] = torch.full((batch_size,), 7)  # a class label is never read
    inputs, targets = TwoViewBatch(keys)(batch)
    assert inputs.shape == (len(keys) * batch_size, 1, 2, 2)
    expected_view = torch.arange(len(keys)).repeat_interleave(batch_size).float()
    assert torch.equal(inputs[:, 0, 0, 0], expected_view)
    assert targets.tolist() == list(range(batch_size)) * len(keys)


def test_meta_tensors_become_plain_tensors():
    batch = {"image": MetaTensor(torch.zeros(2, 1, 2, 2)), "image_view": MetaTensor(torch.ones(2, 1, 2, 2))}
    inputs, _ = TwoViewBatch()(batch)
    assert type(inputs) is torch.Tensor


def test_nt_xent_loss_is_lower_when_the_views_of_an_image_agree():
    torch.manual_seed(0)
    first = torch.randn(8, 16)
    agreeing = TwoViewBatch(("x", "y"))({"x": first, "y": first + 0.01 * torch.randn(8, 16)})
    unrelated = TwoViewBatch(("x", "y"))({"x": first, "y": torch.randn(8, 16)})
    loss = NTXentLoss(temperature=0.2)
    assert loss(*agreeing) < 0.25 * loss(*unrelated)


@pytest.mark.parametrize(
    "keys, batch, error, match",
    [
        [("image",), {}, ValueError, "two distinct"],
        [("image", "image"), {}, ValueError, "two distinct"],
        [("image", "image_view"), {"image": torch.zeros(2, 1)}, KeyError, "image_view"],
        [("a", "b"), {"a": torch.zeros(2, 1), "b": torch.zeros(3, 1)}, ValueError, "one shape"],
    ],
)
def test_ill_views(keys, batch, error, match):
    with pytest.raises(error, match=match):
        TwoViewBatch(keys)(batch)
