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
"""MONAI transforms of the bundle: RGB conversion, mask binarisation, colour constancy, dermoscopy artefacts drawn
at random for training, and ready-made transform chains."""

from __future__ import annotations

from bundle.transforms.binarize_mask import BinarizeMask, BinarizeMaskd
from bundle.transforms.ensure_rgb import EnsureRGB, EnsureRGBd
from bundle.transforms.presets import (
    CONTRASTIVE_AUGMENT,
    DEFAULT_AUGMENT,
    IMAGENET_MEAN,
    IMAGENET_STD,
    classification_transforms,
    contrastive_transforms,
    inference_transforms,
    load_transforms,
    seed_map_transforms,
    segmentation_transforms,
)
from bundle.transforms.rand_dermoscope_frame import RandDermoscopeFrame, RandDermoscopeFramed
from bundle.transforms.rand_hairs import RandHairs, RandHairsd
from bundle.transforms.shades_of_gray import ShadesOfGray, ShadesOfGrayd

__all__ = [
    "CONTRASTIVE_AUGMENT",
    "DEFAULT_AUGMENT",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "BinarizeMask",
    "BinarizeMaskd",
    "EnsureRGB",
    "EnsureRGBd",
    "RandDermoscopeFrame",
    "RandDermoscopeFramed",
    "RandHairs",
    "RandHairsd",
    "ShadesOfGray",
    "ShadesOfGrayd",
    "classification_transforms",
    "contrastive_transforms",
    "inference_transforms",
    "load_transforms",
    "seed_map_transforms",
    "segmentation_transforms",
]
