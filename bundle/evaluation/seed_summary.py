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
"""Table 1 over several training seeds: each cell's mean and spread over the seeds' own Table 1s."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from bundle.evaluation.table1_report import KIND_TITLES, KINDS, SPLITS, markdown_row
from bundle.utils import atomic_path

__all__ = ["read_table1_means", "seed_summary_markdown", "write_seed_summary"]

_Cell = tuple[str, str, str]  # (method, split, kind)


def read_table1_means(path: str | os.PathLike, metric: str = "dice") -> dict[_Cell, float]:
    """The mean of ``metric`` of every (method, split, kind) cell of a ``table1.csv`` (``Table1Report.to_csv``),
    in the file's order.

    Raises:
        FileNotFoundError: naming the missing table.
        ValueError: naming the file when it holds no row of ``metric``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no Table 1 (has this seed's evaluation run?)")
    with open(path, newline="") as stream:
        means = {(row["method"], row["split"], row["kind"]): float(row["mean"])
                 for row in csv.DictReader(stream) if row["metric"] == metric}
    if not means:
        raise ValueError(f"{path}: no {metric!r} rows.")
    return means


def seed_summary_markdown(tables: Mapping[int, str | os.PathLike], metric: str = "dice") -> str:
    """Markdown of Table 1 over seeds: each cell "mean ± sd" (in %, sample standard deviation over seeds of the
    seeds' means over images), the test U-net's standard error (sd / sqrt(seeds)), then the test columns per seed.

    Args:
        tables: seed -> its ``table1.csv``.
        metric: the metric shown.

    Raises:
        ValueError: fewer than two seeds, or seeds whose tables have different cells.
    """
    if len(tables) < 2:
        raise ValueError(f"a spread needs at least two seeds, got {sorted(tables)}.")
    per_seed = {seed: read_table1_means(path, metric) for seed, path in sorted(tables.items())}
    cells = next(iter(per_seed.values()))
    differing = [seed for seed, means in per_seed.items() if means.keys() != cells.keys()]
    if differing:
        raise ValueError(f"seeds {differing} have other Table 1 cells than seed {next(iter(per_seed))}.")
    methods = list(dict.fromkeys(method for method, _, _ in cells))
    columns = [(split, kind) for split in SPLITS for kind in KINDS]
    seeds = list(per_seed)
    lines = [
        f"Table 1 over {len(seeds)} training seeds ({', '.join(map(str, seeds))}): {metric} (%), mean ± standard "
        "deviation over seeds of each seed's mean over images; s.e. = standard deviation / sqrt(seeds).",
        "",
        markdown_row(["Method", *(f"{split} {KIND_TITLES[kind]}" for split, kind in columns), "test U-net s.e."]),
        markdown_row(["---", *("---:" for _ in range(len(columns) + 1))]),
    ]
    for method in methods:
        values = {column: [per_seed[seed].get((method, *column)) for seed in seeds] for column in columns}
        spread = [_mean_sd(values[column]) for column in columns]
        lines.append(markdown_row([method, *spread, _standard_error(values["test", "unet"])]))
    lines += ["", f"Per seed, test {metric} (%): init maps / U-net.", "",
              markdown_row(["Method", *(f"seed {seed}" for seed in seeds)]),
              markdown_row(["---", *("---:" for _ in seeds)])]
    for method in methods:
        lines.append(markdown_row([method, *(" / ".join(_percent(per_seed[seed].get((method, "test", kind)))
                                                 for kind in KINDS) for seed in seeds)]))
    return "\n".join(lines) + "\n"


def write_seed_summary(tables: Mapping[int, str | os.PathLike], path: str | os.PathLike) -> Path:
    """Write :func:`seed_summary_markdown` of the Dice to ``path`` atomically; return it."""
    markdown = seed_summary_markdown(tables)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(markdown)
    return Path(path)


def _mean_sd(values: Sequence[float | None]) -> str:
    if any(value is None for value in values):
        return "-"
    return f"{100 * np.mean(values):.2f} ± {100 * np.std(values, ddof=1):.2f}"


def _standard_error(values: Sequence[float | None]) -> str:
    if any(value is None for value in values):
        return "-"
    return f"{100 * np.std(values, ddof=1) / math.sqrt(len(values)):.2f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}"
