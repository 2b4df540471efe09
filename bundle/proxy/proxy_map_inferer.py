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

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from monai.data import MetaTensor
from monai.inferers import Inferer


class ProxyMapInferer(Inferer):
    """Produce a lesion probability map per image, refined by a graph cut when a refiner is given.

    Args:
        map_source: callable ``images (B, 3, H, W) -> maps (B, 1, H, W)`` in [0, 1] (attention or GradCAM).
        refiner: optional graph-cut refiner with ``refine_batch(probs (B, 1, h, w), features (B, C, h, w))``
            returning a (B, 1, h, w) mask.
        feature_extractor: callable ``images -> features (B, C, h, w)`` giving the graph's node features; required
            with ``refiner``. The map is resampled to the features' grid before the cut.

    Returns (from ``__call__``): (B, 1, H, W) float maps in [0, 1] at the input size; with a refiner the refined
    binary mask, upsampled bilinearly so that the later resize to the image's own size stays smooth.
    """

    def __init__(
        self,
        map_source: Callable[[torch.Tensor], torch.Tensor],
        refiner: Any | None = None,
        feature_extractor: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        super().__init__()
        if refiner is not None and feature_extractor is None:
            raise ValueError("a graph-cut refiner needs a feature_extractor for its node features.")
        self.map_source = map_source
        self.refiner = refiner
        self.feature_extractor = feature_extractor

    def __call__(self, inputs: torch.Tensor, network: Any = None, *args: Any, **kwargs: Any) -> torch.Tensor:
        """``network`` is unused: the map source and the feature extractor already wrap it."""
        maps = self.map_source(inputs)
        if self.refiner is not None:
            maps = self._refine(inputs, maps)
        return self._with_meta_of(inputs, maps)

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
