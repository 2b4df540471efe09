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
"""Trainings as two ``torchrun`` CPU processes (Gloo) with the multi_gpu_*.yaml overrides, against one process.

The U-net has no batch statistics (instance norm), so two processes with half the batch each compute the same
global-batch gradient as one process; the runs differ only by the order of floating-point sums.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mlflow.tracking import MlflowClient

from bundle.data.datalist import as_segmentation_pairs, load_datalist
from bundle.pipeline import bundle_command, with_processes
from bundle.utils import write_json_atomic
from tests.integration.conftest import REPO_ROOT, SyntheticIsic, run_bundle
from tests.integration.test_workflows import (
    DEEP_GRAPH_CUT_CONFIGS,
    MANIFOLD_CONFIGS,
    TINY_DEEP_GRAPH_CUT,
    TINY_MANIFOLD,
    proxy_run,
)

UNET = ["train_unet.yaml"]
TINY_UNET = {"image_size": [32, 32], "channels": [8, 16, 32, 64, 128], "num_workers": 0, "val_interval": 1,
             "max_epochs": 2,
             # no augmentation: both runs must see identical images, whichever process draws them
             "train#preprocessing": "$@validate#preprocessing",
             # SGD, whose step follows the gradient: Adam's first step is +-lr whatever the gradient's size, so a
             # gradient that is zero but for rounding (a convolution bias before instance norm) flips sign between runs
             "optimizer#_target_": "torch.optim.SGD", "learning_rate": 0.1}
GLOBAL_BATCH = 8
TRAINING_PAIRS = 16  # two whole global batches per epoch: no short last batch in either run
TOLERANCE = 1e-5
"""Largest weight difference accepted between one process and two after 4 SGD steps: the runs differ only in the
order of float32 sums (2 x 4 half-batch gradients all-reduced against 4 whole-batch ones), ~1e-7 of each weight
(2.3e-7 measured); the same training with half the global batch differs by ~5e-2 (measured), far above it."""


def torchrun(configs: list[str], nproc: int, output_dir: Path, isic: SyntheticIsic, **overrides: object) -> Path:
    """Run ``configs`` with their multi-process overrides as ``nproc`` torchrun processes; return the output dir."""
    command = bundle_command(with_processes(configs), nproc=nproc, **isic.paths(output_dir), **overrides)
    run(command)
    return output_dir


def run(command: list[str]) -> None:
    """Run a command from the repository root, one thread per process; fail with its output."""
    env = os.environ | {"OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def network_weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)["network"]


def largest_difference(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> float:
    assert first.keys() == second.keys()  # no "module." prefix: the DDP wrapper is not saved
    return max((first[key] - second[key]).abs().max().item() for key in first)


@pytest.fixture(scope="module")
def pairs(tiny_isic: SyntheticIsic, tmp_path_factory: pytest.TempPathFactory) -> str:
    """16 (image, true mask) training pairs and the segmentation validation pairs."""
    training = as_segmentation_pairs(load_datalist(tiny_isic.datalist_dir / "classification.json", "training"))
    validation = as_segmentation_pairs(load_datalist(tiny_isic.datalist_dir / "segmentation.json", "validation"))
    path = tmp_path_factory.mktemp("pairs") / "pairs.json"
    return str(write_json_atomic(path, {"training": training[:TRAINING_PAIRS], "validation": validation}))


@pytest.fixture(scope="module")
def unet_runs(tiny_isic: SyntheticIsic, pairs: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny U-net trained with the same global batch by one process and by two, and by one with half the batch."""
    root = tmp_path_factory.mktemp("unet_runs")
    runs = {"one": (1, GLOBAL_BATCH), "two": (2, GLOBAL_BATCH // 2), "half_batch": (1, GLOBAL_BATCH // 2)}
    return {name: torchrun(UNET, nproc, root / name, tiny_isic, **TINY_UNET, run_name="u", train_datalist=pairs,
                           batch_size=batch) / "unet" / "u" for name, (nproc, batch) in runs.items()}


def test_two_processes_train_the_weights_of_one_with_the_same_global_batch(unet_runs: dict[str, Path]) -> None:
    one, two = network_weights(unet_runs["one"]), network_weights(unet_runs["two"])
    assert largest_difference(one, two) < TOLERANCE
    # the tolerance tells batches apart: half the batch in one process (what each rank would train on if the
    # processes did not share their gradients) moves the weights far more
    assert largest_difference(one, network_weights(unet_runs["half_batch"])) > 100 * TOLERANCE


def test_two_processes_validate_on_all_images_and_save_one_model(unet_runs: dict[str, Path]) -> None:
    (one_score, _), = torch.load(unet_runs["one"] / "last.pt", weights_only=True)["best_model"]["_saved"]
    (two_score, _), = torch.load(unet_runs["two"] / "last.pt", weights_only=True)["best_model"]["_saved"]
    assert two_score == pytest.approx(one_score, abs=1e-4)  # Dice over every validation image, split or not
    best = torch.load(unet_runs["two"] / "model.pt", weights_only=True)
    assert best.keys() == network_weights(unet_runs["two"]).keys()


def test_a_resumed_two_process_run_continues_exactly(
    tiny_isic: SyntheticIsic, pairs: str, unet_runs: dict[str, Path], tmp_path: Path
) -> None:
    options = {**TINY_UNET, "run_name": "u", "train_datalist": pairs, "batch_size": GLOBAL_BATCH // 2}
    torchrun(UNET, 2, tmp_path, tiny_isic, **{**options, "max_epochs": 1})
    torchrun(UNET, 2, tmp_path, tiny_isic, **options)  # resumes from last.pt at epoch 1
    resumed, uninterrupted = network_weights(tmp_path / "unet" / "u"), network_weights(unet_runs["two"])
    assert all(torch.equal(resumed[key], uninterrupted[key]) for key in uninterrupted)


def test_every_process_holds_the_same_clusters_and_its_own_batches(tiny_isic: SyntheticIsic, tmp_path: Path) -> None:
    configs = with_processes(["train_manifold.yaml", "cpu_manifold.yaml"])
    overrides = {**tiny_isic.paths(tmp_path), "image_size": [32, 32], "num_workers": 0, "batch_size": 8,
                 "samples_per_class": 2, "num_learners": 2, "max_epochs": 3, "finetune_epochs": 0,
                 "recluster_interval": 1, "val_interval": 1, "run_name": "dcml"}
    worker = REPO_ROOT / "tests" / "integration" / "multi_process_worker.py"
    run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2",
         str(worker), json.dumps(configs), json.dumps(overrides), str(tmp_path)])
    ranks = [torch.load(tmp_path / f"rank{rank}.pt", weights_only=True) for rank in (0, 1)]
    assert torch.equal(ranks[0]["assignments"], ranks[1]["assignments"])
    assert len(ranks[0]["assignments"].unique()) == 2
    assert torch.equal(ranks[0]["recluster"]["assignments"], ranks[1]["recluster"]["assignments"])
    assert ranks[0]["recluster"]["last_epoch"] == 3
    images = len(ranks[0]["assignments"])
    assert ranks[0]["epoch_length"] == ranks[1]["epoch_length"] == -(-images // (2 * 8))  # one pass per epoch


TINY = {"image_size": [32, 32], "num_workers": 0, "batch_size": 8}


@pytest.mark.parametrize(
    "configs, overrides, outputs",
    [
        (["train_classifier.yaml", "cpu_classifier.yaml"], {"run_name": "r10", "depth": 10, "max_epochs": 2},
         ["classifier/r10/model.pt", "classifier/r10/metrics.csv"]),
        (["train_manifold.yaml", "cpu_manifold.yaml", "pretrain_trunk.yaml"],
         {"pretrain_steps": 3, "pretrain_batch_size": 4}, ["pretrain/trunk.pt"]),
    ],
    ids=["classifier", "label-free pre-training"],
)
def test_the_other_trainings_run_as_two_processes(
    tiny_isic: SyntheticIsic, tmp_path: Path, configs: list[str], overrides: dict, outputs: list[str]
) -> None:
    torchrun(configs, 2, tmp_path, tiny_isic, **TINY, **overrides)
    for output in outputs:
        assert (tmp_path / output).is_file()
    saved = torch.load(tmp_path / outputs[0], weights_only=True)
    assert saved and not any(key.startswith("module.") for key in saved)  # the module, not its DDP wrapper


def test_the_deep_graph_cut_network_trains_as_two_processes_on_every_image(
    tiny_isic: SyntheticIsic, tmp_path: Path
) -> None:
    run_bundle(MANIFOLD_CONFIGS, **tiny_isic.paths(tmp_path), **TINY_MANIFOLD)  # the seeds' maps, one process
    proxy_run(tiny_isic, tmp_path, MANIFOLD_CONFIGS, [], TINY_MANIFOLD)
    torchrun(DEEP_GRAPH_CUT_CONFIGS, 2, tmp_path, tiny_isic, **{**TINY_DEEP_GRAPH_CUT, "epoch_length": "$None"})
    state = torch.load(tmp_path / "unet" / "dcml_deep_graph_cut" / "last.pt", weights_only=True)["supervision"]
    training = load_datalist(tiny_isic.datalist_dir / "classification.json", "training")
    assert state["keys"] == sorted(item["image"] for item in training)  # each process regrew half; both saved


def test_monais_own_mlflow_settings_track_a_training(tiny_isic: SyntheticIsic, pairs: str, tmp_path: Path) -> None:
    run(bundle_command(UNET, **tiny_isic.paths(tmp_path), **TINY_UNET, run_name="u", train_datalist=pairs,
                       batch_size=8, tracking="mlflow"))
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlruns.db'}")
    (tracked,) = client.search_runs([client.get_experiment_by_name("monai_experiment").experiment_id])
    assert {"train_loss", "val_mean_dice"} <= tracked.data.metrics.keys()


def test_mlflow_tracking_logs_one_run_of_two_processes(tiny_isic: SyntheticIsic, pairs: str, tmp_path: Path) -> None:
    torchrun(UNET, 2, tmp_path, tiny_isic, **TINY_UNET, run_name="u", train_datalist=pairs, batch_size=4,
             tracking="configs/mlflow_tracking.yaml")
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlruns.db'}")
    experiment = client.get_experiment_by_name("skin_lesion_wss")
    (tracked,) = client.search_runs([experiment.experiment_id])  # rank 0's alone
    assert tracked.info.run_name == "u" and tracked.info.status == "FINISHED"
    assert tracked.data.params["batch_size"] == "4" and tracked.data.params["max_epochs"] == "2"
    assert {"train_loss", "val_mean_dice"} <= tracked.data.metrics.keys()
    assert len(client.get_metric_history(tracked.info.run_id, "val_mean_dice")) == 2  # each validation
    assert [artifact.path for artifact in client.list_artifacts(tracked.info.run_id)] == ["model.pt"]
    assert (tmp_path / "mlruns" / tracked.info.run_id / "artifacts" / "model.pt").is_file()
