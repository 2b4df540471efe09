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
"""Reading and writing 2D images as numpy arrays, with errors that name the file and atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import nibabel as nib
import numpy as np
from PIL import Image, UnidentifiedImageError

from bundle.utils.atomic import atomic_path


def read_pil_array(path: str | os.PathLike, mode: str, kind: str = "image") -> np.ndarray:
    """Read ``path`` converted to PIL ``mode`` ("RGB": (H, W, 3), "L": (H, W)) as a numpy array.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``path`` is not a readable image; the message names the file and its ``kind``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{kind} file not found: {path}")
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"cannot read {kind} file {path}: {error}") from error


def save_png_atomic(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write a (H, W) uint8/uint16 or (H, W, 3) uint8 array as PNG, atomically; return the path."""
    with atomic_path(path) as tmp:
        Image.fromarray(array).save(tmp, format="PNG")
    return Path(path)


def save_nifti_atomic(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write ``array`` as a float32 NIfTI (identity affine, axes kept in array order), atomically; return the path.

    MONAI's ``LoadImage`` reads the file back as the same array, so a (W, H) map written from a MONAI
    channel-first prediction lines up with the source image as MONAI loads it.
    """
    with atomic_path(path) as tmp:
        nib.save(nib.Nifti1Image(np.asarray(array, dtype=np.float32), np.eye(4)), tmp)
    return Path(path)
