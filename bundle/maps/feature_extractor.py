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

"""Per-pixel node features for the graph cut: intermediate layers of a network (and the image) on one grid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from monai.networks.utils import eval_mode
from torch.utils.hooks import RemovableHandle

from bundle.utils import unwrap_module

__all__ = ["FeatureExtractor"]


class FeatureExtractor:
    """Stack the outputs of named layers, resized to one grid, from a single forward pass.

    Each layer output (B, C_i, h_i, w_i) is resized bilinearly (align_corners=False, antialiased when shrinking) to
    the grid and, with ``normalize``, L2-normalised over its channels at each pixel so that no layer dominates the
    distances by its scale. With ``include_image`` the input image, resized to the grid, is appended last (low-level
    colour); with ``normalize`` it is centred and divided by the root mean square norm of its pixels, so that its
    mean squared distance between pixels (2) matches that of a block of uncorrelated unit vectors, whatever the
    caller's intensity normalisation. Forward hooks are registered for the pass only.

    Args:
        network: module holding the named layers (a DistributedDataParallel wrapper is looked through).
        layers: dotted names of the layers (``named_modules``) to read; the first sets the default grid.
        grid_size: output (gh, gw); None takes the spatial size of the first listed layer's output.
        include_image: append the resized input image (C_in channels).
        normalize: L2-normalise each layer per pixel and scale the image block as described above.
        eps: guard against division by zero in the normalisations.

    Example::

        extractor = FeatureExtractor(net, layers=("trunk.layer1", "trunk.layer3"), include_image=True)
        features, (embedding, attention) = extractor.extract(images)  # features (B, C1 + C3 + 3, gh, gw)
    """

    def __init__(
        self,
        network: nn.Module,
        layers: Sequence[str] = ("trunk.layer1", "trunk.layer3"),
        grid_size: Sequence[int] | None = None,
        include_image: bool = False,
        normalize: bool = True,
        eps: float = 1e-6,
    ) -> None:
        if not isinstance(network, nn.Module):
            raise ValueError(f"network must be a torch.nn.Module, got {type(network).__name__}.")
        network = unwrap_module(network)  # layer names as in the module; its forward without DDP's collectives
        if isinstance(layers, str):
            raise ValueError(f"layers must be a sequence of layer names, got the string {layers!r}.")
        layers = tuple(layers)
        if not layers:
            raise ValueError("layers must name at least one layer, got an empty sequence.")
        if len(set(layers)) != len(layers):
            raise ValueError(f"layers must not repeat a name, got {layers}.")
        modules = dict(network.named_modules())
        missing = [name for name in layers if name not in modules or name == ""]
        if missing:
            raise ValueError(f"layers {missing} are not submodules of the network.")
        if grid_size is not None:
            grid_size = tuple(grid_size)
            if len(grid_size) != 2 or not all(isinstance(s, int) and s > 0 for s in grid_size):
                raise ValueError(f"grid_size must be two positive ints (gh, gw) or None, got {grid_size!r}.")
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps}.")
        self.network = network
        self.layers = layers
        self.grid_size = grid_size
        self.include_image = include_image
        self.normalize = normalize
        self.eps = eps
        self._modules = [modules[name] for name in layers]

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """Compute the node features of a batch.

        Args:
            images: (B, C_in, H, W) input batch.

        Returns:
            (B, C_total, gh, gw) features, C_total = sum of the layers' channels (+ C_in with ``include_image``).
        """
        return self.extract(images)[0]

    def extract(self, images: torch.Tensor) -> tuple[torch.Tensor, Any]:
        """Compute the node features and return the network output of the same forward pass.

        Args:
            images: (B, C_in, H, W) input batch.

        Returns:
            features (B, C_total, gh, gw) and the network's output, both computed in eval mode under no_grad.
        """
        if images.ndim != 4:
            raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}.")
        captured: dict[int, torch.Tensor] = {}
        handles = [self._capture(module, index, captured) for index, module in enumerate(self._modules)]
        try:
            with eval_mode(self.network):
                output = self.network(images)
        finally:
            for handle in handles:
                handle.remove()
        blocks = [captured[index] for index in range(len(self.layers))]
        grid = self.grid_size or tuple(blocks[0].shape[2:])
        features = [self._layer_block(block, grid) for block in blocks]
        if self.include_image:
            features.append(self._image_block(images, grid))
        return torch.cat(features, dim=1), output

    @staticmethod
    def _capture(module: nn.Module, index: int, captured: dict[int, torch.Tensor]) -> RemovableHandle:
        def hook(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
            if not isinstance(output, torch.Tensor) or output.ndim != 4:
                raise ValueError(f"layer outputs must be (B, C, h, w) tensors, got {type(output).__name__}.")
            captured[index] = output.detach()

        return module.register_forward_hook(hook)

    def _layer_block(self, block: torch.Tensor, grid: Sequence[int]) -> torch.Tensor:
        block = _resize(block.float(), grid)
        return F.normalize(block, dim=1, eps=self.eps) if self.normalize else block

    def _image_block(self, images: torch.Tensor, grid: Sequence[int]) -> torch.Tensor:
        block = _resize(images.detach().float(), grid)
        if not self.normalize:
            return block
        centred = block - block.mean(dim=(2, 3), keepdim=True)
        rms_norm = centred.pow(2).sum(dim=1).mean(dim=(1, 2)).sqrt().view(-1, 1, 1, 1)
        return centred / rms_norm.clamp_min(self.eps)


def _resize(block: torch.Tensor, grid: Sequence[int]) -> torch.Tensor:
    if tuple(block.shape[2:]) == tuple(grid):
        return block
    # antialias keeps thin structures of a large map visible on a coarse grid instead of sampling them
    return F.interpolate(block, size=tuple(grid), mode="bilinear", align_corners=False, antialias=True)
