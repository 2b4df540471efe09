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
"""Tests for the truncated MONAI ResNet trunk."""

from __future__ import annotations

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from bundle.networks import ResNetTrunk

# [kwargs, input_shape, expected_shape]
SHAPE_CASES = [
    [{"depth": 10}, (2, 3, 64, 64), (2, 256, 4, 4)],
    [{"depth": 18, "widen_factor": 0.5}, (1, 3, 96, 96), (1, 128, 6, 6)],
    [{"depth": 34, "widen_factor": 0.25}, (1, 3, 128, 96), (1, 64, 8, 6)],
    [{"depth": 50, "widen_factor": 0.25}, (2, 3, 64, 64), (2, 256, 4, 4)],
    [{"depth": 101, "widen_factor": 0.25}, (1, 3, 96, 96), (1, 256, 6, 6)],
    [{"depth": 50, "widen_factor": 0.25, "last_layer": "layer4"}, (1, 3, 128, 128), (1, 512, 4, 4)],
    [{"depth": 18, "widen_factor": 0.25, "last_layer": "layer1"}, (1, 3, 64, 64), (1, 16, 16, 16)],
    [{"depth": 10, "widen_factor": 0.25, "no_max_pool": True}, (1, 3, 64, 64), (1, 64, 8, 8)],
    [{"depth": 10, "widen_factor": 0.25, "conv1_t_stride": 1}, (1, 3, 64, 64), (1, 64, 8, 8)],
    [{"depth": 10, "widen_factor": 0.25, "in_channels": 1}, (1, 1, 64, 64), (1, 64, 4, 4)],
    [{"spatial_dims": 3, "depth": 10, "widen_factor": 0.25}, (1, 3, 32, 32, 32), (1, 64, 2, 2, 2)],
]


@pytest.mark.parametrize("kwargs, input_shape, expected_shape", SHAPE_CASES)
def test_output_shape_matches_out_channels_and_reduction(kwargs, input_shape, expected_shape):
    trunk = ResNetTrunk(**kwargs).eval()
    with torch.no_grad():
        out = trunk(torch.rand(input_shape))
    assert out.shape == expected_shape
    assert trunk.out_channels == expected_shape[1]
    assert trunk.reduction == input_shape[2] // expected_shape[2]


def test_paper_configuration_is_resnet50_layer3_at_one_sixteenth():
    trunk = ResNetTrunk()
    assert (trunk.out_channels, trunk.reduction) == (1024, 16)
    names = [name for name, _ in trunk.named_children()]
    assert names == ["conv1", "bn1", "act", "maxpool", "layer1", "layer2", "layer3"]
    assert [len(trunk.layer1), len(trunk.layer2), len(trunk.layer3)] == [3, 4, 6]


def test_norm_reaches_every_block():
    trunk = ResNetTrunk(depth=18, widen_factor=0.25, norm=("instance", {"affine": True}))
    assert not any(isinstance(module, _BatchNorm) for module in trunk.modules())
    assert isinstance(trunk.layer3[1].bn2, torch.nn.InstanceNorm2d)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"depth": 20},
        {"spatial_dims": 4},
        {"in_channels": 0},
        {"widen_factor": 0.0},
        {"conv1_t_stride": 0},
        {"last_layer": "layer5"},
    ],
)
def test_ill_options(kwargs):
    with pytest.raises(ValueError):
        ResNetTrunk(**kwargs)
