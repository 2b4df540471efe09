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
"""Tests for the main job's driver: config ordering, command lines, skipping finished stages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run_pipeline.py"


@pytest.fixture(scope="module")
def pipeline_module():
    spec = importlib.util.spec_from_file_location("run_pipeline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "configs, profile, expected",
    [
        # the CPU override goes right after its base, before variants such as K=1
        (["train_manifold.yaml", "ml_k1.yaml"], "cpu", ["train_manifold.yaml", "cpu_manifold.yaml", "ml_k1.yaml"]),
        (["train_classifier.yaml", "classifier_r101.yaml"], "cpu",
         ["train_classifier.yaml", "cpu_classifier.yaml", "classifier_r101.yaml"]),
        (["inference.yaml"], "cpu", ["inference.yaml", "cpu_unet.yaml"]),
        (["train_manifold.yaml", "ml_k1.yaml"], "paper", ["train_manifold.yaml", "ml_k1.yaml"]),
        (["evaluate.yaml"], "cpu", ["evaluate.yaml"]),
    ],
)
def test_with_profile(pipeline_module, configs, profile, expected):
    assert pipeline_module.with_profile(configs, profile) == expected


def test_bundle_command_and_its_printable_form(pipeline_module):
    command = pipeline_module.bundle_command(["train_unet.yaml", "cpu_unet.yaml"], run_name="ml", max_epochs=3)
    assert command[:5] == [sys.executable, "-m", "monai.bundle", "run", "--config_file"]
    assert command[5:] == ["['configs/train_unet.yaml','configs/cpu_unet.yaml']", "--run_name", "ml", "--max_epochs", "3"]
    printable = pipeline_module.printable_command(command)
    assert printable.startswith('python -m monai.bundle run --config_file "[')
    assert printable.endswith("--run_name ml --max_epochs 3")


def test_finished_stage_is_skipped_and_failure_names_the_log(pipeline_module, tmp_path):
    pipeline = pipeline_module.Pipeline(tmp_path)
    marker_file = tmp_path / "ran.txt"
    command = [sys.executable, "-c", f"open({str(marker_file)!r}, 'a').write('x')"]
    pipeline.stage("touch", command)
    pipeline.stage("touch", command)  # same command: skipped
    assert marker_file.read_text() == "x"
    assert (tmp_path / ".stages" / "touch.json").is_file()
    with pytest.raises(SystemExit, match="stage 'boom' failed.*boom.log"):
        pipeline.stage("boom", [sys.executable, "-c", "raise SystemExit(3)"])
    assert not (tmp_path / ".stages" / "boom.json").exists()


def test_configs_digest_follows_config_contents(pipeline_module, tmp_path, monkeypatch):
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "a.yaml"
    config.write_text("x: 1\n")
    monkeypatch.setattr(pipeline_module, "ROOT", tmp_path)
    command = pipeline_module.bundle_command(["a.yaml"])
    before = pipeline_module.configs_digest(command)
    config.write_text("x: 2\n")
    assert pipeline_module.configs_digest(command) != before
    assert pipeline_module.configs_digest([sys.executable, "-c", "pass"]) == pipeline_module.configs_digest([])
