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
"""The bad-input corpus: each case gets an error naming its file (and nothing written) or is handled."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bundle.data.constants import ISIC_CLASSES, TASK1_GT_DIR, TASK1_INPUT_DIR, TASK3_GT_DIR
from bundle.data.isic_reader import prepare_isic
from bundle.data.validation import DataValidationError
from tests.data.fixtures import (
    TASK1_COUNT,
    TASK3_LABELS,
    IsicTree,
    files_in,
    make_isic_tree,
    one_hot_row,
    task3_id,
    write_mask,
    write_rgb,
    write_task3_csv,
    write_truncated_jpeg,
)

REPO = Path(__file__).resolve().parents[2]


def _rewrite_csv(tree: IsicTree, row_index: int, row: list[str], header: list[str] | None = None) -> None:
    rows = [one_hot_row(task3_id(i), label) for i, label in enumerate(TASK3_LABELS)]
    rows[row_index] = row
    if header is not None:
        rows = [r + ["0.0"] * (len(header) - len(r)) for r in rows]
    write_task3_csv(tree.task3_csv, rows, header)


# Each case breaks one thing in a valid tree and returns (path named, start of the problem expected).
def _truncated_jpeg(t: IsicTree) -> tuple[str, str]:
    return str(write_truncated_jpeg(t.task3_images[0])), "image cannot be decoded (OSError: image file is truncated"


def _zero_byte_png(t: IsicTree) -> tuple[str, str]:
    t.task1_masks[0].write_bytes(b"")
    return str(t.task1_masks[0]), "mask file is empty (0 bytes)"


def _mask_16_bit(t: IsicTree) -> tuple[str, str]:
    path = write_mask(t.task1_masks[1], values=(0, 65535), dtype=np.uint16)
    return str(path), "mask is 16-bit (mode I;16); expected 8-bit 0/255"


def _mask_wrong_size(t: IsicTree) -> tuple[str, str]:
    return str(write_mask(t.task1_masks[2], size=(20, 20))), "mask size 20x20 differs from image size 40x30"


def _mask_not_binary(t: IsicTree) -> tuple[str, str]:
    return str(write_mask(t.task1_masks[2], values=(0, 1))), "mask is not binary (values 0, 1); expected 0/255"


def _mask_missing(t: IsicTree) -> tuple[str, str]:
    t.task1_masks[3].unlink()
    return str(t.task1_images[3]), f"mask missing (expected {t.task1_masks[3]})"


def _mask_folder_not_found(t: IsicTree) -> tuple[str, str]:
    shutil.rmtree(t.root / TASK1_GT_DIR)
    return str(t.root / TASK1_GT_DIR), "mask folder not found"


def _empty_folder(t: IsicTree) -> tuple[str, str]:
    for path in t.task1_images:
        path.unlink()  # ATTRIBUTION.txt and LICENSE.txt stay: they are not images
    return str(t.root / TASK1_INPUT_DIR), "folder holds no images"


def _image_below_min_size(t: IsicTree) -> tuple[str, str]:
    return str(write_rgb(t.task3_images[5], size=(10, 12))), "image is 10x12 px, smaller than min_size 16"


def _csv_row_without_class(t: IsicTree) -> tuple[str, str]:
    _rewrite_csv(t, 0, one_hot_row(task3_id(0)))
    return str(t.task3_csv), f"line 2 ({task3_id(0)}): no class set; expected exactly one 1.0"


def _csv_row_with_two_classes(t: IsicTree) -> tuple[str, str]:
    _rewrite_csv(t, 1, one_hot_row(task3_id(1), 0, 1))
    return str(t.task3_csv), f"line 3 ({task3_id(1)}): several classes set (MEL, NV)"


def _csv_non_numeric(t: IsicTree) -> tuple[str, str]:
    _rewrite_csv(t, 2, [task3_id(2), "yes", *["0.0"] * 6])
    return str(t.task3_csv), f"line 4 ({task3_id(2)}): non-numeric value 'yes' in column MEL"


def _csv_duplicate_id(t: IsicTree) -> tuple[str, str]:
    _rewrite_csv(t, 3, one_hot_row(task3_id(2), 1))
    return str(t.task3_csv), f"line 5: duplicate image id {task3_id(2)} (first on line 4)"


def _csv_names_missing_image(t: IsicTree) -> tuple[str, str]:
    t.task3_images[4].unlink()
    return str(t.task3_csv), f"image {task3_id(4)} named by the CSV not found in"


def _csv_unknown_column(t: IsicTree) -> tuple[str, str]:
    _rewrite_csv(t, 0, one_hot_row(task3_id(0), 0), ["image", *ISIC_CLASSES, "FOO"])
    return str(t.task3_csv), "unknown CSV column(s) 'FOO'; expected image,MEL,NV,BCC,AKIEC,BKL,DF,VASC"


def _csv_missing_column(t: IsicTree) -> tuple[str, str]:
    write_task3_csv(t.task3_csv, [[task3_id(0), "1.0"]], ["image", "MEL"])
    return str(t.task3_csv), "CSV lacks column(s) NV, BCC, AKIEC, BKL, DF, VASC"


def _csv_not_found(t: IsicTree) -> tuple[str, str]:
    t.task3_csv.unlink()
    return str(t.task3_csv), "ground-truth CSV not found"


BAD_CASES = {case.__name__[1:]: case for case in (
    _truncated_jpeg,
    _zero_byte_png,
    _mask_16_bit,
    _mask_wrong_size,
    _mask_not_binary,
    _mask_missing,
    _mask_folder_not_found,
    _empty_folder,
    _image_below_min_size,
    _csv_row_without_class,
    _csv_row_with_two_classes,
    _csv_non_numeric,
    _csv_duplicate_id,
    _csv_names_missing_image,
    _csv_unknown_column,
    _csv_missing_column,
    _csv_not_found,
)}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_named_and_nothing_is_written(tmp_path, case):
    tree = make_isic_tree(tmp_path / "isic")
    path, text = BAD_CASES[case](tree)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(DataValidationError) as info:
        prepare_isic(tree.root, out_dir, min_size=16)
    messages = [str(problem) for problem in info.value.problems]
    assert any(m.startswith(f"{path}: {text}") for m in messages), messages
    assert all(m.startswith(str(tree.root)) for m in messages)  # every problem names its file
    assert f"{path}: {text}" in str(info.value)
    assert files_in(out_dir) == []


def test_every_problem_is_collected(tmp_path):
    tree = make_isic_tree(tmp_path / "isic")
    cases = ("truncated_jpeg", "mask_16_bit", "csv_row_with_two_classes", "mask_missing")
    broken = [BAD_CASES[case](tree) for case in cases]
    with pytest.raises(DataValidationError) as info:
        prepare_isic(tree.root, tmp_path / "out")
    assert len(info.value.problems) == len(broken)
    for path, text in broken:
        assert f"{path}: {text}" in str(info.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "case",
    ["grayscale", "rgba", "stray_files"],
)
def test_handled_inputs_are_valid(tmp_path, case):
    tree = make_isic_tree(tmp_path / "isic")
    if case == "grayscale":
        write_rgb(tree.task3_images[0], mode="L")
        write_rgb(tree.task1_images[0], mode="L")
    elif case == "rgba":
        tree.task3_images[0].unlink()
        write_rgb(tree.task3_images[0].with_suffix(".png"), mode="RGBA")
    else:
        for folder in (tree.root / TASK1_INPUT_DIR, tree.root / TASK3_GT_DIR):
            (folder / "Thumbs.db").write_bytes(b"\x00\x01")
            (folder / "notes.docx").write_text("not data")
            (folder / "extra").mkdir()
    summary = prepare_isic(tree.root, tmp_path / "out")
    assert summary["num_problems"] == 0
    assert sum(sum(c.values()) for c in summary["classification"]["counts"].values()) == len(TASK3_LABELS)
    assert sum(summary["segmentation"]["counts"].values()) == TASK1_COUNT


def test_skip_bad_writes_datalists_without_bad_items(tmp_path):
    tree = make_isic_tree(tmp_path / "isic")
    broken = [BAD_CASES[case](tree) for case in ("truncated_jpeg", "mask_wrong_size", "csv_row_with_two_classes")]
    summary = prepare_isic(tree.root, tmp_path / "out", skip_bad=True)
    out = tmp_path / "out"
    assert files_in(out) == ["classification.json", "problems.json", "segmentation.json"]
    report = json.loads((out / "problems.json").read_text())
    assert summary["num_problems"] == len(report) == len(broken)
    assert all(any(r["path"] == path and r["problem"].startswith(text) for r in report) for path, text in broken)
    cls = json.loads((out / "classification.json").read_text())
    seg = json.loads((out / "segmentation.json").read_text())
    cls_images = {item["image"] for key in ("training", "test") for item in cls[key]}
    seg_images = {item["image"] for key in ("training", "validation", "test") for item in seg[key]}
    # image 0 is truncated and row 1 has two classes; mask 2 is the wrong size
    assert cls_images == {str(p) for p in tree.task3_images[2:]}
    assert seg_images == {str(p) for i, p in enumerate(tree.task1_images) if i != 2}


def test_skip_bad_still_fails_when_nothing_usable_is_left(tmp_path):
    tree = make_isic_tree(tmp_path / "isic", task3_labels=None, task1_count=1)
    write_truncated_jpeg(tree.task1_images[0])
    with pytest.raises(DataValidationError, match="0 usable segmentation image"):
        prepare_isic(tree.root, tmp_path / "out", skip_bad=True)
    assert files_in(tmp_path / "out") == []


def test_cli_exits_2_with_the_problem_list(tmp_path):
    tree = make_isic_tree(tmp_path / "isic")
    bad = write_truncated_jpeg(tree.task3_images[0])
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "prepare_data.py"), "isic", "--isic_dir", str(tree.root),
         "--out_dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert f"{bad}: image cannot be decoded" in result.stderr
    assert "Traceback" not in result.stderr
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize("command", ["isic", "folder"])
def test_cli_refuses_an_output_folder_that_is_a_file(tmp_path, command):
    tree = make_isic_tree(tmp_path / "isic")
    out = tmp_path / "out"
    out.write_text("a file, not a folder")
    source = (["--isic_dir", str(tree.root)] if command == "isic"
              else ["--image_dir", str(tree.task3_images[0].parent), "--csv", str(tmp_path / "labels.csv")])
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "prepare_data.py"), command, *source,
                             "--out_dir", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{out}: output folder is a file" in result.stderr
    assert out.read_text() == "a file, not a folder"


def test_cli_prints_a_summary(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("prepare_data", REPO / "scripts" / "prepare_data.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    tree = make_isic_tree(tmp_path / "isic")
    cli.isic(str(tree.root), str(tmp_path / "out"), cls_test_fraction=0.5)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"classification: {tmp_path / 'out' / 'classification.json'}"
    assert lines[2].split() == ["MEL", "1", "1"] and lines[3].split() == ["NV", "2", "2"]
    assert "total" in lines[9] and lines[9].split()[1:] == ["8", "8"]
    assert lines[11].strip() == "training 2, validation 1, test 2"


def test_cli_folder_writes_the_classification_datalist(tmp_path):
    """``prepare_data.py folder`` as the README shows it: a folder of images and a CSV of image,label rows."""
    images = tmp_path / "imgs"
    rows = [[f"case{index}.png", "benign" if index % 2 else "malignant"] for index in range(8)]
    for seed, (name, _) in enumerate(rows):
        write_rgb(images / name, seed=seed)
    with open(tmp_path / "labels.csv", "w", newline="") as stream:
        csv.writer(stream).writerows([["image", "label"], *rows])
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "prepare_data.py"), "folder", "--image_dir",
                             str(images), "--csv", str(tmp_path / "labels.csv"), "--out_dir", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    datalist = json.loads((tmp_path / "out" / "classification.json").read_text())
    assert datalist["classes"] == ["benign", "malignant"]
    assert len(datalist["training"]) + len(datalist["test"]) == len(rows)
