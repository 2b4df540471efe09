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
"""A MONAI ResNet cut after one of its residual stages: the feature extractor of the attention network."""

from __future__ import annotations

from collections import OrderedDict

import torch.nn as nn
from monai.networks.layers.utils import get_norm_layer
from monai.networks.nets.resnet import ResNet, ResNetBlock, ResNetBottleneck, get_inplanes, resnet_params
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ["ResNetTrunk"]

STAGE_NAMES = ("layer1", "layer2", "layer3", "layer4")
BLOCKS: dict[str, type[ResNetBlock | ResNetBottleneck]] = {"basic": ResNetBlock, "bottleneck": ResNetBottleneck}
# depth -> (block, blocks per stage), read from MONAI's own resnetXX table.
DEPTHS: dict[int, tuple[str, list[int]]] = {
    int(name.removeprefix("resnet")): (block, layers) for name, (block, layers, *_) in resnet_params.items()
}


class ResNetTrunk(nn.Sequential):
    """The stem and the first residual stages of a MONAI ``ResNet``, without pooling or classifier.

    Children keep MONAI's names (``conv1``, ``bn1``, ``act``, ``maxpool``, ``layer1`` ...), which are also
    torchvision's, so checkpoints and forward hooks address the same modules. Shortcuts are 1x1 conv + norm
    without bias (MONAI ``shortcut_type="B"``, ``bias_downsample=False``), as in torchvision, for every depth.
    Unlike MONAI's ``ResNet`` default, the first convolution has stride 2 by default, so that the ``layer3``
    map of a 224 px image is 14x14 as in the paper.

    Args:
        spatial_dims: number of spatial dimensions of the input.
        in_channels: number of input channels.
        depth: ResNet depth, one of 10, 18, 34, 50, 101, 152, 200.
        widen_factor: multiplier of every stage's width (MONAI ``widen_factor``).
        conv1_t_stride: stride of the 7x7 stem convolution.
        no_max_pool: skip the stem max pooling (the ``maxpool`` child is then an identity).
        last_layer: the last residual stage kept, ``"layer1"`` ... ``"layer4"``.
        norm: normalisation type and arguments (MONAI layer factory), used in the stem and in every block.

    Attributes:
        out_channels: channels of the output feature map.
        reduction: ratio of input to output spatial size.

    Example:
        ``ResNetTrunk(depth=50)(torch.rand(2, 3, 224, 224)).shape == (2, 1024, 14, 14)``
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
        norm: str | tuple = "batch",
    ) -> None:
        _validate(spatial_dims, in_channels, depth, widen_factor, conv1_t_stride, last_layer)
        block_name, layers = DEPTHS[depth]
        resnet = ResNet(
            block=BLOCKS[block_name],
            layers=layers,
            block_inplanes=get_inplanes(),
            spatial_dims=spatial_dims,
            n_input_channels=in_channels,
            conv1_t_stride=conv1_t_stride,
            no_max_pool=no_max_pool,
            shortcut_type="B",
            widen_factor=widen_factor,
            feed_forward=False,
            bias_downsample=False,
            norm=norm,
        )
        _use_norm_everywhere(resnet, norm, spatial_dims)
        num_stages = STAGE_NAMES.index(last_layer) + 1
        stem = [
            ("conv1", resnet.conv1),
            ("bn1", resnet.bn1),
            ("act", resnet.act),
            ("maxpool", nn.Identity() if no_max_pool else resnet.maxpool),
        ]
        stages = [(name, getattr(resnet, name)) for name in STAGE_NAMES[:num_stages]]
        super().__init__(OrderedDict(stem + stages))
        self.last_layer = last_layer
        self.out_channels = int(get_inplanes()[num_stages - 1] * widen_factor) * BLOCKS[block_name].expansion
        self.reduction = conv1_t_stride * (1 if no_max_pool else 2) * 2 ** (num_stages - 1)


def _validate(
    spatial_dims: int, in_channels: int, depth: int, widen_factor: float, conv1_t_stride: int, last_layer: str
) -> None:
    if spatial_dims not in (1, 2, 3):
        raise ValueError(f"spatial_dims must be 1, 2 or 3, got {spatial_dims}.")
    if in_channels < 1:
        raise ValueError(f"in_channels must be positive, got {in_channels}.")
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {sorted(DEPTHS)}, got {depth}.")
    if int(min(get_inplanes()) * widen_factor) < 1:
        raise ValueError(f"widen_factor must leave every stage at least one channel, got {widen_factor}.")
    if conv1_t_stride < 1:
        raise ValueError(f"conv1_t_stride must be positive, got {conv1_t_stride}.")
    if last_layer not in STAGE_NAMES:
        raise ValueError(f"last_layer must be one of {STAGE_NAMES}, got {last_layer!r}.")


def _use_norm_everywhere(resnet: ResNet, norm: str | tuple, spatial_dims: int) -> None:
    """Replace the residual blocks' batch norms by ``norm``: MONAI 1.6 ``ResNet`` applies ``norm`` to the stem only."""
    if norm == "batch":
        return
    for parent in list(resnet.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, _BatchNorm):
                replacement = get_norm_layer(name=norm, spatial_dims=spatial_dims, channels=child.num_features)
                setattr(parent, child_name, replacement)
