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
"""Validate a data set and write its MONAI datalists.

Usage::

    python scripts/prepare_data.py isic --isic_dir data/isic2018 --out_dir data/datalists [--skip_bad] [--seed 0]
    python scripts/prepare_data.py folder --image_dir imgs --csv labels.csv --out_dir data/datalists

Exit code 2 (and the list of problems, no traceback) when the data has problems.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import fire

from bundle.data.generic_importer import import_labelled_folder
from bundle.data.isic_reader import prepare_isic
from bundle.data.output_layout import output_folder_problem

EXIT_DATA_PROBLEM = 2


def isic(
    isic_dir: str,
    out_dir: str,
    skip_bad: bool = False,
    seed: int = 0,
    cls_test_fraction: float = 0.2,
    seg_fractions: Sequence[float] = (0.4, 0.2, 0.4),
    min_size: int = 0,
) -> None:
    """Prepare ISIC 2018 Task 3 (classification) and Task 1 (segmentation) datalists from the official folders."""
    _run(
        prepare_isic,
        isic_dir,
        out_dir,
        seed=seed,
        cls_test_fraction=cls_test_fraction,
        seg_fractions=seg_fractions,
        skip_bad=skip_bad,
        min_size=min_size,
    )


def folder(
    image_dir: str,
    csv: str,
    out_dir: str,
    skip_bad: bool = False,
    seed: int = 0,
    test_fraction: float = 0.2,
    min_size: int = 0,
) -> None:
    """Prepare a classification datalist from any image folder and an ``image,label`` CSV."""
    _run(
        import_labelled_folder,
        image_dir,
        csv,
        out_dir,
        seed=seed,
        test_fraction=test_fraction,
        skip_bad=skip_bad,
        min_size=min_size,
    )


def _run(prepare: Any, *args: Any, **kwargs: Any) -> None:
    out_problem = output_folder_problem(args[-1])  # before any image is read
    if out_problem is not None:
        print(f"error: {out_problem}", file=sys.stderr)
        sys.exit(EXIT_DATA_PROBLEM)
    try:
        summary = prepare(*args, **kwargs)
    except ValueError as err:  # DataValidationError included: its message lists every problem
        print(f"error: {err}", file=sys.stderr)
        sys.exit(EXIT_DATA_PROBLEM)
    print(_format_summary(summary))


def _format_summary(summary: dict[str, Any]) -> str:
    lines = []
    classification = summary.get("classification")
    if classification:
        counts = classification["counts"]
        lines.append(f"classification: {classification['datalist']}")
        lines.append(f"  {'class':<12}{'training':>10}{'test':>10}")
        for name in classification["classes"]:
            lines.append(f"  {name:<12}{counts['training'][name]:>10}{counts['test'][name]:>10}")
        totals = [sum(counts[key].values()) for key in ("training", "test")]
        lines.append(f"  {'total':<12}{totals[0]:>10}{totals[1]:>10}")
    elif "classification" in summary:
        lines.append("classification: skipped (no Task 3 folders)")
    segmentation = summary.get("segmentation")
    if segmentation:
        parts = ", ".join(f"{key} {count}" for key, count in segmentation["counts"].items())
        lines.append(f"segmentation: {segmentation['datalist']}\n  {parts}")
    elif "segmentation" in summary:
        lines.append("segmentation: skipped (no Task 1 folders)")
    lines.append(f"problems skipped: {summary['num_problems']} (report: {summary['problems_report']})")
    return "\n".join(lines)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    fire.Fire({"isic": isic, "folder": folder})
