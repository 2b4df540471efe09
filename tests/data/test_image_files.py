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
"""Tests of image listing (ids, folders, datalist sections) and of the full-supervision datalist."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle.data.image_files import image_id, inference_items, is_image_file, list_image_files
from bundle.utils import write_json_atomic

IMAGE_ID_CASES = [
    ["/data/ISIC_0012345.jpg", "ISIC_0012345"],
    ["scan.nii.gz", "scan"],
    ["/x/ISIC_0000001.PNG", "ISIC_0000001"],
    ["a.b.jpeg", "a.b"],
    ["notes.txt", "notes"],
]


@pytest.mark.parametrize("path, expected", IMAGE_ID_CASES)
def test_image_id(path, expected):
    assert image_id(path) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ["a.jpg", True],
        ["a.JPG", True],
        ["b.nii.gz", True],
        ["c.tiff", True],
        ["ATTRIBUTION.txt", False],
        ["d.gz", False],
    ],
)
def test_is_image_file(path, expected):
    assert is_image_file(path) is expected


def _touch(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")
    return folder


def test_list_image_files_sorted_and_ignores_other_files(tmp_path):
    folder = _touch(tmp_path / "in", "b.png", "a.jpg", "ATTRIBUTION.txt", "LICENSE.txt")
    (folder / "sub.png").mkdir()  # a folder named like an image is not an image
    assert list_image_files(folder) == [{"image": str(folder / "a.jpg")}, {"image": str(folder / "b.png")}]


def test_list_image_files_empty_folder_names_it(tmp_path):
    folder = _touch(tmp_path / "only_text", "ATTRIBUTION.txt")
    with pytest.raises(FileNotFoundError, match="only_text"):
        list_image_files(folder)


def test_list_image_files_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        list_image_files(tmp_path / "no_such_folder")


def _datalist(tmp_path: Path) -> Path:
    sections = {
        "training": [{"image": str(tmp_path / "t0.png"), "label": 1}],
        "validation": [{"image": str(tmp_path / "v0.png"), "mask": str(tmp_path / "v0_segmentation.png")}],
        "test": [{"image": str(tmp_path / "s0.png"), "mask": "x"}, {"image": str(tmp_path / "s1.png"), "mask": "y"}],
    }
    return write_json_atomic(tmp_path / "list.json", sections)


@pytest.mark.parametrize(
    "key, expected_names",
    [
        ["test", ["s0.png", "s1.png"]],
        [["validation", "test"], ["v0.png", "s0.png", "s1.png"]],
        [("training",), ["t0.png"]],
    ],
)
def test_inference_items_from_datalist_keeps_image_only(tmp_path, key, expected_names):
    items = inference_items(None, _datalist(tmp_path), key)
    assert items == [{"image": str(tmp_path / name)} for name in expected_names]


def test_inference_items_datalist_wins_over_folder(tmp_path):
    folder = _touch(tmp_path / "in", "z.png")
    assert inference_items(folder, _datalist(tmp_path), "training") == [{"image": str(tmp_path / "t0.png")}]


def test_inference_items_from_folder(tmp_path):
    folder = _touch(tmp_path / "in", "z.png", "ATTRIBUTION.txt")
    assert inference_items(folder, None) == [{"image": str(folder / "z.png")}]


def test_inference_items_ill_options():
    with pytest.raises(ValueError, match="input_dir"):
        inference_items(None, None)
