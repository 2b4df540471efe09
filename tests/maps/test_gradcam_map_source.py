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

"""Tests of the GradCAM map source."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
from monai.networks.nets import resnet18

from bundle.maps.gradcam_map_source import GradCAMMapSource

TOP_LEFT = (slice(0, 8), slice(0, 8))
BOTTOM_RIGHT = (slice(8, 16), slice(8, 16))
TOP_LEFT_CORE = (slice(2, 6), slice(2, 6))  # away from the bilinear blur at the quadrant border
BOTTOM_RIGHT_CORE = (slice(10, 14), slice(10, 14))


class HandSetClassifier(nn.Module):
    """layer4 copies input channels 0 and 1 at half resolution; class k scores the mean of channel k."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.AvgPool2d(2), nn.BatchNorm2d(3, affine=False))
        self.layer4 = nn.Sequential(nn.Conv2d(3, 2, 1, bias=False), nn.ReLU())
        self.fc = nn.Linear(2, 2, bias=False)
        with torch.no_grad():
            self.layer4[0].weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).view(2, 3, 1, 1))
            self.fc.weight.copy_(torch.eye(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.layer4(self.stem(x)).mean(dim=(2, 3)))


def _image(strong: tuple[slice, slice], weak: tuple[slice, slice], strong_channel: int) -> torch.Tensor:
    """(3, 16, 16): ``strong_channel`` is 1 in ``strong``; the other of channels 0/1 is 0.5 in ``weak``."""
    image = torch.zeros(3, 16, 16)
    image[(strong_channel, *strong)] = 1.0
    image[(1 - strong_channel, *weak)] = 0.5
    return image


def test_map_is_high_where_the_evidence_is_not_inverted() -> None:
    source = GradCAMMapSource(HandSetClassifier())
    maps = source(_image(TOP_LEFT, BOTTOM_RIGHT, strong_channel=0)[None])  # predicted class 0
    assert maps.shape == (1, 1, 16, 16)
    torch.testing.assert_close(maps[(0, 0, *TOP_LEFT_CORE)], torch.ones(4, 4))
    torch.testing.assert_close(maps[(0, 0, *BOTTOM_RIGHT_CORE)], torch.zeros(4, 4))
    assert maps.min() == 0.0 and maps.max() == 1.0


def test_each_sample_uses_its_own_predicted_class() -> None:
    # MONAI's class_score would sum both predicted classes for every sample and light up the weak quadrant too
    images = torch.stack(
        [_image(TOP_LEFT, BOTTOM_RIGHT, strong_channel=0), _image(BOTTOM_RIGHT, TOP_LEFT, strong_channel=1)]
    )
    maps = GradCAMMapSource(HandSetClassifier())(images)
    torch.testing.assert_close(maps[(0, 0, *TOP_LEFT_CORE)], torch.ones(4, 4))
    torch.testing.assert_close(maps[(0, 0, *BOTTOM_RIGHT_CORE)], torch.zeros(4, 4))
    torch.testing.assert_close(maps[(1, 0, *BOTTOM_RIGHT_CORE)], torch.ones(4, 4))
    torch.testing.assert_close(maps[(1, 0, *TOP_LEFT_CORE)], torch.zeros(4, 4))


@pytest.mark.parametrize("class_idx", [1, [1, 1], torch.tensor([1, 1])])
def test_explicit_class_index(class_idx: int | list[int] | torch.Tensor) -> None:
    image = _image(TOP_LEFT, BOTTOM_RIGHT, strong_channel=0)
    maps = GradCAMMapSource(HandSetClassifier())(torch.stack([image, image]), class_idx=class_idx)
    for b in range(2):
        torch.testing.assert_close(maps[(b, 0, *BOTTOM_RIGHT_CORE)], torch.ones(4, 4))
        torch.testing.assert_close(maps[(b, 0, *TOP_LEFT_CORE)], torch.zeros(4, 4))


def test_constant_map_becomes_zeros() -> None:
    image = torch.zeros(1, 3, 16, 16)
    image[:, 0] = 0.7  # layer4 activation is constant over the image
    maps = GradCAMMapSource(HandSetClassifier())(image)
    torch.testing.assert_close(maps, torch.zeros(1, 1, 16, 16))


def test_eval_mode_used_and_restored_and_gradients_released() -> None:
    network = HandSetClassifier().train()
    batch_norm = network.stem[1]
    with torch.no_grad():
        batch_norm.running_mean.fill_(0.1)
    images = torch.rand(2, 3, 16, 16)
    with torch.no_grad():  # callers may hold no_grad: the map still needs a backward pass
        GradCAMMapSource(network)(images)
    torch.testing.assert_close(batch_norm.running_mean, torch.full((3,), 0.1))
    assert network.training
    assert all(p.grad is None for p in network.parameters())


def test_real_resnet18() -> None:
    torch.manual_seed(0)
    network = resnet18(spatial_dims=2, n_input_channels=3, num_classes=3, conv1_t_stride=2, widen_factor=0.25)
    maps = GradCAMMapSource(network)(torch.rand(2, 3, 64, 64))
    assert maps.shape == (2, 1, 64, 64)
    assert not maps.requires_grad
    for b in range(2):
        assert maps[b].min() == 0.0 and maps[b].max() in (0.0, 1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"network": lambda x: x},
        {"network": HandSetClassifier(), "target_layers": "layer5"},
    ],
)
def test_ill_options(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        GradCAMMapSource(**kwargs)


@pytest.mark.parametrize(
    "input_shape, class_idx",
    [
        [(3, 16, 16), None],  # unbatched
        [(2, 3, 16, 16), [0, 1, 1]],  # one index per sample needed
    ],
)
def test_ill_inputs(input_shape: tuple, class_idx: list[int] | None) -> None:
    with pytest.raises(ValueError):
        GradCAMMapSource(HandSetClassifier())(torch.rand(input_shape), class_idx=class_idx)
