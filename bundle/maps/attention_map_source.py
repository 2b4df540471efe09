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

"""Attention maps of a network that returns its own spatial attention, upsampled to the input size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from monai.networks.utils import eval_mode
from monai.transforms import ScaleIntensity
from monai.utils import convert_to_tensor

__all__ = ["AttentionMapSource"]

_INTERPOLATION_MODES = ("bilinear", "bicubic", "nearest", "area")
_MODES_WITH_ALIGN_CORNERS = ("bilinear", "bicubic")


class AttentionMapSource:
    """Read the attention map a network returns and bring it to image resolution.

    The network (e.g. ``AttentionManifoldNet``) returns a tuple whose ``output_index``-th item is an attention
    map (B, 1, h, w) in [0, 1] at a fraction of the input resolution. One call costs one forward pass in eval mode
    under ``no_grad``; :meth:`map_from_output` turns the output of a pass made elsewhere (e.g. by
    ``FeatureExtractor.extract``) into the same map without running the network again.

    Args:
        network: module whose forward returns a tuple/list holding the attention map.
        output_index: position of the attention map in the network output.
        mode: interpolation mode of ``torch.nn.functional.interpolate`` (align_corners=False for linear modes).
        rescale: min-max rescale each map to [0, 1], as GradCAM maps are. Off in the paper, whose maps stay inside
            the sigmoid's range; trained from scratch, the map's absolute level drifts (the embedding is
            L2-normalised, so only relative attention matters) and T = 0.5 is then only meaningful after rescaling.

    Example::

        source = AttentionMapSource(net)
        maps = source(images)  # (B, 1, H, W) in [0, 1]
    """

    def __init__(
        self, network: nn.Module, output_index: int = 1, mode: str = "bilinear", rescale: bool = False
    ) -> None:
        if not isinstance(network, nn.Module):
            raise ValueError(f"network must be a torch.nn.Module, got {type(network).__name__}.")
        if isinstance(output_index, bool) or not isinstance(output_index, int):
            raise ValueError(f"output_index must be an int, got {output_index!r}.")
        if mode not in _INTERPOLATION_MODES:
            raise ValueError(f"mode must be one of {_INTERPOLATION_MODES}, got {mode!r}.")
        self.network = network
        self.output_index = output_index
        self.mode = mode
        # channel_wise iterates over the first dimension: one min-max per image of a (B, 1, h, w) batch
        self._scaler = ScaleIntensity(minv=0.0, maxv=1.0, channel_wise=True) if rescale else None

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """Compute attention maps for a batch.

        Args:
            images: (B, C, H, W) input batch.

        Returns:
            (B, 1, H, W) attention maps in [0, 1].
        """
        if images.ndim != 4:
            raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}.")
        with eval_mode(self.network):
            output = self.network(images)
        return self.map_from_output(output, images.shape[2:])

    def map_from_output(self, output: Sequence[Any], spatial_size: Sequence[int]) -> torch.Tensor:
        """Extract the attention map from a network output and resize it.

        Args:
            output: the network output (tuple or list) holding a (B, 1, h, w) map at ``output_index``.
            spatial_size: target (H, W).

        Returns:
            (B, 1, H, W) float maps in [0, 1], detached from the graph.
        """
        if not isinstance(output, (tuple, list)):
            raise ValueError(f"the network output must be a tuple or list, got {type(output).__name__}.")
        if not -len(output) <= self.output_index < len(output):
            raise ValueError(f"output_index {self.output_index} is out of range for an output of length {len(output)}.")
        attention = output[self.output_index]
        if not isinstance(attention, torch.Tensor) or attention.ndim != 4 or attention.shape[1] != 1:
            found = tuple(attention.shape) if isinstance(attention, torch.Tensor) else type(attention).__name__
            raise ValueError(f"the attention output must be a (B, 1, h, w) tensor, got {found}.")
        attention = attention.detach().float()
        if self._scaler is not None:
            attention = convert_to_tensor(self._scaler(attention), track_meta=False)
        align_corners = False if self.mode in _MODES_WITH_ALIGN_CORNERS else None
        resized = F.interpolate(attention, size=tuple(spatial_size), mode=self.mode, align_corners=align_corners)
        # bicubic overshoots and a network need not end in a sigmoid: keep the documented range.
        return resized.clamp_(0.0, 1.0)
