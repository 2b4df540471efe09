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
"""Tests for the main job's driver: config ordering, command lines, skipping, rerunning and resuming stages."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run_pipeline.py"


@pytest.fixture(scope="module")
def pipeline_module():
    spec = importlib.util.spec_from_file_location("run_pipeline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.mark.parametrize(
    "configs, profile, expected",
    [
        # the CPU override goes right after its base, before variants such as K=1
        (["train_manifold.yaml", "ml_k1.yaml"], "cpu", ["train_manifold.yaml", "cpu_manifold.yaml", "ml_k1.yaml"]),
        (["train_classifier.yaml", "classifier_r101.yaml"], "cpu",
         ["train_classifier.yaml", "cpu_classifier.yaml", "classifier_r101.yaml", "cpu_classifier_r101.yaml"]),
        (["train_classifier.yaml", "classifier_r101.yaml"], "paper", ["train_classifier.yaml", "classifier_r101.yaml"]),
        (["inference.yaml"], "cpu", ["inference.yaml", "cpu_unet.yaml"]),
        (["train_manifold.yaml", "ml_k1.yaml"], "paper", ["train_manifold.yaml", "ml_k1.yaml"]),
        (["evaluate.yaml"], "cpu", ["evaluate.yaml"]),
    ],
)
def test_with_profile(pipeline_module, configs, profile, expected):
    assert pipeline_module.with_profile(configs, profile) == expected


@pytest.mark.parametrize(
    "configs, selfsup, expected",
    [
        (["train_manifold.yaml", "ml_k1.yaml"], True, ["train_manifold.yaml", "ml_k1.yaml", "cpu_selfsup.yaml"]),
        (["train_manifold.yaml"], False, ["train_manifold.yaml"]),
        (["train_classifier.yaml"], True, ["train_classifier.yaml"]),  # GradCAM classifiers are not affected
    ],
)
def test_with_selfsup_appends_the_frozen_trunk_override_to_manifolds_only(pipeline_module, configs, selfsup, expected):
    files = pipeline_module.with_selfsup(configs, selfsup)
    assert files == expected
    assert pipeline_module.with_profile(files, "cpu")[:2] == [configs[0], pipeline_module.CPU_OVERRIDES[configs[0]]]


def planned_stages(pipeline_module, argv):
    args = pipeline_module.parse_args(argv)
    paths = pipeline_module.Paths(isic_dir=Path("/isic"), output_dir=Path("/out"), models_dir=Path("/models"))
    return [stage for part in pipeline_module.PLAN for stage in part(args, paths)]


@pytest.mark.parametrize(
    "argv, first, pretrain", [([], "synthetic", False), (["--isic_dir", "/isic", "--selfsup"], "prepare", True)]
)
def test_plan_orders_every_stage_after_those_it_reads(pipeline_module, argv, first, pretrain):
    stages = planned_stages(pipeline_module, argv)
    names = [stage.name for stage in stages]
    assert names[0] == first and names[-1] == "evaluate" and ("pretrain" in names) == pretrain
    assert len(names) == len(set(names))
    for index, stage in enumerate(stages):
        assert set(stage.after) <= set(names[:index]), f"{stage.name} runs before {stage.after}"
        assert (stage.action is None) == bool(stage.command)
    assert names.index("full_supervision_datalist") < names.index("unet_full_supervision")
    assert names.index("unet_dcml_graphcut") < names.index("release_model") < names.index("evaluate")


def test_the_ablation_trains_each_variant_from_the_dcml_seeds_and_tables_them(pipeline_module):
    stages = {stage.name: stage for stage in planned_stages(pipeline_module, ["--ablation"])}
    assert not any(name.startswith("unet_dgc") for name in (s.name for s in planned_stages(pipeline_module, [])))
    for name, (_, overrides) in pipeline_module.ABLATION.items():
        command = stages[f"unet_{name}"].command
        assert stages[f"unet_{name}"].after == ("proxy_dcml",)
        assert "configs/train_deep_graph_cut.yaml" in " ".join(command)
        assert command[command.index("--seed_source") + 1] == "dcml"
        for key, value in overrides.items():
            assert command[command.index(f"--{key}") + 1] == repr(value)
    table = stages["evaluate_ablation"]
    assert set(table.after) == {f"predict_{name}" for name in {**pipeline_module.ABLATION_REFERENCES,
                                                                 **pipeline_module.ABLATION}}
    rows = ast.literal_eval(table.command[table.command.index("--method_rows") + 1])  # as fire parses it
    assert [row[2] for row in rows] == [*pipeline_module.ABLATION_REFERENCES, *pipeline_module.ABLATION]


def test_bundle_command_and_its_printable_form(pipeline_module):
    command = pipeline_module.bundle_command(["train_unet.yaml", "cpu_unet.yaml"], run_name="ml", max_epochs=3)
    assert command[:5] == [sys.executable, "-m", "monai.bundle", "run", "--config_file"]
    configs = "['configs/train_unet.yaml','configs/cpu_unet.yaml']"
    assert command[5:] == [configs, "--run_name", "ml", "--max_epochs", "3"]
    printable = pipeline_module.printable_command(command)
    assert printable.startswith('python -m monai.bundle run --config_file "[')
    assert printable.endswith("--run_name ml --max_epochs 3")


def test_nproc_runs_every_training_under_torchrun_with_its_multi_process_overrides(pipeline_module):
    single = {stage.name: stage for stage in planned_stages(pipeline_module, ["--selfsup"])}
    stages = {stage.name: stage for stage in planned_stages(pipeline_module, ["--selfsup", "--nproc", "2",
                                                                             "--tracking", "mlflow"])}
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2"]
    expected = {"pretrain": "multi_gpu_pretrain.yaml", "train_gradcam_r50": "multi_gpu_classifier.yaml",
                "train_dcml": "multi_gpu_train.yaml", "unet_dcml_graphcut": "multi_gpu_train.yaml",
                "unet_dcml_deep_graph_cut": "multi_gpu_train.yaml", "unet_full_supervision": "multi_gpu_train.yaml"}
    trainings = {name for name in stages if name == "pretrain" or name.startswith(("train_", "unet_"))}
    assert trainings >= expected.keys()
    for name in trainings:
        command = stages[name].command
        assert command[: len(launcher)] == launcher, name
        assert command[-2:] == ["--tracking", "mlflow"]
        assert command[len(launcher):len(launcher) + 4] == ["-m", "monai.bundle", "run", "--config_file"]
        assert command[len(launcher) + 4].startswith(single[name].command[5][:-1] + ",")  # overrides come last
    for name, override in expected.items():
        assert f"'configs/{override}'" in stages[name].command[len(launcher) + 4]
    others = [stage for name, stage in stages.items() if name not in trainings and stage.command]
    assert others and all(stage.command == single[stage.name].command for stage in others)


@pytest.mark.parametrize("configs", [["evaluate.yaml"], ["inference.yaml", "cpu_unet.yaml"]])
def test_only_trainings_have_multi_process_overrides(pipeline_module, configs):
    with pytest.raises(ValueError, match="define no training"):
        pipeline_module.with_processes(configs)


def test_finished_stage_is_skipped_and_failure_names_the_log(pipeline_module, tmp_path):
    pipeline = pipeline_module.Pipeline(tmp_path, pipeline_module.ROOT)
    marker_file = tmp_path / "ran.txt"
    command = [sys.executable, "-c", f"open({str(marker_file)!r}, 'a').write('x')"]
    pipeline.stage("touch", command)
    pipeline.stage("touch", command)  # same command: skipped
    assert marker_file.read_text() == "x"
    assert (tmp_path / ".stages" / "touch.json").is_file()
    with pytest.raises(SystemExit, match="stage 'boom' failed.*boom.log"):
        pipeline.stage("boom", [sys.executable, "-c", "raise SystemExit(3)"])
    assert not (tmp_path / ".stages" / "boom.json").exists()


def test_configs_digest_follows_config_contents(pipeline_module, tmp_path):
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "a.yaml"
    config.write_text("x: 1\n")
    command = pipeline_module.bundle_command(["a.yaml"])
    before = pipeline_module.configs_digest(command, tmp_path)
    config.write_text("x: 2\n")
    assert pipeline_module.configs_digest(command, tmp_path) != before
    no_configs = pipeline_module.configs_digest([], tmp_path)
    assert pipeline_module.configs_digest([sys.executable, "-c", "pass"], tmp_path) == no_configs


def append_command(path: Path, text: str) -> list[str]:
    """A stage command that appends ``text`` to ``path`` (a stand-in for a resumable training run)."""
    return [sys.executable, "-c", f"import os; os.makedirs({str(path.parent)!r}, exist_ok=True); "
            f"open({str(path)!r}, 'a').write({text!r})"]


def test_stage_reruns_after_a_stage_it_depends_on(pipeline_module, tmp_path):
    pipeline = pipeline_module.Pipeline(tmp_path, pipeline_module.ROOT)
    upstream, downstream = tmp_path / "up" / "log.txt", tmp_path / "down" / "log.txt"
    pipeline.stage("up", append_command(upstream, "u"))
    pipeline.stage("down", append_command(downstream, "d"), after=["up"], outputs=[downstream.parent])
    pipeline.stage("down", append_command(downstream, "d"), after=["up"], outputs=[downstream.parent])
    assert downstream.read_text() == "d"  # up to date: skipped
    marker = tmp_path / ".stages" / "up.json"
    later = marker.stat().st_mtime + 10
    os.utime(marker, (later, later))  # the upstream stage completed again, after the downstream one
    pipeline.stage("down", append_command(downstream, "d"), after=["up"], outputs=[downstream.parent])
    assert downstream.read_text() == "d"  # rerun on fresh outputs, not appended to the outdated ones
    assert (tmp_path / ".stale" / "down" / "down" / "log.txt").read_text() == "d"


def test_changed_command_retires_outputs_but_interrupted_same_command_resumes(pipeline_module, tmp_path):
    pipeline = pipeline_module.Pipeline(tmp_path, pipeline_module.ROOT)
    output = tmp_path / "run" / "last.txt"
    pipeline.stage("train", append_command(output, "a"), outputs=[output.parent])
    pipeline.stage("train", append_command(output, "b"), outputs=[output.parent])  # other command: fresh start
    assert output.read_text() == "b"
    started = tmp_path / ".stages" / "train.started.json"
    assert not started.exists()
    # simulate an interruption of command "c": its started record and partial output are left behind
    command = append_command(output, "c")
    digest = pipeline_module.configs_digest(command, pipeline_module.ROOT)
    started.write_text(json.dumps({"command": command, "configs": digest}))
    output.write_text("partial-")
    pipeline.stage("train", command, outputs=[output.parent])
    assert output.read_text() == "partial-c"  # same command: resumed on its own outputs


def plan_of(pipeline_module, args, paths) -> dict[str, list[str]]:
    """Stage name -> command of every command stage of the plan for ``args`` and ``paths``."""
    return {stage.name: stage.command for part in pipeline_module.PLAN for stage in part(args, paths)
            if stage.action is None}


def test_each_training_seed_runs_the_plan_in_its_folder_on_the_same_data(pipeline_module, tmp_path):
    args = pipeline_module.parse_args(["--seed", "5", "--seeds", "3", "4"])
    paths = pipeline_module.Paths(isic_dir=tmp_path / "isic", output_dir=tmp_path / "out", models_dir=tmp_path / "m")
    runs = pipeline_module.seed_runs(args, paths)
    assert [(run_args.training_seed, run_paths.output_dir, run_paths.models_dir) for run_args, run_paths in runs] == [
        (3, tmp_path / "out" / "seed_3", tmp_path / "m"),  # the first seed's U-net is the release model
        (4, tmp_path / "out" / "seed_4", tmp_path / "out" / "seed_4" / "models"),
    ]
    for run_args, run_paths in runs:
        plan = plan_of(pipeline_module, run_args, run_paths)
        seed_of = {name: command[command.index("--seed") + 1] for name, command in plan.items() if "--seed" in command}
        assert seed_of.pop("synthetic") == seed_of.pop("prepare") == "5"  # data and splits: --seed
        assert set(seed_of.values()) == {str(run_args.training_seed)} and "unet_dcml_graphcut" in seed_of
        plan.pop("synthetic")  # the shared data set, outside the seed's folder
        assert all(str(run_paths.output_dir) in " ".join(command) for command in plan.values())


def test_the_seed_of_the_plain_run_reuses_its_folder(pipeline_module, tmp_path):
    args = pipeline_module.parse_args(["--seeds", "0", "1", "2"])
    paths = pipeline_module.Paths(isic_dir=tmp_path / "isic", output_dir=tmp_path / "out", models_dir=tmp_path / "m")
    folders = [run_paths.output_dir for _, run_paths in pipeline_module.seed_runs(args, paths)]
    assert folders == [tmp_path / "out", tmp_path / "out" / "seed_1", tmp_path / "out" / "seed_2"]


def test_seed_runs_share_one_data_set_and_run_side_by_side(pipeline_module, tmp_path, monkeypatch):
    """Every seed's stages run, each after what it reads; the shared data set is made by the first run before any
    other run's data stage (which then finds it complete)."""
    args = pipeline_module.parse_args(["--seeds", "0", "1", "--jobs", "3"])
    paths = pipeline_module.Paths(isic_dir=tmp_path / "isic", output_dir=tmp_path / "out", models_dir=tmp_path / "m")
    finished: list[tuple[Path, str]] = []

    def stage(self, name, command, after=(), outputs=()):
        assert self.env["OMP_NUM_THREADS"] == "1"  # a third of this machine's cores or fewer, at least one
        missing = [dep for dep in after if (self.output_dir, dep) not in finished and dep != "synthetic"]
        assert not missing, f"{name} of {self.output_dir} started before {missing}"
        first_made_it = (paths.output_dir, "synthetic") in finished
        assert name != "synthetic" or self.output_dir == paths.output_dir or first_made_it, "data made twice at once"
        finished.append((self.output_dir, name))

    monkeypatch.setattr(pipeline_module.Pipeline, "stage", stage)
    monkeypatch.setattr(pipeline_module.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(pipeline_module, "write_full_supervision_datalist", lambda *a: None)
    monkeypatch.setattr(pipeline_module, "copy_atomically", lambda *a: None)
    pipeline_module.run_plans(pipeline_module.seed_runs(args, paths), jobs=args.jobs)
    commands = [stage for stage in planned_stages(pipeline_module, ["--seeds", "0", "1"]) if stage.action is None]
    assert len(finished) == 2 * len(commands)


@pytest.mark.parametrize("argv, jobs", [([], 2), (["--profile", "paper"], 1), (["--jobs", "3"], 3)])
def test_jobs_default_to_the_profile(pipeline_module, argv, jobs):
    assert pipeline_module.parse_args(argv).jobs == jobs


def test_without_seeds_the_plan_runs_once_with_the_data_seed(pipeline_module, tmp_path):
    args = pipeline_module.parse_args(["--seed", "2"])
    paths = pipeline_module.Paths(isic_dir=tmp_path / "isic", output_dir=tmp_path / "out", models_dir=tmp_path / "m")
    [(run_args, run_paths)] = pipeline_module.seed_runs(args, paths)
    assert run_paths == paths and run_args.training_seed == 2


@pytest.mark.parametrize("seeds", [["1"], ["1", "1"]])
def test_seeds_need_two_different_values(pipeline_module, seeds, capsys):
    with pytest.raises(SystemExit):
        pipeline_module.parse_args(["--seeds", *seeds])
    assert "--seeds needs two or more different seeds" in capsys.readouterr().err
