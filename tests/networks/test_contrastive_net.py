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
"""Tests for the contrastive pre-training network: shapes, head widths, and its trunk loading as pretrained weights."""

from __future__ import annotations

import pytest
import torch

from bundle.networks import AttentionManifoldNet, ContrastiveNet

SMALL = {"depth": 10, "widen_factor": 0.25}

# [kwargs, input_shape, output_shape]
SHAPE_CASES = [
    [{"depth": 10, "last_layer": "layer2"}, (4, 3, 64, 64), (4, 64)],
    [{**SMALL, "projection_channels": (32, 16, 8)}, (2, 3, 96, 64), (2, 8)],
    [{"depth": 50, "widen_factor": 0.25, "projection_channels": (12,)}, (2, 3, 64, 64), (2, 12)],
    [{**SMALL, "spatial_dims": 3, "in_channels": 1}, (2, 1, 32, 32, 32), (2, 64)],
]


@pytest.mark.parametrize("kwargs, input_shape, output_shape", SHAPE_CASES)
def test_projection_shape(kwargs, input_shape, output_shape):
    assert ContrastiveNet(**kwargs)(torch.rand(input_shape)).shape == output_shape


@pytest.mark.parametrize("widths, num_linear", [[(64,), 1], [(128, 64), 2], [(32, 32, 8), 3]])
def test_head_is_linear_layers_with_relu_between(widths, num_linear):
    head = ContrastiveNet(**SMALL, projection_channels=widths).head
    linear = [m for m in head if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear] == list(widths) and len(linear) == num_linear
    assert len(head) == 2 * num_linear - 1 and not isinstance(head[-1], torch.nn.ReLU)


def test_trunk_file_loads_into_the_attention_manifold_net(tmp_path):
    pretrained = ContrastiveNet(**SMALL, last_layer="layer2")
    path = tmp_path / "trunk.pt"
    torch.save(pretrained.trunk.state_dict(), path)
    net = AttentionManifoldNet(**SMALL, last_layer="layer2", pretrained_path=path)
    for name, tensor in pretrained.trunk.state_dict().items():
        assert torch.equal(net.trunk.state_dict()[name], tensor), name


@pytest.mark.parametrize("widths", [(), (16, 0)])
def test_ill_projection_channels(widths):
    with pytest.raises(ValueError, match="projection_channels"):
        ContrastiveNet(**SMALL, projection_channels=widths)
