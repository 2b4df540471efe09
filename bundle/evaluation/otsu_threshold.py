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
"""Label-free baseline: Otsu thresholding of the image, lesion darker than the surrounding skin."""

from __future__ import annotations

import logging

import numpy as np
from scipy import ndimage
from skimage.color import rgb2gray
from skimage.filters import gaussian, threshold_otsu
from skimage.measure import label

logger = logging.getLogger(__name__)

CHANNELS: tuple[str, ...] = ("gray", "red", "green", "blue")
COMPONENTS: tuple[str, ...] = ("all", "largest", "central")


class OtsuBaseline:
    """Segment the pixels darker than the Otsu threshold of one image channel; no training, no labels.

    Defaults are the plain method plus a light Gaussian smoothing (``sigma=1``) that keeps JPEG noise and thin
    hairs from speckling the mask without moving the threshold. The options stay label-free:

    - ``channel``: intensity to threshold; "blue" often shows more lesion-skin contrast in dermoscopy than "gray".
    - ``component``: "all" keeps every dark pixel; "largest" the largest connected component; "central" the
      component nearest the image centre (distance of its closest pixel; ties go to the lower label), which
      drops the dark vignette corners of dermatoscope images when they do not touch the lesion.
    - ``fill_holes``: fill holes of the kept mask (ISIC masks are filled regions). Off by default: with
      ``component="all"`` a closed dark vignette ring would fill the whole field of view.

    Args:
        channel: one of "gray", "red", "green", "blue".
        sigma: Gaussian smoothing in pixels before thresholding; 0 disables it.
        component: one of "all", "largest", "central".
        fill_holes: whether to fill holes in the kept mask.
    """

    def __init__(self, channel: str = "gray", sigma: float = 1.0, component: str = "all", fill_holes: bool = False):
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}.")
        if sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {sigma}.")
        if component not in COMPONENTS:
            raise ValueError(f"component must be one of {COMPONENTS}, got {component!r}.")
        self.channel = channel
        self.sigma = sigma
        self.component = component
        self.fill_holes = fill_holes

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """Return the dark-region mask of ``image``.

        Args:
            image: RGB array of shape (H, W, 3), uint8.

        Returns:
            bool array of shape (H, W); empty when the image has a single intensity (nothing to separate).
        """
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"image must be an RGB array of shape (H, W, 3), got {image.shape}.")
        intensity = self._intensity(image)
        if intensity.min() == intensity.max():
            logger.warning("image of one intensity: Otsu baseline returns an empty mask")
            return np.zeros(intensity.shape, dtype=bool)
        mask = intensity <= threshold_otsu(intensity)
        mask = self._keep_component(mask)
        return ndimage.binary_fill_holes(mask) if self.fill_holes else mask

    def _intensity(self, image: np.ndarray) -> np.ndarray:
        """Return the chosen channel as float (H, W), smoothed when ``sigma > 0``."""
        if self.channel == "gray":
            intensity = rgb2gray(image)
        else:
            intensity = image[..., CHANNELS.index(self.channel) - 1].astype(np.float64) / 255.0
        return gaussian(intensity, sigma=self.sigma) if self.sigma > 0 else intensity

    def _keep_component(self, mask: np.ndarray) -> np.ndarray:
        """Return ``mask`` reduced to the connected component chosen by ``self.component``."""
        if self.component == "all" or not mask.any():
            return mask
        labels, count = label(mask, connectivity=2, return_num=True)
        indices = np.arange(1, count + 1)
        if self.component == "largest":
            keep = indices[np.argmax(np.bincount(labels.ravel())[1:])]
        else:
            rows, cols = np.indices(mask.shape)
            distance = np.hypot(rows - (mask.shape[0] - 1) / 2.0, cols - (mask.shape[1] - 1) / 2.0)
            keep = indices[np.argmin(ndimage.minimum(distance, labels, indices))]
        return labels == keep
