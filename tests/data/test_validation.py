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
"""Tests of image/mask validation and of the problem records."""

from __future__ import annotations

import dataclasses

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from bundle.data.validation import (
    DataProblem,
    DataValidationError,
    check_image,
    check_items,
    check_mask,
    raise_if_problems,
    require_valid_items,
    validate_items,
)
from tests.data.fixtures import IMAGE_SIZE, write_exif_rotated, write_mask, write_rgb, write_truncated_jpeg


@pytest.mark.parametrize(
    "name, make, min_size, expected_size, expected_problem",
    [
        ("rgb.jpg", lambda p: write_rgb(p), 0, IMAGE_SIZE, None),
        ("gray.png", lambda p: write_rgb(p, mode="L"), 0, IMAGE_SIZE, None),
        ("rgba.png", lambda p: write_rgb(p, mode="RGBA"), 0, IMAGE_SIZE, None),
        ("small.png", lambda p: write_rgb(p, size=(12, 40)), 16, (12, 40), "image is 12x40 px, smaller than min_size"),
        ("ok_size.png", lambda p: write_rgb(p, size=(16, 40)), 16, (16, 40), None),
        ("empty.png", lambda p: p.write_bytes(b""), 0, None, "image file is empty (0 bytes)"),
        ("cut.jpg", write_truncated_jpeg, 0, None, "image cannot be decoded"),
        ("text.jpg", lambda p: p.write_text("not an image"), 0, None, "image cannot be decoded"),
        ("absent.jpg", lambda p: None, 0, None, "image file not found"),
        ("deep.png", lambda p: Image.fromarray(np.full((40, 30), 4000, np.uint16)).save(p), 0, (30, 40), None),
        ("palette.png", lambda p: Image.new("RGB", (30, 40), (200, 30, 10)).convert("P").save(p), 0, (30, 40), None),
        ("cmyk.jpg", lambda p: Image.new("CMYK", (30, 40), (0, 50, 90, 10)).save(p), 0, (30, 40), None),
        ("sideways.jpg", lambda p: write_exif_rotated(p, (30, 40), orientation=6), 0, (40, 30), None),
        ("float.tif", lambda p: Image.fromarray(np.zeros((40, 30), np.float32)).save(p), 0, None,
         "image mode F (32-bit float) has no known intensity range"),
        ("wide.tif", lambda p: Image.fromarray(np.full((40, 30), 70000, np.int32)).save(p), 0, None,
         "outside 0..65535"),
    ],
)
def test_check_image(tmp_path, name, make, min_size, expected_size, expected_problem):
    path = tmp_path / name
    make(path)
    size, problems = check_image(path, min_size=min_size)
    assert size == expected_size
    if expected_problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].path == str(path)
        assert expected_problem in problems[0].problem


def test_check_image_reads_nifti_with_monai(tmp_path):
    path = tmp_path / "scan.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((20, 10), np.float32), np.eye(4)), path)
    assert check_image(path) == ((20, 10), [])


@pytest.mark.parametrize(
    "make, image_size, expected",
    [
        (lambda p: write_mask(p), IMAGE_SIZE, []),
        (lambda p: write_mask(p, values=(0, 0)), IMAGE_SIZE, []),  # an empty lesion is a valid mask
        (lambda p: write_mask(p), None, []),
        (lambda p: write_mask(p, size=(30, 40)), IMAGE_SIZE, ["mask size 30x40 differs from image size 40x30"]),
        (
            lambda p: write_mask(p, values=(0, 65535), dtype=np.uint16),
            IMAGE_SIZE,
            ["mask is 16-bit (mode I;16); expected 8-bit 0/255"],
        ),
        (lambda p: write_mask(p, values=(0, 1)), IMAGE_SIZE, ["mask is not binary (values 0, 1); expected 0/255"]),
        (lambda p: write_mask(p, values=(0, 255, 128)), IMAGE_SIZE, ["mask is not binary (values 0, 128, 255)"]),
        (lambda p: write_rgb(p), IMAGE_SIZE, ["mask has mode RGB; expected 8-bit grayscale (mode L) 0/255"]),
        (lambda p: p.write_bytes(b""), IMAGE_SIZE, ["mask file is empty (0 bytes)"]),
        (lambda p: None, IMAGE_SIZE, ["mask file not found"]),
        (
            lambda p: write_mask(p, size=(8, 8), values=(0, 7)),
            IMAGE_SIZE,
            ["mask size 8x8 differs from image size 40x30", "mask is not binary (values 0, 7)"],
        ),
    ],
)
def test_check_mask(tmp_path, make, image_size, expected):
    path = tmp_path / "m_segmentation.png"
    make(path)
    problems = check_mask(path, image_size)
    assert [p.path for p in problems] == [str(path)] * len(expected)
    for problem, text in zip(problems, expected):
        assert text in problem.problem


def test_check_items_keeps_order_and_checks_masks(tmp_path):
    good = {"image": str(write_rgb(tmp_path / "a.jpg")), "mask": str(write_mask(tmp_path / "a_seg.png"))}
    bad_image = {"image": str(write_truncated_jpeg(tmp_path / "b.jpg"))}
    bad_mask = {"image": str(write_rgb(tmp_path / "c.jpg")), "mask": str(write_mask(tmp_path / "c_seg.png", (5, 5)))}
    items = [good, bad_image, good, bad_mask]
    per_item = check_items(items, num_workers=2)
    assert [len(p) for p in per_item] == [0, 1, 0, 1]
    assert per_item[1][0].path == bad_image["image"] and per_item[3][0].path == bad_mask["mask"]
    assert check_items(items, num_workers=1) == per_item
    valid, problems = validate_items(items)
    assert valid == [good, good] and problems == [per_item[1][0], per_item[3][0]]


def test_require_valid_items_returns_valid_items_and_names_every_bad_file(tmp_path):
    good = [{"image": str(write_rgb(tmp_path / "a.jpg"))}, {"image": str(write_rgb(tmp_path / "b.png"))}]
    assert require_valid_items(tuple(good), num_workers=1) == good
    (tmp_path / "empty.jpg").write_bytes(b"")
    bad = [*good, {"image": str(tmp_path / "empty.jpg")}, {"image": str(tmp_path / "absent.jpg")}]
    with pytest.raises(DataValidationError) as info:
        require_valid_items(bad, num_workers=2)
    assert [problem.path for problem in info.value.problems] == [bad[2]["image"], bad[3]["image"]]
    assert "empty (0 bytes)" in str(info.value) and "not found" in str(info.value)


def test_error_lists_every_problem_one_per_line():
    problems = [DataProblem("/d/a.jpg", "image file is empty (0 bytes)"), DataProblem("/d/b.csv", "line 3: x")]
    with pytest.raises(DataValidationError) as info:
        raise_if_problems(problems)
    assert isinstance(info.value, ValueError) and info.value.problems == tuple(problems)
    assert str(info.value).splitlines() == [
        "2 data problem(s) found:",
        "/d/a.jpg: image file is empty (0 bytes)",
        "/d/b.csv: line 3: x",
    ]
    raise_if_problems([])  # nothing to report: no error


def test_data_problem_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DataProblem("a", "b").path = "c"


@pytest.mark.parametrize("kwargs", [{"min_size": -1}, {"num_workers": 0}])
def test_ill_options(kwargs):
    with pytest.raises(ValueError):
        check_items([], **kwargs)


def test_error_needs_problems():
    with pytest.raises(ValueError):
        DataValidationError([])
