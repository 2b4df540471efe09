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

"""Tests of the graph node feature extractor."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
from monai.networks.nets import resnet18

from bundle.maps.feature_extractor import FeatureExtractor


class TinyTrunkNet(nn.Module):
    """Stand-in for AttentionManifoldNet: trunk.layer1 (4 ch, /4), layer2 (6 ch, /8), layer3 (8 ch, /16)."""

    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            OrderedDict(
                layer1=nn.Sequential(nn.Conv2d(3, 4, 3, stride=4, padding=1), nn.BatchNorm2d(4), nn.ReLU()),
                layer2=nn.Conv2d(4, 6, 3, stride=2, padding=1),
                layer3=nn.Conv2d(6, 8, 3, stride=2, padding=1),
            )
        )
        self.attention = nn.Sequential(nn.Conv2d(8, 1, 1), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(x)
        return features.mean(dim=(2, 3)), self.attention(features)


def _hook_counts(network: nn.Module) -> int:
    return sum(len(module._forward_hooks) for module in network.modules())


@pytest.mark.parametrize(
    "kwargs, input_shape, expected_shape",
    [
        [{}, (2, 3, 64, 64), (2, 4 + 8, 16, 16)],
        [{"include_image": True}, (2, 3, 64, 64), (2, 4 + 8 + 3, 16, 16)],
        [{"layers": ("trunk.layer3", "trunk.layer1")}, (1, 3, 64, 32), (1, 8 + 4, 4, 2)],
        [{"layers": ("trunk.layer2",), "grid_size": (5, 7)}, (1, 3, 64, 64), (1, 6, 5, 7)],
        [{"grid_size": (32, 32), "include_image": True, "normalize": False}, (3, 3, 64, 64), (3, 4 + 8 + 3, 32, 32)],
    ],
)
def test_shapes(kwargs: dict, input_shape: tuple, expected_shape: tuple) -> None:
    torch.manual_seed(0)
    features = FeatureExtractor(TinyTrunkNet(), **kwargs)(torch.rand(input_shape))
    assert features.shape == expected_shape
    assert not features.requires_grad


def test_one_forward_hooks_removed_and_output_returned() -> None:
    torch.manual_seed(0)
    network = TinyTrunkNet().train()
    calls = [0]
    network.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    hooks_before = _hook_counts(network)
    images = torch.rand(2, 3, 32, 32)
    features, (embedding, attention) = FeatureExtractor(network, include_image=True).extract(images)
    assert calls[0] == 1
    assert _hook_counts(network) == hooks_before
    assert network.training
    network.eval()
    with torch.no_grad():
        expected_embedding, expected_attention = network(images)
    torch.testing.assert_close(embedding, expected_embedding)
    torch.testing.assert_close(attention, expected_attention)
    assert features.shape == (2, 4 + 8 + 3, 8, 8)


def test_hooks_removed_when_the_forward_fails() -> None:
    network = TinyTrunkNet()
    hooks_before = _hook_counts(network)
    with pytest.raises(RuntimeError):
        FeatureExtractor(network)(torch.rand(1, 5, 32, 32))  # wrong channel count
    assert _hook_counts(network) == hooks_before


def test_normalisation_per_layer_and_image_block() -> None:
    torch.manual_seed(0)
    network = TinyTrunkNet()
    images = torch.rand(2, 3, 64, 64)
    features = FeatureExtractor(network, include_image=True)(images)
    layer1, layer3, image = features[:, :4], features[:, 4:12], features[:, 12:]
    nonzero = layer1.norm(dim=1) > 0  # ReLU may leave all-zero pixels
    torch.testing.assert_close(layer1.norm(dim=1)[nonzero], torch.ones_like(layer1.norm(dim=1)[nonzero]))
    torch.testing.assert_close(layer3.norm(dim=1), torch.ones(2, 16, 16))
    # the image block is centred and has a mean squared pixel norm of 1
    torch.testing.assert_close(image.mean(dim=(2, 3)), torch.zeros(2, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(image.pow(2).sum(dim=1).mean(dim=(1, 2)), torch.ones(2))


def test_unnormalised_features_are_the_resized_layer_outputs() -> None:
    torch.manual_seed(0)
    network = TinyTrunkNet().eval()
    images = torch.rand(1, 3, 64, 64)
    features = FeatureExtractor(network, layers=("trunk.layer1",), include_image=True, normalize=False)(images)
    with torch.no_grad():
        layer1 = network.trunk.layer1(images)
    torch.testing.assert_close(features[:, :4], layer1)
    # the image is averaged down to the 16x16 grid: a 4x4 block of a constant image keeps its value
    constant = torch.full((1, 3, 64, 64), 0.25)
    features = FeatureExtractor(network, layers=("trunk.layer1",), include_image=True, normalize=False)(constant)
    torch.testing.assert_close(features[:, 4:], torch.full((1, 3, 16, 16), 0.25))


def test_real_resnet18() -> None:
    torch.manual_seed(0)
    network = resnet18(spatial_dims=2, n_input_channels=3, num_classes=3, conv1_t_stride=2, widen_factor=0.25)
    extractor = FeatureExtractor(network, layers=("layer1", "layer3"), include_image=True)
    features, logits = extractor.extract(torch.rand(2, 3, 64, 64))
    # widen_factor 0.25: layer1 16 channels at 1/4 (stride-2 stem + max pool), layer3 64 channels at 1/16
    assert features.shape == (2, 16 + 64 + 3, 16, 16)
    assert logits.shape == (2, 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"layers": ()},
        {"layers": "trunk.layer1"},
        {"layers": ("trunk.layer9",)},
        {"layers": ("",)},
        {"layers": ("trunk.layer1", "trunk.layer1")},
        {"grid_size": (16,)},
        {"grid_size": (0, 16)},
        {"grid_size": (16.0, 16)},
        {"eps": 0.0},
    ],
)
def test_ill_options(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        FeatureExtractor(TinyTrunkNet(), **kwargs)


def test_ill_network_and_input() -> None:
    with pytest.raises(ValueError):
        FeatureExtractor(lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        FeatureExtractor(TinyTrunkNet())(torch.rand(3, 32, 32))
