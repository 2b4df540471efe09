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
"""Tests of read_run_metrics and source_accuracy: MetricsSaver's file read back, the report's text by hand."""

from __future__ import annotations

import pytest
from ignite.engine import Engine, Events
from monai.handlers import MetricsSaver

from bundle.evaluation.run_metrics import read_run_metrics, source_accuracy


def test_reads_what_monai_metrics_saver_writes(tmp_path):
    engine = Engine(lambda engine, batch: None)
    engine.add_event_handler(
        Events.EPOCH_COMPLETED, lambda e: e.state.metrics.update(val_accuracy=0.5, val_balanced_accuracy=0.25)
    )
    MetricsSaver(save_dir=str(tmp_path), metrics="*").attach(engine)  # after: it reads the metrics just set
    engine.run([0], max_epochs=1)
    assert read_run_metrics(tmp_path) == {"val_accuracy": 0.5, "val_balanced_accuracy": 0.25}


@pytest.mark.parametrize(
    "metrics, expected",
    [
        ({"val_accuracy": 0.886, "val_balanced_accuracy": 0.975}, "0.89 / 0.97"),
        ({"val_nmi": 0.4, "val_recall_at_1": 0.7, "val_balanced_recall_at_1": 0.655}, "1-NN 0.70 / 0.66"),
    ],
)
def test_source_accuracy_text(metrics, expected):
    assert source_accuracy(metrics) == expected


def test_missing_file_and_bad_lines_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="metrics.csv: no validation metrics"):
        read_run_metrics(tmp_path)
    (tmp_path / "metrics.csv").write_text("val_accuracy,0.5\nval_balanced_accuracy\n")
    with pytest.raises(ValueError, match="line 2: expected 'name,number'"):
        read_run_metrics(tmp_path)


def test_no_accuracy_pair_is_an_error():
    with pytest.raises(KeyError, match="no accuracy pair"):
        source_accuracy({"val_accuracy": 0.5})
