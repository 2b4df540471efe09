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
"""Inference's input checks on a corpus of bad inputs: each stops with a message naming the file and its problem
before anything is written, or, with ``skip_bad``, is listed in problems.json while the good images go on."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from bundle.data.inference_inputs import checked_inference_items
from bundle.data.output_layout import PROBLEMS_REPORT, output_folder_problem
from tests.data.fixtures import files_in, write_exif_rotated, write_rgb, write_truncated_jpeg


def sixteen_bit(path: Path) -> None:
    Image.fromarray(np.full((40, 30), 40000, np.uint16)).save(path)


def palette(path: Path) -> None:
    Image.new("RGB", (30, 40), (200, 30, 10)).convert("P").save(path)


def cmyk(path: Path) -> None:
    Image.new("CMYK", (30, 40), (0, 50, 90, 10)).save(path)


def float_tiff(path: Path) -> None:
    Image.fromarray(np.zeros((40, 30), np.float32)).save(path)


def nan_nifti(path: Path) -> None:
    array = np.random.default_rng(0).random((30, 40, 3)).astype(np.float32)
    array[3, 4, 0] = np.nan
    nib.save(nib.Nifti1Image(array, np.eye(4)), path)


# bad file name -> (how it is made, the problem the message names)
BAD_IMAGES: dict[str, tuple[Callable[[Path], object], str]] = {
    "cut.jpg": (write_truncated_jpeg, "image cannot be decoded"),
    "zero.png": (lambda p: p.write_bytes(b""), "image file is empty (0 bytes)"),
    "notes.jpg": (lambda p: p.write_text("not an image"), "image cannot be decoded"),
    "float.tif": (float_tiff, "image mode F (32-bit float) has no known intensity range"),
    "holes.nii.gz": (nan_nifti, "NaN or infinite values"),
    "tiny.png": (lambda p: write_rgb(p, size=(4, 6)), "smaller than min_size 8"),
}


# images the loading chain converts to 8-bit RGB (bundle.data.image_conversion): accepted, not refused
CONVERTIBLE_IMAGES: dict[str, Callable[[Path], object]] = {
    "deep.png": sixteen_bit,
    "indexed.png": palette,
    "print.jpg": cmyk,
    "sideways.jpg": lambda p: write_exif_rotated(p, (30, 40), orientation=8),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good images, a text file and a macOS resource-fork file (both skipped)."""
    images = tmp_path / "images"
    images.mkdir()
    write_rgb(images / "good_a.jpg", seed=1)
    write_rgb(images / "good_b.png", seed=2)
    (images / "notes.txt").write_text("not an image\n")
    (images / "._good_a.jpg").write_bytes(b"\x00\x05\x16\x07")
    return images


def check(folder: Path, out: Path, **kwargs) -> list[dict]:
    return checked_inference_items(folder, None, "test", out, min_size=8, **kwargs)


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_bad_image_stops_the_run_naming_it(folder: Path, tmp_path: Path, name: str) -> None:
    make, problem = BAD_IMAGES[name]
    make(folder / name)
    with pytest.raises(SystemExit) as stopped:
        check(folder, tmp_path / "masks")
    message = str(stopped.value)
    assert f"{folder / name}: " in message and problem in message and "good_a" not in message
    assert not (tmp_path / "masks").exists()  # nothing written, not even the folder


@pytest.mark.parametrize("name", sorted(CONVERTIBLE_IMAGES))
def test_convertible_images_are_accepted(folder: Path, tmp_path: Path, name: str) -> None:
    CONVERTIBLE_IMAGES[name](folder / name)
    items = check(folder, tmp_path / "masks")
    assert sorted(Path(item["image"]).name for item in items) == sorted(["good_a.jpg", "good_b.png", name])


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_skip_bad_lists_the_bad_image_and_keeps_the_good(folder: Path, tmp_path: Path, name: str) -> None:
    make, problem = BAD_IMAGES[name]
    make(folder / name)
    items = check(folder, tmp_path / "masks", skip_bad=True)
    assert [Path(item["image"]).name for item in items] == ["good_a.jpg", "good_b.png"]
    report = json.loads((tmp_path / "masks" / PROBLEMS_REPORT).read_text())
    assert [entry["path"] for entry in report] == [str(folder / name)] and problem in report[0]["problem"]


def test_an_image_above_max_pixels_is_refused_before_decoding(folder: Path, tmp_path: Path) -> None:
    big = folder / "big.png"
    Image.new("RGB", (3000, 2000)).save(big)
    big.write_bytes(big.read_bytes()[:2000])  # truncated: decoding it would fail with another message
    with pytest.raises(SystemExit, match=f"{big}: image is 3000x2000 px, above max_pixels 1000000: refused before"):
        checked_inference_items(folder, None, "test", tmp_path / "masks", max_pixels=1_000_000)
    assert [Path(item["image"]).name for item in check(folder, tmp_path / "masks", skip_bad=True)] == [
        "good_a.jpg", "good_b.png"]  # the default limit (PIL's, ~89 Mpx) lets it through to the decoder, which fails


def test_skip_bad_with_no_good_image_left_stops(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    (images / "zero.png").write_bytes(b"")
    with pytest.raises(SystemExit, match="No image is left to segment"):
        checked_inference_items(images, None, "test", tmp_path / "masks", skip_bad=True)
    assert not (tmp_path / "masks").exists()


def test_hidden_and_non_image_files_are_skipped(folder: Path, tmp_path: Path) -> None:
    assert [Path(item["image"]).name for item in check(folder, tmp_path / "masks")] == ["good_a.jpg", "good_b.png"]


def test_two_images_with_one_output_name_are_both_named(folder: Path, tmp_path: Path) -> None:
    write_rgb(folder / "case7.jpg", seed=3)
    write_rgb(folder / "case7.png", seed=4)
    with pytest.raises(SystemExit) as stopped:
        check(folder, tmp_path / "masks")
    message = str(stopped.value)
    assert f"{folder / 'case7.jpg'}: writes case7_mask.png, as does {folder / 'case7.png'}" in message
    assert f"{folder / 'case7.png'}: writes case7_mask.png, as does {folder / 'case7.jpg'}" in message


@pytest.mark.parametrize(
    "make_input, message",
    [
        (lambda root: root / "absent", "no such folder of images"),
        (lambda root: (root / "empty").mkdir() or root / "empty", "no image files"),
    ],
    ids=["missing-folder", "empty-folder"],
)
def test_input_folder_problems(tmp_path: Path, make_input, message: str) -> None:
    source = make_input(tmp_path)
    with pytest.raises(SystemExit, match=message):
        check(source, tmp_path / "masks")


@pytest.mark.parametrize(
    "content, message",
    [("{\"test\": [", "is not valid JSON"), ("{\"training\": []}", "has no 'test' list"),
     ("{\"test\": [{\"image\": \"absent.jpg\"}]}", "image file not found")],
    ids=["broken-json", "missing-section", "missing-image"],
)
def test_datalist_problems(tmp_path: Path, content: str, message: str) -> None:
    datalist = tmp_path / "list.json"
    datalist.write_text(content)
    with pytest.raises(SystemExit, match=message):
        checked_inference_items(None, datalist, "test", tmp_path / "masks")


def test_output_folder_that_is_a_file_is_refused_before_any_image_is_read(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "masks"
    out.write_text("a file")
    BAD_IMAGES["cut.jpg"][0](folder / "cut.jpg")  # never reached: the output folder is checked first
    with pytest.raises(SystemExit) as stopped:
        check(folder, out)
    assert f"{out}: output folder is a file" in str(stopped.value) and "cut.jpg" not in str(stopped.value)
    assert output_folder_problem(out / "sub").problem == f"output folder lies under a file ({out})"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "masks"
    out.mkdir(mode=0o555)
    with pytest.raises(SystemExit, match="output folder cannot be written"):
        check(folder, out)


def test_temporaries_of_a_killed_run_are_removed_and_outputs_kept(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "masks"
    out.mkdir()
    (out / ".good_a_mask.x1y2.tmp.png").write_bytes(b"half a png")
    (out / "good_b_mask.png").write_bytes(b"a finished mask")
    check(folder, out)
    assert files_in(out) == ["good_b_mask.png"]
