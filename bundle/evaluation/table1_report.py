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
"""Table 1 of the paper: mean segmentation scores per method, split and mask kind, as CSV and Markdown."""

from __future__ import annotations

import csv
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bundle.evaluation.segmentation_metrics import SEGMENTATION_METRICS
from bundle.utils import atomic_path

logger = logging.getLogger(__name__)

SPLITS: tuple[str, ...] = ("validation", "test")
KINDS: tuple[str, ...] = ("init_maps", "unet")
"""``init_maps``: thresholded attention/GradCAM maps (or a baseline's masks); ``unet``: the U-net trained on them."""

KIND_TITLES = {"init_maps": "init maps", "unet": "U-net"}
SOURCE_TITLE = "map source acc. / balanced"
"""Column of the map source's held-out classification accuracy (a classifier's, or an embedding's 1-NN recall)."""
METRIC_TITLES = {"dice": "Dice", "jaccard": "Jaccard", "isic_jaccard": "ISIC thresholded Jaccard (< 0.65 -> 0)"}
CSV_COLUMNS: tuple[str, ...] = ("method", "split", "kind", "metric", "mean", "std", "n")
COLLAPSE_FOREGROUND = 0.01
"""A prediction with less lesion than this share of its pixels counts as (near-)empty."""
COLLAPSE_SHARE = 0.5
"""A cell whose predictions are (near-)empty on more than this share of its images is shown as collapsed."""


@dataclass(frozen=True)
class _Summary:
    """Mean, population standard deviation and count of one metric over images."""

    mean: float
    std: float
    n: int


class Table1Report:
    """Collect per-image scores for (method, split, kind) and render the paper's Table 1.

    Rows are methods in insertion order; columns are "validation init maps | validation U-net | test init maps |
    test U-net"; cells are mean scores over images in % with two decimals, "-" where a method has no entry
    (full supervision has no init maps; a label-free baseline has only init maps). A cell whose predictions are
    (near-)empty on most images (scores carrying ``foreground``, see ``COLLAPSE_*``) reads e.g.
    "8.51 (collapsed: 90% empty)", so a network that learned to predict nothing is not a silent low number.

    Args:
        notes: optional line printed under the tables (e.g. data sizes, thresholds).
        title: caption start of every table, e.g. "Table 1".
        stem: file name stem of the written CSV and Markdown files.
        kinds: the column kinds shown, a subset of ``KINDS`` in order.
    """

    def __init__(
        self, notes: str | None = None, title: str = "Table 1", stem: str = "table1", kinds: Sequence[str] = KINDS
    ) -> None:
        if not kinds or any(kind not in KINDS for kind in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}, got {kinds}.")
        self.notes = notes
        self.title = title
        self.stem = stem
        self.kinds = tuple(kinds)
        self._methods: list[str] = []
        self._cells: dict[tuple[str, str, str], dict[str, _Summary]] = {}
        self._empty_share: dict[tuple[str, str, str], float] = {}
        self._sources: dict[str, str] = {}

    def add_source(self, method: str, accuracy: str) -> None:
        """Show ``accuracy`` (text, e.g. "0.89 / 0.97") in the map source column of ``method``'s row."""
        if method not in self._methods:
            raise ValueError(f"add scores of {method!r} before its map source's accuracy.")
        self._sources[method] = accuracy

    def add(self, method: str, split: str, kind: str, scores: Sequence[dict]) -> None:
        """Add the per-image scores of one cell.

        Args:
            method: row name, e.g. "DCML + Attention".
            split: "validation" or "test".
            kind: "init_maps" or "unet".
            scores: per-image dictionaries holding every key of ``SEGMENTATION_METRICS``
                (as returned by ``evaluate_folder``), optionally ``foreground`` (the predicted lesion's share of
                the image, for collapse detection); other keys such as "id" are ignored.
        """
        if not method:
            raise ValueError("method must be a non-empty name.")
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}.")
        if kind not in self.kinds:
            raise ValueError(f"kind must be one of {self.kinds}, got {kind!r}.")
        if (method, split, kind) in self._cells:
            raise ValueError(f"scores for ({method!r}, {split!r}, {kind!r}) were already added.")
        if not scores:
            raise ValueError(f"scores for ({method!r}, {split!r}, {kind!r}) are empty.")
        self._cells[(method, split, kind)] = {metric: _summarise(scores, metric) for metric in SEGMENTATION_METRICS}
        if all("foreground" in score for score in scores):
            empty = [float(score["foreground"]) < COLLAPSE_FOREGROUND for score in scores]
            self._empty_share[(method, split, kind)] = sum(empty) / len(empty)
        if method not in self._methods:
            self._methods.append(method)
        self._warn_on_unequal_counts(split)

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write the long-format table (method, split, kind, metric, mean, std, n; scores as fractions) atomically."""
        with atomic_path(path) as tmp:
            with open(tmp, "w", newline="") as stream:
                writer = csv.writer(stream)
                writer.writerow(CSV_COLUMNS)
                for (method, split, kind), summaries in self._cells.items():
                    for metric, s in summaries.items():
                        writer.writerow([method, split, kind, metric, f"{s.mean:.6f}", f"{s.std:.6f}", s.n])
        return Path(path)

    def to_markdown(self, metric: str = "dice", extra_metrics: Sequence[str] = ()) -> str:
        """Render the table of ``metric`` (then one table per ``extra_metrics``) in Markdown, notes last."""
        for name in (metric, *extra_metrics):
            if name not in SEGMENTATION_METRICS:
                raise ValueError(f"metric must be one of {SEGMENTATION_METRICS}, got {name!r}.")
        if not self._methods:
            raise ValueError("the report is empty: add scores before rendering it.")
        blocks = [self._metric_table(name) for name in (metric, *extra_metrics)]
        if self.notes:
            blocks.append(self.notes)
        return "\n\n".join(blocks) + "\n"

    def write(
        self, out_dir: str | os.PathLike, extra_metrics: Sequence[str] = ("jaccard", "isic_jaccard")
    ) -> tuple[Path, Path]:
        """Write ``<stem>.csv`` and ``<stem>.md`` (Dice table, then ``extra_metrics``) atomically.

        Returns:
            The paths of the CSV and Markdown files.
        """
        markdown = self.to_markdown("dice", extra_metrics)
        out_dir = Path(out_dir)
        csv_path = self.to_csv(out_dir / f"{self.stem}.csv")
        md_path = out_dir / f"{self.stem}.md"
        with atomic_path(md_path) as tmp:
            tmp.write_text(markdown)
        logger.info("wrote %s and %s", csv_path, md_path)
        return csv_path, md_path

    def _metric_table(self, metric: str) -> str:
        """Return the caption and Markdown table of one metric."""
        columns = [(split, kind) for split in SPLITS for kind in self.kinds]
        source = [SOURCE_TITLE] if self._sources else []
        header = ["Method", *(f"{split} {KIND_TITLES[kind]}" for split, kind in columns), *source]
        lines = [
            f"{self.title}. {METRIC_TITLES[metric]} (%) on the validation and test sets, mean over images.",
            "",
            markdown_row(header),
            markdown_row(["---", *("---:" for _ in columns), *("---:" for _ in source)]),
        ]
        for method in self._methods:
            cells = [self._cell_text(method, split, kind, metric) for split, kind in columns]
            lines.append(markdown_row([method, *cells, *([self._sources.get(method, "-")] if source else [])]))
        return "\n".join(lines)

    def _cell_text(self, method: str, split: str, kind: str, metric: str) -> str:
        """Return the mean in % with two decimals, or "-" when the cell is missing."""
        summaries = self._cells.get((method, split, kind))
        if summaries is None:
            return "-"
        empty = self._empty_share.get((method, split, kind), 0.0)
        collapsed = f" (collapsed: {empty:.0%} empty)" if empty > COLLAPSE_SHARE else ""
        return f"{100.0 * summaries[metric].mean:.2f}{collapsed}"

    def _warn_on_unequal_counts(self, split: str) -> None:
        """Warn when cells of one split average over different numbers of images (they are not comparable)."""
        counts = {key: s["dice"].n for key, s in self._cells.items() if key[1] == split}
        if len(set(counts.values())) > 1:
            logger.warning("split %r cells average over different image counts: %s", split, counts)


def _summarise(scores: Sequence[dict], metric: str) -> _Summary:
    """Return the mean, population std and count of ``metric`` over ``scores``."""
    values = []
    for index, score in enumerate(scores):
        if metric not in score:
            raise ValueError(f"score {index} has no {metric!r} key: {score}.")
        value = float(score[metric])
        if not math.isfinite(value):
            raise ValueError(f"score {index} has a non-finite {metric!r}: {value}.")
        values.append(value)
    array = np.asarray(values)
    return _Summary(mean=float(array.mean()), std=float(array.std()), n=len(values))


def markdown_row(cells: Sequence[str]) -> str:
    """Join cells into one Markdown table row."""
    return "| " + " | ".join(cells) + " |"
