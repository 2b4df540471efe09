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
"""Tests of BinarizeMask / BinarizeMaskd: value ranges, thresholds, 16-bit rejection."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.data import MetaTensor
from monai.transforms import LoadImage
from PIL import Image

from bundle.transforms.binarize_mask import BinarizeMask, BinarizeMaskd


def _mask(rows, filename: str = "mask.png") -> MetaTensor:
    """MetaTensor (C, H, W) from nested lists (C, H, W)."""
    return MetaTensor(torch.tensor(rows, dtype=torch.float32), meta={"filename_or_obj": filename})


# kwargs, mask (C, H, W), expected (1, H, W)
CASES = [
    ({}, [[[0, 255], [128, 127]]], [[[0, 1], [1, 0]]]),  # 8-bit 0/255 and values around the threshold
    ({}, [[[0, 1], [1, 0]]], [[[0, 1], [1, 0]]]),  # already 0/1
    ({}, [[[0.2, 0.7], [0.49, 0.5]]], [[[0, 1], [0, 1]]]),  # soft [0, 1] mask: threshold 127/255
    ({"threshold": 0}, [[[0, 3], [255, 0]]], [[[0, 1], [1, 0]]]),
    ({"threshold": 200}, [[[0, 200], [201, 255]]], [[[0, 0], [1, 1]]]),
    ({}, [[[0, 255]], [[255, 0]], [[255, 255]]], [[[0, 1]]]),  # first channel only
    ({"allow_16bit": True}, [[[0, 65535, 32639, 32640]]], [[[0, 1, 0, 1]]]),  # 127 * 257 = 32639
    ({"allow_16bit": True}, [[[0, 255]]], [[[0, 1]]]),  # 8-bit masks still pass
    ({}, [[[0, 0], [0, 0]]], [[[0, 0], [0, 0]]]),  # empty mask
]


@pytest.mark.parametrize("kwargs, rows, expected", CASES)
def test_binarize_values(kwargs, rows, expected):
    out = BinarizeMask(**kwargs)(_mask(rows))
    assert isinstance(out, MetaTensor) and out.dtype == torch.float32
    assert torch.equal(out.as_tensor(), torch.tensor(expected, dtype=torch.float32))
    assert out.meta["filename_or_obj"] == "mask.png"


@pytest.mark.parametrize(
    "kwargs, rows, match",
    [
        ({}, [[[0, 65535]]], r"m16\.png.*\[0, 255\].*allow_16bit"),
        ({}, [[[0, 256]]], r"m16\.png.*got \[0, 256\]"),
        ({}, [[[-1, 255]]], r"m16\.png.*got \[-1, 255\]"),
        ({"allow_16bit": True}, [[[0, 70000]]], r"m16\.png.*\[0, 65535\]"),
    ],
)
def test_out_of_range_rejected_with_file_name(kwargs, rows, match):
    with pytest.raises(ValueError, match=match):
        BinarizeMask(**kwargs)(_mask(rows, filename="m16.png"))


def test_16bit_png_from_disk(tmp_path):
    path = tmp_path / "deep_mask.png"
    pixels = np.array([[0, 65535, 0], [65535, 65535, 0]], dtype=np.uint16)  # (H, W)
    Image.fromarray(pixels).save(path)
    mask = LoadImage(image_only=True, ensure_channel_first=True)(path)
    with pytest.raises(ValueError, match="deep_mask.png"):
        BinarizeMask()(mask)
    out = BinarizeMask(allow_16bit=True)(mask)
    assert np.array_equal(out.numpy(), (pixels.T[None] > 0).astype(np.float32))  # ITK order (1, W, H)


@pytest.mark.parametrize("threshold", [-1, 255, 300])
def test_ill_options(threshold):
    with pytest.raises(ValueError, match="threshold"):
        BinarizeMask(threshold=threshold)


def test_dict_wrapper_copies_and_binarizes_only_its_keys():
    data = {"image": _mask([[[0, 255]]]), "label": _mask([[[0, 255]], [[7, 7]]])}
    out = BinarizeMaskd(keys="label")(data)
    assert out is not data and data["label"].shape == (2, 1, 2)
    assert torch.equal(out["label"].as_tensor(), torch.tensor([[[0.0, 1.0]]]))
    assert out["image"] is data["image"]
