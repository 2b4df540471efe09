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
"""How a 2D image file becomes 8-bit RGB: the one conversion shared by the input check and the loading chain.

PIL decodes many modes whose pixel values are not 8-bit intensities; read as such they give a wrong image with no
error (a 16-bit PNG saturates to white, a palette image becomes its colour indices, a CMYK JPEG loses K). Each is
converted here the way image viewers show it, or refused with the reason.
"""

from __future__ import annotations

import numpy as np
from PIL import ExifTags, Image, ImageOps

__all__ = ["PIL_SUFFIXES", "SIXTEEN_BIT_MODES", "displayed_size", "to_rgb"]

PIL_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
"""Endings decoded with PIL (and :func:`to_rgb`); other image endings (NIfTI, NRRD, MetaImage) go through MONAI."""

SIXTEEN_BIT_MODES: tuple[str, ...] = ("I;16", "I;16B", "I;16L", "I;16N")
_TRANSPOSING_ORIENTATIONS = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_SIXTEEN_BIT_MAX = 65535
_EIGHT_BIT_MAX = 255


def to_rgb(image: Image.Image) -> Image.Image:
    """Return ``image`` as an 8-bit RGB image as a viewer displays it.

    EXIF orientation is applied first (a phone photo stored sideways comes out upright, with its displayed size).
    16-bit grey (and 32-bit integer images whose values fit 16 bits) are scaled by the 16-bit range, 65535 -> 255;
    every other mode PIL knows (palette, CMYK, grey, grey + alpha, RGBA, 1-bit, YCbCr, ...) goes through PIL's
    ``convert("RGB")``, which expands a palette through its colours, converts CMYK with its K channel and drops
    alpha without compositing.

    Raises:
        ValueError: for 32-bit float images and integer images outside 0..65535 (their intensity range is unknown).
    """
    if _orientation(image) != 1:  # exif_transpose copies even an upright image: only call it when needed
        image = ImageOps.exif_transpose(image)
    if image.mode in SIXTEEN_BIT_MODES or image.mode == "I":
        return _sixteen_bit_to_rgb(image)
    if image.mode == "F":
        raise ValueError("image mode F (32-bit float) has no known intensity range: save it as 8- or 16-bit")
    return image if image.mode == "RGB" else image.convert("RGB")


def displayed_size(image: Image.Image, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """(width, height) of ``image`` once :func:`to_rgb` has applied its EXIF orientation.

    Args:
        image: an opened image (only its header is read).
        size: its stored (width, height), if known better than ``image.size`` (a draft decode shrinks JPEGs).
    """
    width, height = size or image.size
    return (height, width) if _orientation(image) in _TRANSPOSING_ORIENTATIONS else (width, height)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag of ``image`` (1, upright, when absent)."""
    return image.getexif().get(ExifTags.Base.Orientation, 1)


def _sixteen_bit_to_rgb(image: Image.Image) -> Image.Image:
    """Scale a 16-bit (or 16-bit-valued 32-bit integer) grey image to 8-bit and replicate it to RGB."""
    values = np.asarray(image).astype(np.int64)
    if values.size and (values.min() < 0 or values.max() > _SIXTEEN_BIT_MAX):
        raise ValueError(
            f"image mode {image.mode} holds values {values.min()}..{values.max()}, outside 0..{_SIXTEEN_BIT_MAX}: "
            "save it as 8- or 16-bit"
        )
    scaled = np.rint(values * (_EIGHT_BIT_MAX / _SIXTEEN_BIT_MAX)).astype(np.uint8)
    return Image.fromarray(scaled).convert("RGB")
