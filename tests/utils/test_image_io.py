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
"""Tests of the 2D image readers and atomic writers (PNG and NIfTI)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.transforms import LoadImage
from PIL import Image

from bundle.utils import read_pil_array, save_nifti_atomic, save_png_atomic


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_png_round_trip_keeps_values_and_order(tmp_path, dtype):
    array = np.array([[0, 1, 2], [3, 4, 5]], dtype=dtype) * 40  # (H=2, W=3)
    path = save_png_atomic(array, tmp_path / "a.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]  # no temporary file left
    np.testing.assert_array_equal(read_pil_array(path, mode="I"), array)


def test_nifti_round_trip_is_float32_in_array_order(tmp_path):
    array = np.array([[0.0, 0.125], [0.5, 0.75], [1.0, 0.3]])  # float64 in, float32 out
    path = save_nifti_atomic(array, tmp_path / "m.nii.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.nii.gz"]
    loaded = LoadImage(image_only=True)(str(path))
    assert loaded.dtype == torch.float32 and tuple(loaded.shape) == (3, 2)
    np.testing.assert_allclose(loaded.numpy(), array.astype(np.float32))


def test_failed_nifti_write_keeps_previous_file(tmp_path):
    path = save_nifti_atomic(np.zeros((2, 2)), tmp_path / "m.nii.gz")
    with pytest.raises(ValueError):  # the conversion fails inside the atomic block, after the temp file exists
        save_nifti_atomic(np.array([["not", "numbers"]]), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.nii.gz"]
    np.testing.assert_array_equal(LoadImage(image_only=True)(str(path)).numpy(), np.zeros((2, 2)))


@pytest.mark.parametrize("content", [b"", b"not an image"])
def test_unreadable_image_names_the_file(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad.png"):
        read_pil_array(path, mode="RGB", kind="image")


def test_missing_image_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="gone.png"):
        read_pil_array(tmp_path / "gone.png", mode="L")


def test_rgb_read_has_channels_last(tmp_path):
    Image.fromarray(np.zeros((2, 3, 3), dtype=np.uint8)).save(tmp_path / "c.png")
    assert read_pil_array(tmp_path / "c.png", mode="RGB").shape == (2, 3, 3)
