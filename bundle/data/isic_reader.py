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
"""Reading the ISIC 2018 Task 3 and Task 1 training folders exactly as downloaded, into MONAI datalists.

Layout (names in :mod:`bundle.data.constants`)::

    <isic_dir>/ISIC2018_Task3_Training_Input/ISIC_#######.jpg
    <isic_dir>/ISIC2018_Task3_Training_GroundTruth/ISIC2018_Task3_Training_GroundTruth.csv
    <isic_dir>/ISIC2018_Task1-2_Training_Input/ISIC_#######.jpg
    <isic_dir>/ISIC2018_Task1_Training_GroundTruth/ISIC_#######_segmentation.png

Either task may be absent. Files that are not images (ATTRIBUTION.txt, LICENSE.txt) and hidden files are ignored.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bundle.data.constants import (
    IMAGE_SUFFIXES,
    ISIC_CLASSES,
    TASK1_GT_DIR,
    TASK1_INPUT_DIR,
    TASK1_MASK_SUFFIX,
    TASK3_GT_CSV,
    TASK3_GT_DIR,
    TASK3_INPUT_DIR,
)
from bundle.data.datalist import (
    class_counts,
    write_classification_datalist,
    write_problems_report,
    write_segmentation_datalist,
)
from bundle.data.output_layout import CLASSIFICATION_DATALIST, PROBLEMS_REPORT, SEGMENTATION_DATALIST
from bundle.data.splits import (
    split_classification_items,
    split_segmentation_items,
    validate_fraction,
    validate_fractions,
)
from bundle.data.validation import DataProblem, DataValidationError, validate_items

__all__ = ["image_id", "list_image_files", "prepare_isic", "read_task1", "read_task3", "read_task3_csv"]

logger = logging.getLogger(__name__)

SYNTHETIC_TASK3_MASK_DIR = os.path.join("synthetic_extras", "task3_masks")
"""Written only by the synthetic generator: Task 3 masks used for diagnostics, never for training."""

_ID_COLUMN = "image"
_MAX_EXAMPLES = 3
_MIN_ITEMS = {"classification": 2, "segmentation": 1}  # a stratified split needs two items
_INPUT_DIRS = {"classification": TASK3_INPUT_DIR, "segmentation": TASK1_INPUT_DIR}

Items = list[dict[str, Any]]


def image_id(file_name: str) -> str | None:
    """Return ``file_name`` without its image ending, or None if it is not an image (e.g. ``LICENSE.txt``)."""
    lower = file_name.lower()
    for suffix in sorted(IMAGE_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    return None


def list_image_files(folder: str | os.PathLike) -> tuple[dict[str, Path], list[DataProblem]]:
    """Map image id to path for every image file directly inside ``folder``.

    Returns:
        ``(images, problems)``; two files with the same id (``a.jpg``, ``a.png``) are a problem, the first
        in name order is kept.
    """
    images: dict[str, Path] = {}
    problems = []
    for path in sorted(Path(folder).iterdir()):
        key = image_id(path.name)
        if key is None or path.name.startswith(".") or not path.is_file():
            continue
        if key in images:
            problems.append(DataProblem(str(path), f"duplicate image id {key} (also {images[key].name})"))
            continue
        images[key] = path
    return images, problems


def read_task3_csv(csv_path: str | os.PathLike) -> tuple[list[tuple[str, int]], list[DataProblem]]:
    """Parse the Task 3 one-hot ground truth ``image,MEL,NV,BCC,AKIEC,BKL,DF,VASC``.

    Every bad row is reported (no class, several classes, non-numeric or non-0/1 value, wrong field count,
    duplicate id); so are missing, unknown or repeated columns.

    Returns:
        ``(rows, problems)``: rows are ``(image id, class index into ISIC_CLASSES)`` for the valid rows only
        (every row of a duplicated id is dropped).
    """
    where = str(csv_path)
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:
            numbered = enumerate(csv.reader(handle), start=1)
            lines = [(number, row) for number, row in numbered if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        return [], [DataProblem(where, f"CSV cannot be read ({type(err).__name__}: {err})")]
    if not lines:
        return [], [DataProblem(where, "CSV is empty")]
    header = [name.strip() for name in lines[0][1]]
    problems = _header_problems(where, header)
    if _ID_COLUMN not in header:
        return [], problems
    rows = []
    for number, row in lines[1:]:
        parsed, row_problems = _parse_task3_row(where, number, header, row)
        problems += row_problems
        if parsed is not None:
            rows.append((number, *parsed))
    if len(lines) == 1:
        problems.append(DataProblem(where, "CSV has a header but no rows"))
    return _drop_duplicate_ids(where, rows, problems)


def read_task3(isic_dir: str | os.PathLike) -> tuple[Items, list[DataProblem]] | None:
    """Collect Task 3 items ``{"image": abs path, "label": class index}`` without decoding images.

    Synthetic data only: an item gets a ``"mask"`` when ``synthetic_extras/task3_masks/<id>_segmentation.png``
    exists (used for diagnostics).

    Returns:
        ``(items, problems)`` sorted by image id, or None when neither Task 3 folder exists.
    """
    isic_dir = Path(os.path.abspath(isic_dir))
    input_dir, gt_dir = isic_dir / TASK3_INPUT_DIR, isic_dir / TASK3_GT_DIR
    if not input_dir.is_dir() and not gt_dir.is_dir():
        logger.info("No %s or %s in %s: skipping classification (Task 3).", TASK3_INPUT_DIR, TASK3_GT_DIR, isic_dir)
        return None
    images, problems = _list_input_folder(input_dir)
    csv_path = gt_dir / TASK3_GT_CSV
    rows: list[tuple[str, int]] = []
    if csv_path.is_file():
        rows, csv_problems = read_task3_csv(csv_path)
        problems += csv_problems
    else:
        problems.append(DataProblem(str(csv_path), "ground-truth CSV not found"))
    items = []
    for key, label in sorted(rows):
        if key not in images:
            if images:  # an empty or missing folder is already one problem: don't list every row again
                problems.append(DataProblem(str(csv_path), f"image {key} named by the CSV not found in {input_dir}"))
            continue
        item: dict[str, Any] = {"image": str(images[key]), "label": label}
        mask = isic_dir / SYNTHETIC_TASK3_MASK_DIR / f"{key}{TASK1_MASK_SUFFIX}"
        if mask.is_file():
            item["mask"] = str(mask)
        items.append(item)
    _warn_unused(images.keys() - {key for key, _ in rows}, f"images in {input_dir} without a valid CSV row")
    return items, problems


def read_task1(isic_dir: str | os.PathLike) -> tuple[Items, list[DataProblem]] | None:
    """Collect Task 1 items ``{"image": abs path, "mask": abs path}`` without decoding images.

    Returns:
        ``(items, problems)`` sorted by image id, or None when neither Task 1 folder exists.
    """
    isic_dir = Path(os.path.abspath(isic_dir))
    input_dir, gt_dir = isic_dir / TASK1_INPUT_DIR, isic_dir / TASK1_GT_DIR
    if not input_dir.is_dir() and not gt_dir.is_dir():
        logger.info("No %s or %s in %s: skipping segmentation (Task 1).", TASK1_INPUT_DIR, TASK1_GT_DIR, isic_dir)
        return None
    images, problems = _list_input_folder(input_dir)
    if not gt_dir.is_dir():
        problems.append(DataProblem(str(gt_dir), "mask folder not found"))
        return [], problems
    masks = {
        path.name[: -len(TASK1_MASK_SUFFIX)]: path
        for path in gt_dir.iterdir()
        if path.name.endswith(TASK1_MASK_SUFFIX) and not path.name.startswith(".")
    }
    items = []
    for key, path in sorted(images.items()):
        if key in masks:
            items.append({"image": str(path), "mask": str(masks[key])})
        else:
            problems.append(DataProblem(str(path), f"mask missing (expected {gt_dir / (key + TASK1_MASK_SUFFIX)})"))
    _warn_unused(masks.keys() - images.keys(), f"masks in {gt_dir} without an image")
    return items, problems


def prepare_isic(
    isic_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    seed: int = 0,
    cls_test_fraction: float = 0.2,
    seg_fractions: Sequence[float] = (0.4, 0.2, 0.4),
    skip_bad: bool = False,
    min_size: int = 0,
    num_workers: int | None = None,
) -> dict[str, Any]:
    """Validate the ISIC 2018 download and write ``classification.json``, ``segmentation.json`` and ``problems.json``.

    Nothing is written when a problem is found, unless ``skip_bad`` is set: then bad items are left out and
    every problem goes to ``problems.json`` beside the datalists.

    Args:
        isic_dir: folder holding the unzipped ISIC 2018 folders.
        out_dir: folder for the datalists (created if needed).
        seed: seed of both splits.
        cls_test_fraction: share of Task 3 images in the stratified test split.
        seg_fractions: (train, validation, test) shares of Task 1 images.
        skip_bad: leave bad items out instead of stopping.
        min_size: smallest accepted image width and height (0: no limit).
        num_workers: threads decoding images (None: CPU count).

    Returns:
        summary: ``{"isic_dir", "out_dir", "classification", "segmentation", "num_problems", "problems_report"}``;
        a task entry is None when its folders are absent, else holds its datalist path and per-split counts.

    Raises:
        DataValidationError: listing every problem found (or when no ISIC folder is present).
    """
    validate_fraction(cls_test_fraction, "cls_test_fraction")
    validate_fractions(seg_fractions)
    if min_size < 0:
        raise ValueError(f"min_size must be >= 0, got {min_size}.")
    isic_dir = Path(os.path.abspath(isic_dir))
    out_dir = Path(os.path.abspath(out_dir))
    tasks = _read_tasks(isic_dir)
    problems: list[DataProblem] = []
    usable: dict[str, Items] = {}
    for task, found in tasks.items():
        if found is None:
            continue
        items, structure_problems = found
        valid, item_problems = validate_items(items, min_size=min_size, num_workers=num_workers)
        problems += structure_problems + item_problems
        usable[task] = [dict(item) for item in valid]
    if problems and not skip_bad:
        raise DataValidationError(problems)
    shortages = [problem for task, items in usable.items() for problem in _shortage(isic_dir, task, items)]
    if shortages:
        raise DataValidationError(problems + shortages)
    if problems:
        logger.warning("Skipping %d problem(s); see %s.", len(problems), out_dir / PROBLEMS_REPORT)
    return _write_outputs(isic_dir, out_dir, usable, problems, seed, cls_test_fraction, seg_fractions)


def _read_tasks(isic_dir: Path) -> dict[str, tuple[Items, list[DataProblem]] | None]:
    if not isic_dir.is_dir():
        raise DataValidationError([DataProblem(str(isic_dir), "ISIC folder not found")])
    tasks = {"classification": read_task3(isic_dir), "segmentation": read_task1(isic_dir)}
    if all(found is None for found in tasks.values()):
        expected = ", ".join((TASK3_INPUT_DIR, TASK3_GT_DIR, TASK1_INPUT_DIR, TASK1_GT_DIR))
        problem = DataProblem(str(isic_dir), f"no ISIC 2018 folder found; expected any of {expected}")
        raise DataValidationError([problem])
    return tasks


def _shortage(isic_dir: Path, task: str, items: Items) -> list[DataProblem]:
    if len(items) >= _MIN_ITEMS[task]:
        return []
    where = str(isic_dir / _INPUT_DIRS[task])
    return [DataProblem(where, f"{len(items)} usable {task} image(s) left; at least {_MIN_ITEMS[task]} needed")]


def _write_outputs(
    isic_dir: Path,
    out_dir: Path,
    usable: dict[str, Items],
    problems: list[DataProblem],
    seed: int,
    cls_test_fraction: float,
    seg_fractions: Sequence[float],
) -> dict[str, Any]:
    """Split, then write every file; both splits are computed before the first write."""
    cls_split = seg_split = None
    if "classification" in usable:
        cls_split = split_classification_items(usable["classification"], cls_test_fraction, seed)
    if "segmentation" in usable:
        seg_split = split_segmentation_items(usable["segmentation"], seg_fractions, seed)
    summary: dict[str, Any] = {"isic_dir": str(isic_dir), "out_dir": str(out_dir)}
    summary["classification"] = None if cls_split is None else _write_classification(out_dir, *cls_split)
    summary["segmentation"] = None if seg_split is None else _write_segmentation(out_dir, *seg_split)
    summary["num_problems"] = len(problems)
    summary["problems_report"] = str(write_problems_report(out_dir / PROBLEMS_REPORT, problems))
    return summary


def _write_classification(out_dir: Path, train: Items, test: Items) -> dict[str, Any]:
    path = write_classification_datalist(out_dir / CLASSIFICATION_DATALIST, "ISIC2018_Task3", ISIC_CLASSES, train, test)
    counts = {"training": class_counts(train, ISIC_CLASSES), "test": class_counts(test, ISIC_CLASSES)}
    return {"datalist": str(path), "classes": list(ISIC_CLASSES), "counts": counts}


def _write_segmentation(out_dir: Path, train: Items, val: Items, test: Items) -> dict[str, Any]:
    path = write_segmentation_datalist(out_dir / SEGMENTATION_DATALIST, "ISIC2018_Task1", train, val, test)
    return {"datalist": str(path), "counts": {"training": len(train), "validation": len(val), "test": len(test)}}


def _list_input_folder(folder: Path) -> tuple[dict[str, Path], list[DataProblem]]:
    """List a task's image folder; a missing or image-less folder is a problem."""
    if not folder.is_dir():
        return {}, [DataProblem(str(folder), "image folder not found")]
    images, problems = list_image_files(folder)
    if not images:
        nested = folder / folder.name
        hint = f" (found {nested}: unzipped twice?)" if nested.is_dir() else ""
        problems.append(DataProblem(str(folder), f"folder holds no images{hint}"))
    return images, problems


def _header_problems(where: str, header: list[str]) -> list[DataProblem]:
    expected = (_ID_COLUMN, *ISIC_CLASSES)
    problems = []
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    columns = ",".join(expected)
    if missing:
        problems.append(DataProblem(where, f"CSV lacks column(s) {', '.join(missing)}; expected {columns}"))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        problems.append(DataProblem(where, f"unknown CSV column(s) {names}; expected {columns}"))
    if repeated:
        problems.append(DataProblem(where, f"repeated CSV column(s) {', '.join(repeated)}"))
    return problems


def _parse_task3_row(
    where: str, number: int, header: list[str], row: list[str]
) -> tuple[tuple[str, int] | None, list[DataProblem]]:
    """Parse one CSV row into ``(image id, class index)``; unknown columns are ignored."""
    if len(row) != len(header):
        return None, [DataProblem(where, f"line {number}: {len(row)} fields, the header has {len(header)}")]
    cells = dict(zip(header, (cell.strip() for cell in row)))
    key = cells[_ID_COLUMN]
    key = image_id(key) or key  # tolerate ids written with their file ending
    if not key:
        return None, [DataProblem(where, f"line {number}: empty image id")]
    row_at = f"line {number} ({key})"
    problems, positives = [], []
    for name in ISIC_CLASSES:
        if name not in cells:
            continue
        try:
            value = float(cells[name])
        except ValueError:
            problems.append(DataProblem(where, f"{row_at}: non-numeric value {cells[name]!r} in column {name}"))
            continue
        if value not in (0.0, 1.0):
            problems.append(DataProblem(where, f"{row_at}: value {cells[name]!r} in column {name} is not 0 or 1"))
        elif value == 1.0:
            positives.append(name)
    if problems:
        return None, problems
    if len(positives) != 1:
        state = "no class set" if not positives else f"several classes set ({', '.join(positives)})"
        return None, [DataProblem(where, f"{row_at}: {state}; expected exactly one 1.0")]
    return (key, ISIC_CLASSES.index(positives[0])), []


def _drop_duplicate_ids(
    where: str, rows: list[tuple[int, str, int]], problems: list[DataProblem]
) -> tuple[list[tuple[str, int]], list[DataProblem]]:
    """Report each repeated id and drop every row of it: which of the rows is right cannot be told."""
    first_line: dict[str, int] = {}
    duplicated = set()
    for number, key, _ in rows:
        if key in first_line:
            duplicated.add(key)
            first = first_line[key]
            problems.append(DataProblem(where, f"line {number}: duplicate image id {key} (first on line {first})"))
        else:
            first_line[key] = number
    return [(key, label) for _, key, label in rows if key not in duplicated], problems


def _warn_unused(keys: set[str], what: str) -> None:
    if keys:
        examples = ", ".join(sorted(keys)[:_MAX_EXAMPLES])
        logger.warning("%d %s are ignored (e.g. %s).", len(keys), what, examples)
