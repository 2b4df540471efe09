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
"""The manifold network with an attention module (paper 1, Sec. 2.1) and DCML's per-learner embedding slices."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from monai.networks.layers import Conv
from torch.nn.modules.batchnorm import _BatchNorm

from .pretrained import load_resnet_weights
from .resnet_trunk import ResNetTrunk

__all__ = ["AttentionManifoldNet"]


_POOLINGS = ("mean", "attention")


class AttentionManifoldNet(nn.Module):
    """ResNet trunk, attention module, attentive average pooling and a linear embedding split among learners.

    With ``f`` the trunk features (B, c, h, w) and ``a`` the sigmoid attention map (B, 1, h, w), the embedding is
    ``Linear(Dropout(mean_hw(a * f)))`` (``pooling="mean"``, the paper's global average pooling) or
    ``Linear(Dropout(sum_hw(a * f) / sum_hw(a)))`` (``pooling="attention"``: the attention's overall level then
    does not change the embedding, so it cannot drift to saturation and only where it looks matters); its
    ``num_learners`` consecutive slices of ``ceil(d / K)`` dimensions (the last may be shorter) are L2-normalised
    each on its own, as in divide-and-conquer metric learning.
    With one learner the whole embedding is one unit vector.

    Args:
        spatial_dims: number of spatial dimensions of the input.
        in_channels: number of input channels.
        depth: ResNet depth of the trunk (see ``ResNetTrunk``).
        widen_factor: multiplier of the trunk's widths.
        conv1_t_stride: stride of the trunk's stem convolution.
        no_max_pool: skip the trunk's stem max pooling.
        last_layer: the trunk's last residual stage; ``"layer3"`` (1/16 of the input with the default stem) in the
            paper. An earlier cut gives a finer map from features that see less of the image around them.
        embedding_dim: dimension ``d`` of the embedding.
        num_learners: number ``K`` of learners sharing the embedding; can be changed after construction.
        attention_channels: channels of the hidden 3x3 convolutions of the attention module.
        dropout: dropout probability before the embedding layer.
        freeze_bn: keep the trunk's batch norms in eval mode with frozen affine parameters, even in ``train()``.
        freeze_trunk: train nothing of the trunk: none of its parameters needs a gradient, and its batch norms stay
            in eval mode (``freeze_bn`` is implied). For a trunk pretrained elsewhere (``pretrained_path``) that
            the attention module must learn to read as it is.
        pretrained_path: optional local file of ImageNet ResNet weights (torchvision layout) for the trunk.
        pooling: ``"mean"`` (global average pooling of ``a * f``, the paper) or ``"attention"`` (mean of ``f``
            weighted by ``a``).
        attention_kernel_size: kernel size of the attention module's convolutions: 3 in the paper; 1 makes each map
            cell depend on the trunk features of that cell only, not on those of its neighbours.

    Example:
        ``embedding, attention = AttentionManifoldNet(num_learners=8)(images)`` with images (B, 3, 224, 224)
        gives embedding (B, 128) and attention (B, 1, 14, 14) in [0, 1].
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
        embedding_dim: int = 128,
        num_learners: int = 1,
        attention_channels: Sequence[int] = (128, 32),
        dropout: float = 0.01,
        freeze_bn: bool = False,
        freeze_trunk: bool = False,
        pretrained_path: str | os.PathLike | None = None,
        pooling: str = "mean",
        attention_kernel_size: int = 3,
    ) -> None:
        super().__init__()
        _validate(embedding_dim, attention_channels, dropout, attention_kernel_size)
        if pooling not in _POOLINGS:
            raise ValueError(f"pooling must be one of {_POOLINGS}, got {pooling!r}.")
        self.pooling = pooling
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
        self.attention = _attention_module(
            spatial_dims, self.trunk.out_channels, attention_channels, attention_kernel_size
        )
        self.dropout = nn.Dropout(dropout)
        self.embedding = nn.Linear(self.trunk.out_channels, embedding_dim)
        self.embedding_dim = embedding_dim
        self.freeze_bn = freeze_bn or freeze_trunk
        self.num_learners = num_learners
        if freeze_trunk:
            self.trunk.requires_grad_(False)
        if self.freeze_bn:
            for norm in self._trunk_batch_norms():
                norm.requires_grad_(False)
            self.train(self.training)  # puts the frozen norms in eval mode from the start

    @property
    def num_learners(self) -> int:
        """Number of learners ``K``; each owns ``ceil(embedding_dim / K)`` consecutive dimensions."""
        return self._num_learners

    @num_learners.setter
    def num_learners(self, value: int) -> None:
        slice_size = _slice_size(self.embedding_dim, value)
        self._num_learners = value
        self._slice_size = slice_size

    def learner_slices(self) -> list[slice]:
        """The embedding dimensions owned by each learner, in learner order."""
        starts = range(0, self.embedding_dim, self._slice_size)
        return [slice(start, min(start + self._slice_size, self.embedding_dim)) for start in starts]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Embed images and return the attention maps of the same pass.

        Args:
            x: images (B, in_channels, H, W).

        Returns:
            the embedding (B, embedding_dim), unit norm per learner slice, and the attention map
            (B, 1, H / r, W / r) in [0, 1], with r = ``trunk.reduction`` (16 by default).
        """
        pooled, attention = self._attentive_pooling(x)
        embedding = self.embedding(self.dropout(pooled))
        return self._normalise_slices(embedding), attention

    def pooled_features(self, x: torch.Tensor) -> torch.Tensor:
        """L2-normalised attentive pooled trunk features (B, c), the input of the embedding layer.

        These are what DCML clusters with k-means; call it in eval mode under ``torch.no_grad()`` for that.
        """
        pooled, _ = self._attentive_pooling(x)
        return F.normalize(pooled, dim=1)

    def train(self, mode: bool = True) -> AttentionManifoldNet:
        """Set the training mode; with ``freeze_bn`` the trunk's batch norms stay in eval mode."""
        super().train(mode)
        if self.freeze_bn:
            for norm in self._trunk_batch_norms():
                norm.eval()
        return self

    def _attentive_pooling(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the attention-weighted spatial mean of the trunk features (B, c) and the map (B, 1, h, w)."""
        features = self.trunk(x)
        attention = self.attention(features)
        weighted = (features * attention).flatten(start_dim=2)
        if self.pooling == "attention":
            pooled = weighted.sum(dim=2) / attention.flatten(start_dim=2).sum(dim=2).clamp_min(1e-6)
        else:
            pooled = weighted.mean(dim=2)
        return pooled, attention

    def _normalise_slices(self, embedding: torch.Tensor) -> torch.Tensor:
        """L2-normalise each learner's slice of ``embedding`` (B, d) on its own."""
        chunks = torch.split(embedding, self._slice_size, dim=1)
        return torch.cat([F.normalize(chunk, dim=1) for chunk in chunks], dim=1)

    def _trunk_batch_norms(self) -> list[_BatchNorm]:
        return [module for module in self.trunk.modules() if isinstance(module, _BatchNorm)]


def _attention_module(
    spatial_dims: int, in_channels: int, hidden_channels: Sequence[int], kernel_size: int = 3
) -> nn.Sequential:
    """Convolutions ``in_channels -> hidden_channels... -> 1`` with ReLU between them and a final sigmoid."""
    conv_type = Conv[Conv.CONV, spatial_dims]
    widths = [in_channels, *hidden_channels, 1]
    layers: list[nn.Module] = []
    for c_in, c_out in zip(widths[:-1], widths[1:]):
        layers += [conv_type(c_in, c_out, kernel_size=kernel_size, padding=kernel_size // 2), nn.ReLU(inplace=True)]
    layers[-1] = nn.Sigmoid()
    return nn.Sequential(*layers)


def _slice_size(embedding_dim: int, num_learners: int) -> int:
    """Dimensions per learner, ``ceil(d / K)``; raise if some learner would own no dimension."""
    if not 1 <= num_learners <= embedding_dim:
        raise ValueError(f"num_learners must be in [1, embedding_dim={embedding_dim}], got {num_learners}.")
    size = math.ceil(embedding_dim / num_learners)
    if size * (num_learners - 1) >= embedding_dim:
        raise ValueError(
            f"num_learners={num_learners} leaves a learner without dimensions: slices of ceil({embedding_dim}/"
            f"{num_learners})={size} cover embedding_dim={embedding_dim} with fewer learners."
        )
    return size


def _validate(embedding_dim: int, attention_channels: Sequence[int], dropout: float, kernel_size: int) -> None:
    if embedding_dim < 1:
        raise ValueError(f"embedding_dim must be positive, got {embedding_dim}.")
    if any(channels < 1 for channels in attention_channels):
        raise ValueError(f"attention_channels must all be positive, got {tuple(attention_channels)}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(
            f"attention_kernel_size must be a positive odd number (the map keeps its size), got {kernel_size}."
        )
