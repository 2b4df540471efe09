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
"""The inferer of proxy generation: a map source, optionally refined by a graph cut over network features."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from monai.data import MetaTensor
from monai.inferers import Inferer
from monai.transforms import ScaleIntensity
from monai.utils import convert_to_tensor


class ProxyMapInferer(Inferer):
    """Produce a lesion probability map per image, refined by a graph cut when a refiner is given.

    Args:
        map_source: callable ``images (B, 3, H, W) -> maps (B, 1, H, W)`` in [0, 1] (attention or GradCAM).
        refiner: optional graph-cut refiner with ``refine_batch(probs (B, 1, h, w), features (B, C, h, w))``
            returning a (B, 1, h, w) mask.
        feature_extractor: callable ``images -> features (B, C, h, w)`` giving the graph's node features; required
            with ``refiner``. The map is resampled to the features' grid before the cut.
        flip_axes: spatial axes (0, 1) of the (B, C, *spatial) input along which the flipped image is mapped too;
            the maps, flipped back, are averaged with the plain one (test-time flips, as weakly supervised
            segmentation usually computes its class maps). ``()``: one pass. Each axis costs one more pass; the graph
            cut's features still come from the plain image.
        rescale: min-max rescale each flip-averaged map to [0, 1], as a rescaling map source does each pass: a
            peak one pass puts on an artefact is diluted by the average, and the rescale then stretches the region
            the passes agree on over T.

    Returns (from ``__call__``): (B, 1, H, W) float maps in [0, 1] at the input size; with a refiner the refined
    binary mask, upsampled bilinearly so that the later resize to the image's own size stays smooth.
    """

    def __init__(
        self,
        map_source: Callable[[torch.Tensor], torch.Tensor],
        refiner: Any | None = None,
        feature_extractor: Callable[[torch.Tensor], torch.Tensor] | None = None,
        flip_axes: Sequence[int] = (),
        rescale: bool = False,
    ) -> None:
        super().__init__()
        if refiner is not None and feature_extractor is None:
            raise ValueError("a graph-cut refiner needs a feature_extractor for its node features.")
        flip_axes = tuple(flip_axes)
        if sorted(flip_axes) not in ([], [0], [1], [0, 1]) or any(isinstance(axis, bool) for axis in flip_axes):
            raise ValueError(f"flip_axes must hold distinct spatial axes 0 and/or 1, got {flip_axes}.")
        self.map_source = map_source
        self.refiner = refiner
        self.feature_extractor = feature_extractor
        self.flip_axes = flip_axes
        # channel_wise iterates over the first dimension: one min-max per image of a (B, 1, H, W) batch
        self._scaler = ScaleIntensity(minv=0.0, maxv=1.0, channel_wise=True) if rescale else None

    def __call__(self, inputs: torch.Tensor, network: Any = None, *args: Any, **kwargs: Any) -> torch.Tensor:
        """``network`` is unused: the map source and the feature extractor already wrap it."""
        maps = self._flip_averaged_maps(inputs) if self.flip_axes else self.map_source(inputs)
        if self.refiner is not None:
            maps = self._refine(inputs, maps)
        return self._with_meta_of(inputs, maps)

    def _flip_averaged_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Mean of the maps of the image and of its flips, each flipped back, rescaled if asked: (B, 1, H, W)."""
        images = convert_to_tensor(inputs, track_meta=False)  # the copies' metadata would not describe them
        total = convert_to_tensor(self.map_source(images), track_meta=False)
        for axis in self.flip_axes:
            dim = axis + 2
            total = total + convert_to_tensor(self.map_source(images.flip(dim)), track_meta=False).flip(dim)
        mean = total / (1 + len(self.flip_axes))
        return mean if self._scaler is None else convert_to_tensor(self._scaler(mean), track_meta=False)

    def _refine(self, inputs: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            features = self.feature_extractor(inputs)
        probs = F.interpolate(maps, size=features.shape[-2:], mode="bilinear", align_corners=False)
        refined = self.refiner.refine_batch(probs, features).float()
        return F.interpolate(refined, size=inputs.shape[-2:], mode="bilinear", align_corners=False)

    @staticmethod
    def _with_meta_of(inputs: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
        """Carry the inputs' metadata and transform history so that ``Invertd`` can map the result back to each
        image's own size (GradCAM and the graph cut return plain tensors)."""
        if not isinstance(inputs, MetaTensor) or isinstance(maps, MetaTensor):
            return maps
        result = MetaTensor(maps)
        result.copy_meta_from(inputs)
        return result
