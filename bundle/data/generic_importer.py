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
"""Importing any 2D labelled image folder (a CSV ``image,label``) into a classification datalist.

``image`` is a file name relative to the image folder, with or without its ending; ``label`` is a class name
or an integer. Classes are sorted (numerically when every label is an integer) and indexed in that order.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

from bundle.data.constants import IMAGE_SUFFIXES
from bundle.data.datalist import class_counts, write_classification_datalist, write_problems_report
from bundle.data.output_layout import CLASSIFICATION_DATALIST, PROBLEMS_REPORT
from bundle.data.splits import split_classification_items, validate_fraction
from bundle.data.validation import DataProblem, DataValidationError, validate_items

__all__ = ["import_labelled_folder", "read_label_csv", "resolve_image", "sorted_classes"]

logger = logging.getLogger(__name__)

_COLUMNS = ("image", "label")
_MIN_ITEMS = 2


def import_labelled_folder(
    image_dir: str | os.PathLike,
    csv_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    seed: int = 0,
    test_fraction: float = 0.2,
    skip_bad: bool = False,
    min_size: int = 0,
    num_workers: int | None = None,
) -> dict[str, Any]:
    """Validate a labelled image folder and write ``classification.json`` and ``problems.json`` to ``out_dir``.

    Nothing is written when a problem is found, unless ``skip_bad`` is set: then bad rows are left out and
    every problem goes to ``problems.json``.

    Args:
        image_dir: folder of the images.
        csv_path: CSV with columns ``image,label`` (other columns are ignored).
        out_dir: folder for the datalist (created if needed).
        seed: seed of the stratified train/test split.
        test_fraction: share of images in the test split, in (0, 1).
        skip_bad: leave bad rows out instead of stopping.
        min_size: smallest accepted image width and height (0: no limit).
        num_workers: threads decoding images (None: CPU count).

    Returns:
        summary: ``{"image_dir", "csv", "out_dir", "classification", "num_problems", "problems_report"}``.

    Raises:
        DataValidationError: listing every problem found.
    """
    validate_fraction(test_fraction)
    if min_size < 0:
        raise ValueError(f"min_size must be >= 0, got {min_size}.")
    image_dir, csv_path, out_dir = (Path(os.path.abspath(p)) for p in (image_dir, csv_path, out_dir))
    items, problems = _collect_items(image_dir, csv_path)
    valid, item_problems = validate_items(items, min_size=min_size, num_workers=num_workers)
    problems += item_problems
    if problems and not skip_bad:
        raise DataValidationError(problems)
    if len(valid) < _MIN_ITEMS:
        shortage = f"{len(valid)} usable image(s) left; at least {_MIN_ITEMS} needed"
        raise DataValidationError([*problems, DataProblem(str(image_dir), shortage)])
    classes = sorted_classes([item["label"] for item in valid])
    index = {name: i for i, name in enumerate(classes)}
    indexed = [{**item, "label": index[item["label"]]} for item in valid]
    train, test = split_classification_items(indexed, test_fraction, seed)
    name = image_dir.name
    datalist = write_classification_datalist(out_dir / CLASSIFICATION_DATALIST, name, classes, train, test)
    report = write_problems_report(out_dir / PROBLEMS_REPORT, problems)
    if problems:
        logger.warning("Skipped %d problem(s); see %s.", len(problems), report)
    counts = {"training": class_counts(train, classes), "test": class_counts(test, classes)}
    return {
        "image_dir": str(image_dir),
        "csv": str(csv_path),
        "out_dir": str(out_dir),
        "classification": {"datalist": str(datalist), "classes": classes, "counts": counts},
        "num_problems": len(problems),
        "problems_report": str(report),
    }


def read_label_csv(csv_path: str | os.PathLike) -> tuple[list[tuple[int, str, str]], list[DataProblem]]:
    """Read ``image,label`` rows.

    Returns:
        ``(rows, problems)``: rows are ``(line number, image name, label)`` for rows with both fields set;
        every row of a repeated image name is dropped and reported.
    """
    where = str(csv_path)
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:
            lines = list(enumerate(csv.reader(handle), start=1))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        return [], [DataProblem(where, f"CSV cannot be read ({type(err).__name__}: {err})")]
    header = [name.strip() for name in lines[0][1]] if lines else []
    missing = [name for name in _COLUMNS if name not in header]
    if missing:
        return [], [DataProblem(where, f"CSV lacks column(s) {', '.join(missing)}; expected {','.join(_COLUMNS)}")]
    ignored = [name for name in header if name not in _COLUMNS]
    if ignored:
        logger.info("Ignoring CSV column(s) %s of %s.", ", ".join(ignored), where)
    columns = [header.index(name) for name in _COLUMNS]
    rows, problems = [], []
    for number, row in lines[1:]:
        image, label = (row[i].strip() if i < len(row) else "" for i in columns)
        if not image and not label:
            continue
        if not image or not label:
            empty = "image" if not image else "label"
            problems.append(DataProblem(where, f"line {number} ({image or label}): empty {empty}"))
            continue
        rows.append((number, image, label))
    if not rows and not problems:
        problems.append(DataProblem(where, "CSV has no rows"))
    counts = Counter(image for _, image, _ in rows)
    for number, image, _ in rows:
        if counts[image] > 1:
            problems.append(DataProblem(where, f"line {number}: image {image} is listed {counts[image]} times"))
    return [row for row in rows if counts[row[1]] == 1], problems


def resolve_image(image_dir: Path, name: str) -> list[Path]:
    """Return the image files ``name`` may denote inside ``image_dir`` (with or without its ending)."""
    if name.lower().endswith(IMAGE_SUFFIXES):
        candidate = image_dir / name
        return [candidate] if candidate.is_file() else []
    found: dict[tuple[int, int], Path] = {}
    for ending in dict.fromkeys(e for suffix in IMAGE_SUFFIXES for e in (suffix, suffix.upper())):
        path = image_dir / f"{name}{ending}"
        if path.is_file():
            stat = path.stat()
            # On a case-insensitive file system "a.jpg" and "a.JPG" are the same file, not two candidates.
            found.setdefault((stat.st_dev, stat.st_ino), path)
    return list(found.values())


def sorted_classes(labels: list[str]) -> list[str]:
    """Sorted distinct class names; numerically (and normalised, ``"07"`` -> ``"7"``) when all are integers."""
    try:
        return [str(value) for value in sorted({int(label) for label in labels})]
    except ValueError:
        return sorted(set(labels))


def _collect_items(image_dir: Path, csv_path: Path) -> tuple[list[dict[str, str]], list[DataProblem]]:
    """Items ``{"image": abs path, "label": class name}`` of every row whose image is found, without decoding."""
    if not image_dir.is_dir():
        raise DataValidationError([DataProblem(str(image_dir), "image folder not found")])
    if not csv_path.is_file():
        raise DataValidationError([DataProblem(str(csv_path), "label CSV not found")])
    rows, problems = read_label_csv(csv_path)
    if not any(path.name.lower().endswith(IMAGE_SUFFIXES) for path in image_dir.rglob("*")):
        return [], [*problems, DataProblem(str(image_dir), "folder holds no images")]
    items = []
    for number, image, label in rows:
        matches = resolve_image(image_dir, image)
        if len(matches) == 1:
            items.append({"image": str(matches[0]), "label": _normalise_label(label)})
        elif not matches:
            problems.append(DataProblem(str(csv_path), f"line {number}: image {image} not found in {image_dir}"))
        else:
            names = ", ".join(path.name for path in matches)
            problems.append(DataProblem(str(csv_path), f"line {number}: image {image} is ambiguous ({names})"))
    return items, problems


def _normalise_label(label: str) -> str:
    try:
        return str(int(label))
    except ValueError:
        return label
