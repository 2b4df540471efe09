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
"""A ResNet classifier on the manifold network's trunk: the GradCAM baseline at a matched depth budget."""

from __future__ import annotations

import os

import torch
import torch.nn as nn
from monai.networks.layers import Pool

from .pretrained import load_resnet_weights
from .resnet_trunk import ResNetTrunk

__all__ = ["ResNetClassifier"]


class ResNetClassifier(nn.Module):
    """``ResNetTrunk`` cut after ``last_layer``, global average pooling and a linear layer to class logits.

    With ``last_layer="layer4"`` it is a standard ResNet (the paper's GradCAM baselines, ResNet-50/101); cut
    earlier it has the attention network's trunk, so that a GradCAM map and an attention map come from the same
    features at the same resolution. GradCAM reads ``trunk.<last_layer>``, the last stage before pooling, whose
    gradients are the most class-specific.

    Args:
        spatial_dims: number of spatial dimensions of the input.
        in_channels: number of input channels.
        num_classes: number of output logits.
        depth: ResNet depth of the trunk (see ``ResNetTrunk``).
        widen_factor: multiplier of the trunk's widths.
        conv1_t_stride: stride of the trunk's stem convolution.
        no_max_pool: skip the trunk's stem max pooling.
        last_layer: the trunk's last residual stage, ``"layer1"`` ... ``"layer4"``.
        pretrained_path: optional local file of ImageNet ResNet weights (torchvision layout) for the trunk.

    Example:
        ``ResNetClassifier(num_classes=7, depth=10, last_layer="layer2")(torch.rand(2, 3, 128, 128)).shape == (2, 7)``
    """

    def __init__(
        self,
        spatial_dims: int = 2,
        in_channels: int = 3,
        num_classes: int = 7,
        depth: int = 50,
        widen_factor: float = 1.0,
        conv1_t_stride: int = 2,
        no_max_pool: bool = False,
        last_layer: str = "layer4",
        pretrained_path: str | os.PathLike | None = None,
    ) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be positive, got {num_classes}.")
        self.trunk = ResNetTrunk(
            spatial_dims=spatial_dims,
            in_channels=in_channels,
            depth=depth,
            widen_factor=widen_factor,
            conv1_t_stride=conv1_t_stride,
            no_max_pool=no_max_pool,
            last_layer=last_layer,
        )
        if pretrained_path is not None:
            load_resnet_weights(self.trunk, pretrained_path)
        self.pool = nn.Sequential(Pool[Pool.ADAPTIVEAVG, spatial_dims](1), nn.Flatten())
        self.fc = nn.Linear(self.trunk.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of images (B, in_channels, *spatial)."""
        return self.fc(self.pool(self.trunk(x)))
