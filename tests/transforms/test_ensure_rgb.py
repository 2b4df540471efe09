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
"""Tests of EnsureRGB / EnsureRGBd: channel counts, trailing singleton axes, errors naming the file."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
import torch
from monai.data import MetaTensor
from monai.transforms import LoadImage
from PIL import Image

from bundle.transforms.ensure_rgb import EnsureRGB, EnsureRGBd

SPATIAL = (4, 5)

# channels in, source channel of each output channel
CHANNEL_CASES = [(1, [0, 0, 0]), (2, [0, 0, 0]), (3, [0, 1, 2]), (4, [0, 1, 2])]


def _image(channels: int, spatial=SPATIAL, filename: str = "lesion.png") -> MetaTensor:
    """MetaTensor (C, *spatial) whose values differ in every channel and pixel."""
    values = torch.arange(channels * int(np.prod(spatial)), dtype=torch.float32).reshape(channels, *spatial)
    return MetaTensor(values, meta={"filename_or_obj": filename})


@pytest.mark.parametrize("channels, sources", CHANNEL_CASES)
def test_channel_counts(channels, sources):
    image = _image(channels)
    rgb = EnsureRGB()(image)
    assert isinstance(rgb, MetaTensor) and rgb.shape == (3, *SPATIAL)
    assert torch.equal(rgb.as_tensor(), image.as_tensor()[sources])
    assert rgb.meta["filename_or_obj"] == "lesion.png"


@pytest.mark.parametrize("channels", [5, 6])
def test_bad_channel_count_names_file(channels):
    with pytest.raises(ValueError, match=rf"odd_file\.tif.*got {channels}"):
        EnsureRGB()(_image(channels, filename="odd_file.tif"))


@pytest.mark.parametrize(
    "shape, spatial_dims, expected",
    [
        ((3, 4, 5, 1), 2, (3, 4, 5)),  # 2D RGB NIfTI written by MONAI: (W, H, 1, 3)
        ((1, 4, 5, 1, 1), 2, (3, 4, 5)),
        ((1, 4, 5, 3), None, (3, 4, 5, 3)),  # spatial shape left alone
        ((4, 4, 5, 1), 3, (3, 4, 5, 1)),
    ],
)
def test_trailing_singleton_axes(shape, spatial_dims, expected):
    assert EnsureRGB(spatial_dims=spatial_dims)(_image(shape[0], shape[1:])).shape == expected


def test_volume_rejected_with_file_name():
    with pytest.raises(ValueError, match=r"slices\.nii\.gz.*spatial shape \(4, 5, 3\)"):
        EnsureRGB()(_image(1, (4, 5, 3), filename="slices.nii.gz"))


def test_plain_tensor_input():
    rgb = EnsureRGB()(torch.ones(1, *SPATIAL))
    assert rgb.shape == (3, *SPATIAL) and torch.all(rgb == 1)


@pytest.mark.parametrize("spatial_dims", [0, -2])
def test_ill_options(spatial_dims):
    with pytest.raises(ValueError, match="spatial_dims"):
        EnsureRGB(spatial_dims=spatial_dims)


def test_dict_wrapper_copies_and_converts_only_its_keys():
    data = {"image": _image(1), "label": 2}
    out = EnsureRGBd(keys="image")(data)
    assert out is not data and data["image"].shape == (1, *SPATIAL)
    assert out["image"].shape == (3, *SPATIAL) and out["label"] == 2
    with pytest.raises(KeyError):
        EnsureRGBd(keys="other")(data)
    assert EnsureRGBd(keys="other", allow_missing_keys=True)(data).keys() == data.keys()


@pytest.mark.parametrize("mode, channels", [("RGB", 3), ("L", 1), ("RGBA", 4), ("LA", 2)])
def test_png_modes_load_as_rgb(tmp_path, mode, channels):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (6, 10, channels), dtype=np.uint8)  # (H, W, C)
    path = tmp_path / f"{mode}.png"
    Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode=mode).save(path)
    rgb = EnsureRGB()(LoadImage(image_only=True, ensure_channel_first=True)(path))
    assert rgb.shape == (3, 10, 6)  # ITK order: (3, W, H)
    expected = pixels[..., [0, 0, 0] if channels < 3 else [0, 1, 2]].transpose(2, 1, 0)
    assert np.array_equal(rgb.numpy(), expected)


def test_bad_channel_count_from_disk_names_file(tmp_path):
    path = tmp_path / "five_channels.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 1, 5), dtype=np.uint8), np.eye(4)), path)
    image = LoadImage(image_only=True, ensure_channel_first=True)(path)
    with pytest.raises(ValueError, match=r"five_channels\.nii\.gz.*got 5"):
        EnsureRGB()(image)
