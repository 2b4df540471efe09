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
"""Tests for the dense CRF smoothing of the boundary loss."""

from __future__ import annotations

import pytest
import torch

from bundle.losses import DenseCRF
from bundle.transforms.presets import IMAGENET_MEAN, IMAGENET_STD


def two_region_batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A 32x32 image, dark left half and bright right half (normalised as the networks' inputs), a lesion softmax of
    0.8 on the right and 0.2 on the left, with noisy pixels: 0.4 inside the right half, 0.6 inside the left."""
    rgb = torch.zeros(1, 3, 32, 32)
    rgb[..., 16:] = 0.9
    mean, std = torch.tensor(IMAGENET_MEAN)[:, None, None], torch.tensor(IMAGENET_STD)[:, None, None]
    right = (torch.arange(32) >= 16).expand(32, 32)
    lesion = torch.where(right, 0.8, 0.2)
    noisy = torch.zeros(32, 32, dtype=torch.bool)
    noisy[8::8, 20::8], noisy[8::8, 4::8] = True, True
    lesion[noisy] = torch.where(right[noisy], 0.4, 0.6)
    lesion = lesion[None, None]
    return torch.cat([1.0 - lesion, lesion], dim=1), (rgb - mean) / std, noisy


def test_the_smoothing_is_a_distribution_per_pixel_of_the_input_shape():
    probs, images, _ = two_region_batch()
    smoothed = DenseCRF(iterations=3)(probs, images)
    assert smoothed.shape == probs.shape and smoothed.dtype == probs.dtype
    torch.testing.assert_close(smoothed.sum(dim=1), torch.ones(1, 32, 32), atol=1e-4, rtol=0)


def test_isolated_noise_inside_a_uniform_region_is_smoothed_away_and_the_regions_kept():
    probs, images, noisy = two_region_batch()
    assert ((probs[0, 1] > 0.5) != (torch.arange(32) >= 16)).any()  # the noise flips some pixels before
    smoothed = DenseCRF(gaussian={"sxy": 1, "compat": 3}, bilateral={"sxy": 8, "srgb": 13, "compat": 10})
    lesion = smoothed(probs, images)[0, 1]
    expected = (torch.arange(32) >= 16).expand(32, 32)
    assert torch.equal(lesion > 0.5, expected)


@pytest.mark.parametrize("probs, images", [(torch.rand(1, 2, 8, 8), torch.rand(1, 1, 8, 8)),
                                           (torch.rand(1, 2, 8, 8), torch.rand(1, 3, 4, 4))])
def test_bad_shapes_are_refused(probs, images):
    with pytest.raises(ValueError, match="of one size expected"):
        DenseCRF()(probs, images)


def test_iterations_must_be_positive():
    with pytest.raises(ValueError, match="iterations"):
        DenseCRF(iterations=0)
