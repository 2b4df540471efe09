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
"""Tests of to_rgb and displayed_size: each PIL mode's conversion to 8-bit RGB, checked by hand on tiny images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import ExifTags, Image

from bundle.data.image_conversion import displayed_size, to_rgb

# a 1x3 row of grey values per 16-bit-like mode, and the 8-bit values expected (v * 255 / 65535, rounded)
SIXTEEN_BIT_ROW = np.array([[0, 257, 32896, 65535]])
SIXTEEN_BIT_EXPECTED = [0, 1, 128, 255]


@pytest.mark.parametrize("dtype", [np.uint16, np.int32])  # PIL modes I;16 and I
def test_sixteen_bit_is_scaled_by_its_range(dtype):
    image = Image.fromarray(SIXTEEN_BIT_ROW.astype(dtype))
    converted = np.asarray(to_rgb(image))
    assert converted.dtype == np.uint8 and converted.shape == (1, 4, 3)
    assert converted[0, :, 0].tolist() == SIXTEEN_BIT_EXPECTED
    assert (converted[..., 0] == converted[..., 1]).all() and (converted[..., 1] == converted[..., 2]).all()


def test_palette_is_expanded_through_its_colours():
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 200, 100, 50])  # index 0 and 1
    image.putpixel((1, 0), 1)
    assert np.asarray(to_rgb(image)).tolist() == [[[10, 20, 30], [200, 100, 50]]]


@pytest.mark.parametrize(
    "mode, value, expected",
    [
        ("CMYK", (0, 0, 0, 255), (0, 0, 0)),  # full K is black: K is not dropped as if it were alpha
        ("CMYK", (255, 0, 0, 0), (0, 255, 255)),  # full cyan
        ("L", 77, (77, 77, 77)),
        ("LA", (77, 0), (77, 77, 77)),  # alpha dropped, not composited
        ("RGBA", (1, 2, 3, 0), (1, 2, 3)),
        ("1", 1, (255, 255, 255)),
    ],
)
def test_other_modes_follow_pil_convert(mode, value, expected):
    converted = to_rgb(Image.new(mode, (2, 2), value))
    assert converted.mode == "RGB" and converted.getpixel((1, 1)) == expected


def test_exif_orientation_is_applied():
    array = np.zeros((2, 3, 3), np.uint8)  # stored 3 wide, 2 high
    array[0, 0] = 255  # top-left pixel marked
    image = Image.fromarray(array)
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90 degrees clockwise
    reloaded = _reloaded(image, exif)
    upright = to_rgb(reloaded)
    assert upright.size == (2, 3) == displayed_size(reloaded)
    marked = np.asarray(upright)[..., 0] > 128
    assert marked[0, -1] and marked.sum() == 1  # the stored top-left comes to the displayed top-right


@pytest.mark.parametrize("array, message", [
    (np.zeros((2, 2), np.float32), "mode F (32-bit float)"),
    (np.full((2, 2), 70000, np.int32), "values 70000..70000, outside 0..65535"),
    (np.full((2, 2), -1, np.int32), "outside 0..65535"),
])
def test_unknown_ranges_are_refused(array, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_rgb(Image.fromarray(array))


def test_an_upright_rgb_image_is_returned_as_it_is():
    image = Image.new("RGB", (5, 3))
    assert to_rgb(image) is image  # the loading chain's common case: no copy


def test_displayed_size_without_orientation_is_the_stored_size():
    image = Image.new("RGB", (5, 3))
    assert displayed_size(image) == (5, 3) and displayed_size(image, (50, 30)) == (50, 30)


def _reloaded(image: Image.Image, exif: Image.Exif) -> Image.Image:
    """``image`` saved as PNG with ``exif`` and opened again (the tag survives the round trip)."""
    stream = io.BytesIO()
    image.save(stream, format="PNG", exif=exif)
    stream.seek(0)
    return Image.open(stream)
