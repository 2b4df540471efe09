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
"""Fully connected CRF smoothing of class probabilities (Kraehenbuehl and Koltun 2011), through pydensecrf2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pydensecrf.densecrf as dcrf
import torch
from pydensecrf.utils import unary_from_softmax

from bundle.transforms.presets import IMAGENET_MEAN, IMAGENET_STD

__all__ = ["DenseCRF"]


class DenseCRF:
    """Mean-field inference of a dense CRF with a Gaussian (smoothness) and a bilateral (appearance) kernel, with
    the probabilities as unaries: the boundary-respecting smoothing the boundary loss pulls the softmax towards.

    The images are the network's inputs: their normalisation (``mean``, ``std``, on the [0, 1] scale) is undone to
    8-bit RGB for the appearance kernel. Runs on the CPU, image by image (pydensecrf2, Kraehenbuehl's C++ code).

    Args:
        iterations: mean-field steps.
        gaussian: keyword arguments of ``addPairwiseGaussian`` (``sxy`` in pixels, ``compat``).
        bilateral: keyword arguments of ``addPairwiseBilateral`` (``sxy`` in pixels, ``srgb`` in 8-bit levels,
            ``compat``).
        mean: per-channel mean the images were normalised with.
        std: per-channel standard deviation the images were normalised with.

    Example::

        smoothed = DenseCRF()(probs, images)  # (B, C, H, W) probabilities, (B, 3, H, W) images -> (B, C, H, W)
    """

    def __init__(
        self,
        iterations: int = 5,
        gaussian: Mapping[str, float] | None = None,
        bilateral: Mapping[str, float] | None = None,
        mean: Sequence[float] = IMAGENET_MEAN,
        std: Sequence[float] = IMAGENET_STD,
    ) -> None:
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ValueError(f"iterations must be an int >= 1, got {iterations!r}.")
        self.iterations = iterations
        self.gaussian = dict(gaussian or {"sxy": 3, "compat": 3})
        self.bilateral = dict(bilateral or {"sxy": 80, "srgb": 13, "compat": 10})
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)

    def __call__(self, probs: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """
        Args:
            probs: (B, C, H, W) class probabilities (C >= 2).
            images: (B, 3, H, W) normalised RGB images.

        Returns:
            (B, C, H, W) smoothed probabilities, on the device and in the dtype of ``probs``.
        """
        if probs.ndim != 4 or images.ndim != 4 or images.shape[1] != 3 or probs.shape[2:] != images.shape[2:]:
            raise ValueError(
                f"probs (B, C, H, W) and RGB images (B, 3, H, W) of one size expected, got shapes "
                f"{tuple(probs.shape)} and {tuple(images.shape)}."
            )
        probs_np = probs.detach().float().cpu().numpy()
        images_np = images.detach().float().cpu().numpy()
        smoothed = np.stack([self._smoothed(p, image) for p, image in zip(probs_np, images_np)])
        return torch.from_numpy(smoothed).to(device=probs.device, dtype=probs.dtype)

    def _smoothed(self, probs: np.ndarray, image: np.ndarray) -> np.ndarray:
        num_classes, height, width = probs.shape
        crf = dcrf.DenseCRF2D(width, height, num_classes)
        crf.setUnaryEnergy(np.ascontiguousarray(unary_from_softmax(np.clip(probs, 1e-6, 1.0))))
        crf.addPairwiseGaussian(**self.gaussian)
        crf.addPairwiseBilateral(rgbim=self._rgb(image), **self.bilateral)
        return np.asarray(crf.inference(self.iterations), dtype=np.float32).reshape(num_classes, height, width)

    def _rgb(self, image: np.ndarray) -> np.ndarray:
        """(3, H, W) normalised -> (H, W, 3) contiguous uint8."""
        rgb = np.clip((image * self.std + self.mean) * 255.0, 0, 255).round().astype(np.uint8)
        return np.ascontiguousarray(rgb.transpose(1, 2, 0))
