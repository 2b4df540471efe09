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
"""Label-free baseline: a disk centred in the image, of a radius fixed in advance."""

from __future__ import annotations

import numpy as np
from skimage.draw import disk


class CentredDiskBaseline:
    """Predict a disk at the image centre, ignoring the pixels: the "lesions are central" prior alone.

    The radius is ``radius_fraction * min(H, W)``. It is a fixed prior, never fitted to masks: the default 0.3
    gives a disk spanning 60% of the shorter side, about 21% of a 4:3 dermoscopy image. Any weakly supervised
    method should beat this.

    Args:
        radius_fraction: disk radius as a fraction of the shorter image side, in (0, 0.5]
            (0.5 is the largest disk inside the image).
    """

    def __init__(self, radius_fraction: float = 0.3) -> None:
        if not 0.0 < radius_fraction <= 0.5:
            raise ValueError(f"radius_fraction must be in (0, 0.5], got {radius_fraction}.")
        self.radius_fraction = radius_fraction

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """Return the disk mask of ``image``.

        Args:
            image: array of shape (H, W, 3) (or (H, W)); only its spatial size is used.

        Returns:
            bool array of shape (H, W), True inside the disk.
        """
        if image.ndim not in (2, 3) or min(image.shape[:2]) < 1:
            raise ValueError(f"image must have shape (H, W, 3) or (H, W), got {image.shape}.")
        height, width = image.shape[:2]
        mask = np.zeros((height, width), dtype=bool)
        # Pixel centres run 0..H-1, so the geometric centre is at (H-1)/2, (W-1)/2.
        centre = ((height - 1) / 2.0, (width - 1) / 2.0)
        mask[disk(centre, self.radius_fraction * min(height, width), shape=mask.shape)] = True
        return mask
