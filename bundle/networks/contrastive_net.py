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
"""A ResNet trunk with a projection head, for label-free contrastive pre-training of the manifold's trunk."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
from monai.networks.layers import Pool

from .resnet_trunk import ResNetTrunk

__all__ = ["ContrastiveNet"]


class ContrastiveNet(nn.Module):
    """``ResNetTrunk``, global average pooling and an MLP projection head (SimCLR's design).

    Trained with a contrastive loss on two augmented views of each image (no labels), its ``trunk`` is the
    stand-in for ImageNet weights when none are available: ``trunk.state_dict()`` uses ``ResNetTrunk``'s
    (torchvision's) names, so ``AttentionManifoldNet(pretrained_path=...)`` loads it like an ImageNet file.

    Args:
        spatial_dims: number of spatial dimensions of the input.
        in_channels: number of input channels.
        depth: ResNet depth of the trunk (see ``ResNetTrunk``).
        widen_factor: multiplier of the trunk's widths.
        conv1_t_stride: stride of the trunk's stem convolution.
        no_max_pool: skip the trunk's stem max pooling.
        last_layer: the trunk's last residual stage.
        projection_channels: widths of the head's linear layers, ReLU between them; the last is the output.

    Example:
        ``ContrastiveNet(depth=10, last_layer="layer2")(torch.rand(4, 3, 128, 128)).shape == (4, 64)``
    """

    def __init__(
        self,
        spatial_dims: int = 2,
        in_channels: int = 3,
        depth: int = 50,
        widen_factor: float = 1.0,
        conv1_t_stride: int = 2,
        no_max_pool: bool = False,
        last_layer: str = "layer3",
        projection_channels: Sequence[int] = (128, 64),
    ) -> None:
        super().__init__()
        if not projection_channels or min(projection_channels) < 1:
            raise ValueError(f"projection_channels must be positive widths, got {tuple(projection_channels)}.")
        self.trunk = ResNetTrunk(
            spatial_dims=spatial_dims,
            in_channels=in_channels,
            depth=depth,
            widen_factor=widen_factor,
            conv1_t_stride=conv1_t_stride,
            no_max_pool=no_max_pool,
            last_layer=last_layer,
        )
        self.pool = nn.Sequential(Pool[Pool.ADAPTIVEAVG, spatial_dims](1), nn.Flatten())
        self.head = _mlp([self.trunk.out_channels, *projection_channels])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Project images (B, in_channels, *spatial) to (B, projection_channels[-1]), not normalised."""
        return self.head(self.pool(self.trunk(x)))


def _mlp(widths: Sequence[int]) -> nn.Sequential:
    """Linear layers ``widths[0] -> ... -> widths[-1]`` with ReLU between them, none after the last."""
    layers: list[nn.Module] = []
    for c_in, c_out in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(c_in, c_out), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers[:-1])
