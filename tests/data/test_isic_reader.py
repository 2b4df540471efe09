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
"""Tests of reading the official ISIC 2018 layout and of ``prepare_isic`` on valid trees."""

from __future__ import annotations

import json
import os

import pytest

from bundle.data.constants import ISIC_CLASSES, TASK1_INPUT_DIR, TASK1_MASK_SUFFIX, TASK3_INPUT_DIR
from bundle.data.isic_reader import image_id, list_image_files, prepare_isic, read_task1, read_task3, read_task3_csv
from bundle.data.validation import DataValidationError
from tests.data.fixtures import (
    TASK1_COUNT,
    TASK3_LABELS,
    files_in,
    make_isic_tree,
    task3_id,
    write_mask,
    write_rgb,
    write_task3_csv,
)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("ISIC_0024306.jpg", "ISIC_0024306"),
        ("ISIC_0024306.JPG", "ISIC_0024306"),
        ("scan.nii.gz", "scan"),
        ("scan.nii", "scan"),
        ("LICENSE.txt", None),
        ("ATTRIBUTION.txt", None),
        (".jpg", None),
    ],
)
def test_image_id(name, expected):
    assert image_id(name) == expected


def test_read_task3_matches_csv_and_ignores_stray_files(tmp_path):
    tree = make_isic_tree(tmp_path, task1_count=None)
    items, problems = read_task3(tmp_path)
    assert problems == []
    assert items == [{"image": str(p), "label": label} for p, label in zip(tree.task3_images, TASK3_LABELS)]
    assert all(os.path.isabs(item["image"]) for item in items)
    assert read_task1(tmp_path) is None


def test_read_task1_pairs_images_with_masks(tmp_path):
    tree = make_isic_tree(tmp_path, task3_labels=None)
    items, problems = read_task1(tmp_path)
    assert problems == []
    assert items == [{"image": str(i), "mask": str(m)} for i, m in zip(tree.task1_images, tree.task1_masks)]
    assert read_task3(tmp_path) is None


def test_synthetic_task3_masks_are_attached(tmp_path):
    make_isic_tree(tmp_path, task1_count=None)
    mask = write_mask(tmp_path / "synthetic_extras" / "task3_masks" / f"{task3_id(1)}{TASK1_MASK_SUFFIX}")
    items, _ = read_task3(tmp_path)
    assert items[1]["mask"] == str(mask)
    assert all("mask" not in item for index, item in enumerate(items) if index != 1)


def test_read_task3_csv_accepts_reordered_columns_and_ids_with_ending(tmp_path):
    header = ["VASC", "image", *ISIC_CLASSES[:-1]]
    path = write_task3_csv(tmp_path / "gt.csv", [["0.0", "ISIC_1.jpg", "0", "1", "0", "0", "0", "0"]], header)
    assert read_task3_csv(path) == ([("ISIC_1", 1)], [])


def test_list_image_files_reports_duplicate_ids(tmp_path):
    write_rgb(tmp_path / "a.jpg")
    write_rgb(tmp_path / "a.png")
    (tmp_path / ".a.jpg").write_bytes(b"")  # hidden (e.g. macOS resource fork): ignored
    images, problems = list_image_files(tmp_path)
    assert images == {"a": tmp_path / "a.jpg"}
    assert [(p.path, p.problem) for p in problems] == [(str(tmp_path / "a.png"), "duplicate image id a (also a.jpg)")]


def test_prepare_isic_writes_both_datalists(tmp_path):
    make_isic_tree(tmp_path / "isic")
    summary = prepare_isic(tmp_path / "isic", tmp_path / "out", cls_test_fraction=0.5)
    assert files_in(tmp_path / "out") == ["classification.json", "problems.json", "segmentation.json"]
    cls = json.loads((tmp_path / "out" / "classification.json").read_text())
    assert summary["classification"]["datalist"] == str(tmp_path / "out" / "classification.json")
    assert len(cls["training"]) == len(cls["test"]) == 8 and cls["classes"] == list(ISIC_CLASSES)
    # stratified: every class of the fixture has 2 items (NV 4), so each split gets half of each
    counts = summary["classification"]["counts"]
    assert counts["training"] == counts["test"] == {name: 2 if name == "NV" else 1 for name in ISIC_CLASSES}
    assert summary["segmentation"]["counts"] == {"training": 2, "validation": 1, "test": 2}
    seg = json.loads((tmp_path / "out" / "segmentation.json").read_text())
    assert sum(len(seg[key]) for key in ("training", "validation", "test")) == TASK1_COUNT
    assert summary["num_problems"] == 0 and json.loads((tmp_path / "out" / "problems.json").read_text()) == []


def test_prepare_isic_is_deterministic_given_seed(tmp_path):
    make_isic_tree(tmp_path / "isic")
    outputs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        prepare_isic(tmp_path / "isic", tmp_path / name, seed=seed)
        outputs[name] = [(tmp_path / name / f).read_text() for f in ("classification.json", "segmentation.json")]
    assert outputs["a"] == outputs["b"]
    assert outputs["a"] != outputs["c"]


@pytest.mark.parametrize("task3, task1, present", [(TASK3_LABELS, None, "classification"), (None, 3, "segmentation")])
def test_prepare_isic_skips_an_absent_task(tmp_path, task3, task1, present):
    make_isic_tree(tmp_path / "isic", task3_labels=task3, task1_count=task1)
    summary = prepare_isic(tmp_path / "isic", tmp_path / "out")
    absent = {"classification", "segmentation"} - {present}
    assert summary[present] is not None and summary[absent.pop()] is None
    assert (tmp_path / "out" / f"{present}.json").is_file()
    assert files_in(tmp_path / "out") == sorted([f"{present}.json", "problems.json"])


@pytest.mark.parametrize("make_dir", [False, True])
def test_prepare_isic_without_isic_folders_is_a_clear_error(tmp_path, make_dir):
    if make_dir:
        (tmp_path / "isic").mkdir()
    with pytest.raises(DataValidationError, match=f"{tmp_path / 'isic'}: (ISIC folder not found|no ISIC 2018 folder)"):
        prepare_isic(tmp_path / "isic", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_folder_unzipped_twice_gets_a_hint(tmp_path):
    make_isic_tree(tmp_path, task1_count=None)
    input_dir = tmp_path / TASK3_INPUT_DIR
    nested = input_dir / TASK3_INPUT_DIR
    nested.mkdir()
    for path in input_dir.glob("*.jpg"):
        path.rename(nested / path.name)
    _, problems = read_task3(tmp_path)
    assert [p.problem for p in problems] == [f"folder holds no images (found {nested}: unzipped twice?)"]


def test_images_without_masks_or_rows_are_handled(tmp_path, caplog):
    make_isic_tree(tmp_path)
    write_rgb(tmp_path / TASK3_INPUT_DIR / "ISIC_9999999.jpg")  # no CSV row: ignored with a warning
    extra = write_rgb(tmp_path / TASK1_INPUT_DIR / "ISIC_0000099.jpg")  # no mask: a problem
    items, problems = read_task3(tmp_path)
    assert len(items) == len(TASK3_LABELS) and problems == []
    assert "1 images in" in caplog.text and "ISIC_9999999" in caplog.text
    items, problems = read_task1(tmp_path)
    assert len(items) == TASK1_COUNT
    assert [(p.path, p.problem.split(" (")[0]) for p in problems] == [(str(extra), "mask missing")]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cls_test_fraction": 0.0},
        {"cls_test_fraction": 1.5},
        {"seg_fractions": (0.5, 0.5)},
        {"seg_fractions": (0.5, 0.3, 0.3)},
        {"min_size": -1},
    ],
)
def test_ill_options(tmp_path, kwargs):
    make_isic_tree(tmp_path / "isic", task3_labels=None, task1_count=1)
    with pytest.raises(ValueError):
        prepare_isic(tmp_path / "isic", tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()
