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
"""Tests of RGBPILReader in the loading chains: images converted as the input check sees them, masks untouched."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from bundle.transforms import load_transforms
from bundle.transforms.rgb_pil_reader import RGBPILReader


@pytest.mark.parametrize("name", ["a.png", "a.jpg", "a.JPEG", "a.bmp", "a.tif", "a.tiff"])
def test_reads_every_pil_ending(name):
    assert RGBPILReader().verify_suffix(name)


@pytest.mark.parametrize("name", ["a.nii.gz", "a.nrrd", "a.mha"])
def test_leaves_medical_formats_to_monai(name):
    assert not RGBPILReader().verify_suffix(name)


def test_sixteen_bit_image_loads_scaled_and_its_mask_keeps_its_values(tmp_path):
    image = np.array([[0, 257], [32896, 65535]], np.uint16)  # (H, W)
    Image.fromarray(image).save(tmp_path / "deep.png")
    Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).save(tmp_path / "mask.png")
    loaded = load_transforms(["image", "label"], mask_keys=["label"])({"image": str(tmp_path / "deep.png"),
                                                                        "label": str(tmp_path / "mask.png")})
    assert loaded["image"].shape == (3, 2, 2)  # (C, W, H)
    assert loaded["image"][0].T.tolist() == [[0, 1], [128, 255]]
    assert loaded["label"].shape == (1, 2, 2) and loaded["label"][0].T.tolist() == [[0, 1], [1, 0]]


def test_tiff_is_read_by_the_converting_reader(tmp_path):
    Image.fromarray(np.full((3, 2), 65535, np.uint16)).save(tmp_path / "deep.tif")
    loaded = load_transforms(["image"])({"image": str(tmp_path / "deep.tif")})
    assert loaded["image"].shape == (3, 2, 3) and float(loaded["image"].max()) == 255.0


def test_nifti_still_loads_through_monai(tmp_path):
    nib.save(nib.Nifti1Image(np.full((4, 5), 9, np.float32), np.eye(4)), tmp_path / "scan.nii.gz")
    loaded = load_transforms(["image"])({"image": str(tmp_path / "scan.nii.gz")})
    assert loaded["image"].shape == (3, 4, 5) and float(loaded["image"].min()) == 9.0
