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
"""The main job (``make demo``: ``scripts/run_pipeline.py``) through its real commands on a tiny synthetic set: every
stage runs, Table 1 is printed with every row, the release model is copied, and a rerun skips every stage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.integration.conftest import REPO_ROOT

SYNTHETIC = {"num_classification": 56, "num_segmentation": 16, "min_width": 48, "max_width": 64, "min_per_class": 4,
             "num_workers": 1}
# every training shortened to seconds; the values the integration tests' tiny workflows use
OVERRIDES = {"image_size": "[32,32]", "num_workers": "0", "batch_size": "8", "val_interval": "1", "max_epochs": "2",
             "num_learners": "2", "finetune_epochs": "1", "samples_per_class": "2", "graph_cut_grid": "[16,16]",
             "cut_grid": "[8,8]", "channels": "[8,16,32,64,128]", "depth": "10", "epoch_length": "None"}
TABLE1_ROWS = ("Centred disk (label-free)", "Otsu threshold (label-free)", "GradCAM R50", "GradCAM R101",
               "ML + Attention", "DCML + Attention", "DCML + Attention + graph cut",
               "DCML + Attention + deep graph cut", "Full supervision (upper bound)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("demo")
    command = [sys.executable, "scripts/run_pipeline.py", "--output_dir", str(root / "output"),
               "--synthetic_dir", str(root / "data"), "--models_dir", str(root / "models")]
    command += [word for key, value in SYNTHETIC.items() for word in ("--synthetic_option", f"{key}={value}")]
    command += [word for key, value in OVERRIDES.items() for word in ("--override", f"{key}={value}")]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return command, root, result


def test_every_stage_runs_and_table1_has_every_row(demo: tuple[list[str], Path, subprocess.CompletedProcess]) -> None:
    _, root, result = demo
    timings = json.loads((root / "output" / "timings.json").read_text())
    assert len(timings["stages"]) == 26 and "stages run this time: 26" in result.stdout
    for row in TABLE1_ROWS:
        assert f"| {row} |" in result.stdout, f"Table 1 lacks {row}"
    release = torch.load(root / "models" / "model.pt", weights_only=True)
    trained = torch.load(root / "output" / "unet" / "dcml_graphcut" / "model.pt", weights_only=True)
    assert release.keys() == trained.keys() and all(torch.equal(release[k], trained[k]) for k in release)


def test_rerun_skips_every_stage(demo: tuple[list[str], Path, subprocess.CompletedProcess]) -> None:
    command, _, _ = demo
    rerun = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "stages run this time: 0" in rerun.stdout and rerun.stderr.count("[skip]") == 26
