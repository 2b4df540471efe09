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

"""Tests of the attention map source."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
import torch.nn as nn

from bundle.maps.attention_map_source import AttentionMapSource
from bundle.maps.feature_extractor import FeatureExtractor


class TinyAttentionNet(nn.Module):
    """Stand-in for AttentionManifoldNet: trunk.layer1..3 at stride 16, returns (embedding, attention)."""

    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            OrderedDict(
                layer1=nn.Sequential(nn.Conv2d(3, 4, 3, stride=4, padding=1), nn.BatchNorm2d(4), nn.ReLU()),
                layer2=nn.Conv2d(4, 6, 3, stride=2, padding=1),
                layer3=nn.Conv2d(6, 8, 3, stride=2, padding=1),
            )
        )
        self.attention = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(8, 1, 1), nn.Sigmoid())
        self.head = nn.Linear(8, 5)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(x)
        attention = self.attention(features)
        return self.head((features * attention).mean(dim=(2, 3))), attention


class FixedAttentionNet(nn.Module):
    """Returns a given (1, 1, h, w) attention map for every image, at ``output_index`` 0."""

    def __init__(self, attention: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("attention", attention)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.attention.expand(x.shape[0], -1, -1, -1), x.mean(dim=(1, 2, 3))


def _count_forwards(network: nn.Module) -> list[int]:
    calls = [0]

    def hook(*_: object) -> None:
        calls[0] += 1

    network.register_forward_hook(hook)
    return calls


@pytest.mark.parametrize(
    "input_shape, expected_shape",
    [
        [(2, 3, 32, 32), (2, 1, 32, 32)],
        [(1, 3, 64, 48), (1, 1, 64, 48)],
        [(3, 3, 50, 70), (3, 1, 50, 70)],
    ],
)
def test_shape_range_and_one_forward(input_shape: tuple, expected_shape: tuple) -> None:
    torch.manual_seed(0)
    network = TinyAttentionNet()
    calls = _count_forwards(network)
    maps = AttentionMapSource(network)(torch.rand(input_shape))
    assert maps.shape == expected_shape
    assert maps.min() >= 0.0 and maps.max() <= 1.0
    assert not maps.requires_grad
    assert calls[0] == 1


def test_eval_mode_is_used_and_restored() -> None:
    torch.manual_seed(0)
    network = TinyAttentionNet().train()
    images = torch.rand(2, 3, 32, 32)
    running_mean = network.trunk.layer1[1].running_mean.clone()
    first, second = AttentionMapSource(network)(images), AttentionMapSource(network)(images)
    torch.testing.assert_close(first, second)  # no dropout, BatchNorm on running statistics
    torch.testing.assert_close(network.trunk.layer1[1].running_mean, running_mean)
    assert network.training


def test_values_bilinear_and_clamped() -> None:
    # a 1x2 map [0.2, 0.6] upsampled (align_corners=False) to width 4: [0.2, 0.3, 0.5, 0.6]
    network = FixedAttentionNet(torch.tensor([[[[0.2, 0.6]]]]))
    maps = AttentionMapSource(network, output_index=0)(torch.rand(1, 3, 1, 4))
    torch.testing.assert_close(maps, torch.tensor([[[[0.2, 0.3, 0.5, 0.6]]]]))
    # outputs outside [0, 1] (no sigmoid, or bicubic overshoot) are clamped
    network = FixedAttentionNet(torch.tensor([[[[-0.5, 1.5]]]]))
    maps = AttentionMapSource(network, output_index=0)(torch.rand(1, 3, 1, 4))
    torch.testing.assert_close(maps, torch.tensor([[[[0.0, 0.0, 1.0, 1.0]]]]))


def test_map_from_output_shares_the_feature_pass() -> None:
    torch.manual_seed(0)
    network = TinyAttentionNet()
    images = torch.rand(2, 3, 32, 32)
    source = AttentionMapSource(network)
    calls = _count_forwards(network)
    _, output = FeatureExtractor(network).extract(images)
    maps = source.map_from_output(output, images.shape[2:])
    assert calls[0] == 1
    torch.testing.assert_close(maps, source(images))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"network": lambda x: x},
        {"network": nn.Identity(), "output_index": "1"},
        {"network": nn.Identity(), "output_index": 1.0},
        {"network": nn.Identity(), "mode": "linear"},
    ],
)
def test_ill_options(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        AttentionMapSource(**kwargs)


@pytest.mark.parametrize(
    "output_index, network, input_shape",
    [
        [1, nn.Identity(), (1, 3, 8, 8)],  # output is not a tuple
        [5, TinyAttentionNet(), (1, 3, 32, 32)],  # index out of range
        [0, TinyAttentionNet(), (1, 3, 32, 32)],  # the embedding is not a (B, 1, h, w) map
        [1, TinyAttentionNet(), (3, 32, 32)],  # unbatched input
    ],
)
def test_ill_outputs_and_inputs(output_index: int, network: nn.Module, input_shape: tuple) -> None:
    with pytest.raises(ValueError):
        AttentionMapSource(network, output_index=output_index)(torch.rand(input_shape))


@pytest.mark.parametrize(
    "attention, expected",
    [
        # saturated map that still ranks pixels: stretched to [0, 1] per image
        ([[0.90, 0.95], [0.92, 1.00]], [[0.0, 0.5], [0.2, 1.0]]),
        # constant map carries no ranking: all zeros, no division by zero
        ([[0.97, 0.97], [0.97, 0.97]], [[0.0, 0.0], [0.0, 0.0]]),
    ],
)
def test_rescale_per_image(attention: list, expected: list) -> None:
    network = FixedAttentionNet(torch.tensor([[attention]]))
    source = AttentionMapSource(network, output_index=0, mode="nearest", rescale=True)
    maps = source(torch.zeros(1, 3, 2, 2))
    assert torch.allclose(maps[0, 0], torch.tensor(expected), atol=1e-6)
