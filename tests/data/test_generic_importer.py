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
"""Tests of importing a generic labelled image folder."""

from __future__ import annotations

import json

import pytest

from bundle.data.generic_importer import import_labelled_folder, read_label_csv, sorted_classes
from bundle.data.validation import DataValidationError
from tests.data.fixtures import files_in, write_rgb


def _folder(tmp_path, labels, names=None, extra_columns=""):
    """Write one image per label and a CSV ``image,label`` naming them (by default without their ending)."""
    image_dir = tmp_path / "images"
    names = names or [f"img{i}" for i in range(len(labels))]
    for index, name in enumerate(names):
        write_rgb(image_dir / (name if "." in name else f"{name}.png"), seed=index)
    extra = ",x" if extra_columns else ""
    lines = [f"image,label{extra_columns}"] + [f"{name},{label}{extra}" for name, label in zip(names, labels)]
    csv_path = tmp_path / "labels.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    return image_dir, csv_path


@pytest.mark.parametrize(
    "labels, expected_classes",
    [
        (["cat", "dog"] * 4, ["cat", "dog"]),
        (["b", "a", "c", "a", "b", "c"], ["a", "b", "c"]),
        ([10, 2] * 4, ["2", "10"]),  # integers sort numerically
        ([0, 1, 1, 0, 1, 0, 0, 1], ["0", "1"]),
    ],
)
def test_import_with_string_and_int_labels(tmp_path, labels, expected_classes):
    image_dir, csv_path = _folder(tmp_path, labels)
    summary = import_labelled_folder(image_dir, csv_path, tmp_path / "out", test_fraction=0.5)
    content = json.loads((tmp_path / "out" / "classification.json").read_text())
    assert content["classes"] == expected_classes and content["name"] == "images"
    items = content["training"] + content["test"]
    assert len(items) == len(labels) and len(content["test"]) == len(labels) // 2
    by_name = {item["image"]: item["label"] for item in items}
    for index, label in enumerate(labels):
        assert by_name[str(image_dir / f"img{index}.png")] == expected_classes.index(str(label))
    # every class has an even count: the stratified test split holds half of each
    expected_test = {c: [str(label) for label in labels].count(c) // 2 for c in expected_classes}
    assert summary["classification"]["counts"]["test"] == expected_test
    assert files_in(tmp_path / "out") == ["classification.json", "problems.json"]


def test_names_with_ending_subfolders_and_extra_columns(tmp_path):
    image_dir, csv_path = _folder(tmp_path, ["a", "b", "a", "b"], ["x.png", "y", "sub/z.jpg", "sub/w"], ",site")
    import_labelled_folder(image_dir, csv_path, tmp_path / "out", test_fraction=0.5)
    content = json.loads((tmp_path / "out" / "classification.json").read_text())
    images = sorted(item["image"] for item in content["training"] + content["test"])
    assert images == sorted(str(image_dir / n) for n in ("x.png", "y.png", "sub/z.jpg", "sub/w.png"))


@pytest.mark.parametrize(
    "csv_text, expected",
    [
        ("image,label\nmissing,a\n", "line 2: image missing not found in"),
        ("image,label\nimg0,\n", "line 2 (img0): empty label"),
        ("image,label\nimg0,a\nimg0,b\n", "line 3: image img0 is listed 2 times"),
        ("image,label\nimg2,a\n", "line 2: image img2 is ambiguous (img2.jpg, img2.png)"),
        ("name,label\nimg0,a\n", "CSV lacks column(s) image; expected image,label"),
        ("image,label\n", "CSV has no rows"),
    ],
)
def test_bad_rows_are_reported_with_the_csv(tmp_path, csv_text, expected):
    image_dir, _ = _folder(tmp_path, ["a", "b", "a"])
    write_rgb(image_dir / "img2.jpg")
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(csv_text)
    with pytest.raises(DataValidationError) as info:
        import_labelled_folder(image_dir, csv_path, tmp_path / "out")
    assert f"{csv_path}: {expected}" in str(info.value)
    assert files_in(tmp_path / "out") == []


def test_skip_bad_drops_rows_and_reports(tmp_path):
    image_dir, csv_path = _folder(tmp_path, ["a", "b", "a", "b"])
    (image_dir / "img1.png").write_bytes(b"")
    summary = import_labelled_folder(image_dir, csv_path, tmp_path / "out", skip_bad=True, test_fraction=0.5)
    assert summary["num_problems"] == 1
    content = json.loads((tmp_path / "out" / "classification.json").read_text())
    assert str(image_dir / "img1.png") not in [i["image"] for i in content["training"] + content["test"]]
    report = json.loads((tmp_path / "out" / "problems.json").read_text())
    assert report == [{"path": str(image_dir / "img1.png"), "problem": "image file is empty (0 bytes)"}]


def test_read_label_csv_strips_spaces_and_bom(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("\ufeffimage , label\n a.jpg , cat \n\n")
    assert read_label_csv(path) == ([(2, "a.jpg", "cat")], [])


def test_sorted_classes_mixed_labels_sort_as_text():
    assert sorted_classes(["b", "10", "2"]) == ["10", "2", "b"]


@pytest.mark.parametrize("kwargs", [{"test_fraction": 0.0}, {"test_fraction": 1.0}, {"min_size": -2}])
def test_ill_options(tmp_path, kwargs):
    image_dir, csv_path = _folder(tmp_path, ["a", "b"])
    with pytest.raises(ValueError):
        import_labelled_folder(image_dir, csv_path, tmp_path / "out", **kwargs)
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize("missing", ["image_dir", "csv"])
def test_missing_inputs_are_named(tmp_path, missing):
    image_dir, csv_path = _folder(tmp_path, ["a", "b"])
    args = {"image_dir": image_dir, "csv": csv_path}
    args[missing] = tmp_path / "nowhere"
    with pytest.raises(DataValidationError, match=str(tmp_path / "nowhere")):
        import_labelled_folder(args["image_dir"], args["csv"], tmp_path / "out")
