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
"""The validation metrics a training run left in ``<run_dir>/metrics.csv`` (MONAI's ``MetricsSaver``), as text for
the evaluation report: how well each map source separates the classes it was trained on."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

__all__ = ["METRICS_FILE", "read_run_metrics", "source_accuracy"]

METRICS_FILE = "metrics.csv"
"""Written by ``monai.handlers.MetricsSaver`` in every training's validation: ``name,value`` per line."""


def read_run_metrics(run_dir: str | os.PathLike) -> dict[str, float]:
    """The ``name -> value`` pairs of ``<run_dir>/metrics.csv``.

    Raises:
        FileNotFoundError: naming the missing file (the run has not validated yet).
        ValueError: naming the file and line that is not ``name,number``.
    """
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no validation metrics; the training has not validated yet.")
    metrics = {}
    with open(path, newline="") as stream:
        for number, row in enumerate(csv.reader(stream), start=1):
            try:
                name, value = row
                metrics[name] = float(value)
            except ValueError:
                raise ValueError(f"{path}, line {number}: expected 'name,number', got {row}.") from None
    return metrics


def source_accuracy(metrics: dict[str, float]) -> str:
    """``accuracy / balanced accuracy`` of a classifier, or ``1-NN recall / balanced recall`` of an embedding.

    Raises:
        KeyError: ``metrics`` holds neither pair.
    """
    for pair, prefix in ((("val_accuracy", "val_balanced_accuracy"), ""),
                         (("val_recall_at_1", "val_balanced_recall_at_1"), "1-NN ")):
        if all(key in metrics and math.isfinite(metrics[key]) for key in pair):
            return f"{prefix}{metrics[pair[0]]:.2f} / {metrics[pair[1]]:.2f}"
    raise KeyError(f"no accuracy pair among the metrics {sorted(metrics)}.")
