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

"""GradCAM maps of a classifier (the baseline), scaled per image to [0, 1] with high meaning "lesion"."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
from monai.transforms import ScaleIntensity
from monai.utils import convert_to_tensor
from monai.visualize import GradCAM
from monai.visualize.class_activation_maps import ModelWithHooks

__all__ = ["GradCAMMapSource"]


class _PerSampleClassHooks(ModelWithHooks):
    """``ModelWithHooks`` scoring each sample on its own class.

    MONAI 1.6 scores a batch with ``logits[:, class_idx]``: with one class index per sample this is a (B, B)
    matrix, so every map would mix the gradients of all classes predicted in the batch.
    """

    def class_score(  # type: ignore[override]
        self, logits: torch.Tensor, class_idx: int | torch.Tensor
    ) -> torch.Tensor:
        if isinstance(class_idx, int):
            return logits[:, class_idx]
        return logits.gather(1, class_idx.long().view(-1, 1).to(logits.device)).squeeze(1)


class GradCAMMapSource:
    """GradCAM of a classifier's ``target_layers`` output, upsampled to the input and min-max scaled per image.

    MONAI's default GradCAM postprocessing maps (min, max) to (1, 0), i.e. inverts the map; here each map is
    rescaled to (0, 1) instead, a constant map becoming zeros. The network runs in eval mode (BatchNorm uses its
    running statistics) and is put back in its previous mode afterwards. A call costs one forward and one backward
    pass; parameter gradients are released afterwards.

    Args:
        network: classifier returning logits (B, num_classes), e.g. ``monai.networks.nets.resnet50``.
        target_layers: dotted name of the layer whose activations and gradients make the map.

    Example::

        source = GradCAMMapSource(classifier)
        maps = source(images)  # (B, 1, H, W) in [0, 1], for the predicted classes
    """

    def __init__(self, network: nn.Module, target_layers: str = "layer4") -> None:
        if not isinstance(network, nn.Module):
            raise ValueError(f"network must be a torch.nn.Module, got {type(network).__name__}.")
        layer_names = {name for name, _ in network.named_modules()}
        if target_layers not in layer_names:
            raise ValueError(f"target_layers {target_layers!r} is not a submodule of the network.")
        self.network = network
        self.target_layers = target_layers
        self._hooks = _PerSampleClassHooks(network, target_layers, register_forward=True, register_backward=True)
        self._cam = GradCAM(nn_module=self._hooks, target_layers=target_layers, postprocessing=self._rescale)
        self._scaler = ScaleIntensity(minv=0.0, maxv=1.0, channel_wise=True)

    def __call__(
        self, images: torch.Tensor, class_idx: int | Sequence[int] | torch.Tensor | None = None
    ) -> torch.Tensor:
        """Compute GradCAM maps for a batch.

        Args:
            images: (B, C, H, W) input batch.
            class_idx: class to explain: one index for the whole batch, one per sample, or None for the
                predicted class of each sample.

        Returns:
            (B, 1, H, W) maps in [0, 1], detached.
        """
        if images.ndim != 4:
            raise ValueError(f"images must be (B, C, H, W), got shape {tuple(images.shape)}.")
        class_idx = self._as_class_index(class_idx, images.shape[0])
        # a frozen network would otherwise never trigger the backward hook on the target layer
        inputs = images.detach().clone().requires_grad_(True)
        try:
            with torch.enable_grad():
                maps = self._cam(inputs, class_idx=class_idx)
        finally:
            self._release_buffers()
        return maps.detach()

    @staticmethod
    def _as_class_index(
        class_idx: int | Sequence[int] | torch.Tensor | None, batch_size: int
    ) -> int | torch.Tensor | None:
        if class_idx is None or isinstance(class_idx, int):
            return class_idx
        index = torch.as_tensor(class_idx, dtype=torch.long).view(-1)
        if index.numel() != batch_size:
            raise ValueError(f"class_idx needs one index per sample ({batch_size}), got {index.numel()}.")
        return index

    def _rescale(self, maps: torch.Tensor) -> torch.Tensor:
        # channel_wise iterates over the first dimension, i.e. one min-max per image of the (B, 1, H, W) batch
        return convert_to_tensor(self._scaler(maps.detach()), track_meta=False)

    def _release_buffers(self) -> None:
        self._hooks.activations.clear()
        self._hooks.gradients.clear()
        self._hooks.score = None
        self.network.zero_grad(set_to_none=True)
