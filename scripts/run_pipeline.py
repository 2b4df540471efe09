#!/usr/bin/env python
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
"""The main job: the whole weakly supervised pipeline, each stage a ``python -m monai.bundle run`` workflow.

data -> classifiers (GradCAM baselines) and manifolds (ML, DCML) -> proxy labels (with and without graph cut)
-> U-nets (and the fully supervised upper bound) -> predictions -> Table 1 + figure.

    python scripts/run_pipeline.py                      # embedded synthetic set, CPU configuration
    python scripts/run_pipeline.py --seeds 0 1 2        # every learned stage per training seed, Table 1 over seeds
    python scripts/run_pipeline.py --isic_dir /data/isic2018 --profile paper

A stage whose command already completed is skipped (its marker in <output_dir>/.stages); training stages also
resume from their own last checkpoint, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bundle.data.datalist import write_full_supervision_datalist
from bundle.data.output_layout import (
    datalist_path,
    full_supervision_datalist,
    predictions_dir,
    proxy_datalist,
    proxy_dir,
)
from bundle.evaluation.seed_summary import write_seed_summary
from bundle.pipeline import CPU_OVERRIDES, RELEASE_UNET, release_checkpoints, with_processes, with_profile  # noqa: F401
from bundle.pipeline.commands import bundle_command, configs_digest, printable_command  # noqa: F401
from bundle.pipeline.stage_runner import Pipeline
from bundle.pipeline.task_graph import Task, run_task_graph
from bundle.utils import atomic_path, write_json_atomic

ROOT = Path(__file__).resolve().parents[1]

logger = logging.getLogger("run_pipeline")

SEED_SUMMARY = "table1_seeds.md"
"""Table 1 over the training seeds of ``--seeds``, in ``<output_dir>/evaluation``."""
TIMINGS = {False: "timings.json", True: "timings_seeds.json"}
"""The seconds of a run's stages, in ``<output_dir>``: a single run's, and a ``--seeds`` run's (per run folder)."""
SHARED_STAGES = ("synthetic",)
"""Stages whose output every seed's run shares (outside its folder): the first run makes it."""

# name -> (training configs, extra proxy configs); the CPU profile appends its override after the first file.
# In the order they start with --jobs: the longest chains of stages first.
MAP_SOURCES: dict[str, tuple[list[str], list[str]]] = {
    "gradcam_r101": (["train_classifier.yaml", "classifier_r101.yaml"], ["proxy_gradcam.yaml"]),
    "dcml": (["train_manifold.yaml"], []),
    "ml": (["train_manifold.yaml", "ml_k1.yaml"], []),
    "gradcam_r50": (["train_classifier.yaml"], ["proxy_gradcam.yaml"]),
}
# deep graph cut network -> the map source whose proxy stage's maps give its seeds
DEEP_GRAPH_CUT: dict[str, str] = {"dcml_deep_graph_cut": "dcml"}
DEEP_GRAPH_CUT_CONFIGS = ["train_unet.yaml", "train_deep_graph_cut.yaml"]
# --ablation (the deep graph cut paper's Tables 3-5 on the DCML seeds): run name -> (row, config overrides)
ABLATION: dict[str, tuple[str, dict[str, object]]] = {
    "dgc_seeds_only": ("seeds only, never regrown (theta = 1), seeding loss",
                       {"cut_theta": 1.0, "boundary_weight": 0.0}),
    "dgc_no_boundary": ("dynamic supervision, seeding loss only", {"boundary_weight": 0.0}),
    "dgc_seeds_boundary": ("seeds only, never regrown (theta = 1), seeding + boundary loss", {"cut_theta": 1.0}),
    "dgc_k5": ("dynamic + boundary, K = 5", {"cut_neighbors": 5}),
    "dgc_k15": ("dynamic + boundary, K = 15", {"cut_neighbors": 15}),
    "dgc_theta05": ("dynamic + boundary, theta = 0.5", {"cut_theta": 0.5}),
    "dgc_theta09": ("dynamic + boundary, theta = 0.9", {"cut_theta": 0.9}),
}
ABLATION_REFERENCES = {"dcml_graphcut": ("static graph cut proxies (U-net)", {}),
                       "dcml_deep_graph_cut": ("dynamic + boundary, K = 9, theta = 0.7 (the pipeline's)", {})}
ABLATION_FOLDER = "ablation"
"""The ablation's tables, in ``<output_dir>/evaluation``."""
SELFSUP_OVERRIDE = "cpu_selfsup.yaml"  # after the profile's override: loads and freezes the pre-trained trunk
# proxy run name -> (map source, graph cut)
PROXIES: dict[str, tuple[str, bool]] = {
    "gradcam_r50": ("gradcam_r50", False),
    "gradcam_r101": ("gradcam_r101", False),
    "ml": ("ml", False),
    "dcml": ("dcml", False),
    "dcml_graphcut": ("dcml", True),
}


def with_selfsup(configs: list[str], selfsup: bool) -> list[str]:
    """Append ``cpu_selfsup.yaml`` (frozen trunk of the label-free pre-training) to a manifold's configs when asked."""
    return [*configs, SELFSUP_OVERRIDE] if selfsup and configs[0] == "train_manifold.yaml" else configs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--isic_dir",
        type=Path,
        default=None,
        help="ISIC 2018 folder as downloaded (default: the embedded synthetic set)",
    )
    parser.add_argument("--output_dir", type=Path, default=ROOT / "output")
    parser.add_argument("--synthetic_dir", type=Path, default=ROOT / "data" / "synthetic",
                        help="where the embedded synthetic set is generated (without --isic_dir)")
    parser.add_argument("--models_dir", type=Path, default=ROOT / "models",
                        help="where the release U-net is copied as model.pt, for configs/inference.yaml")
    parser.add_argument("--synthetic_option", action="append", default=[], metavar="KEY=VALUE",
                        help="an option of scripts/make_synthetic.py, e.g. num_classification=56 (repeatable)")
    parser.add_argument("--override", action="append", default=[], metavar="ID=VALUE",
                        help="a config id given to every bundle stage, e.g. max_epochs=2 (repeatable; for smoke runs)")
    parser.add_argument("--profile", choices=("cpu", "paper"), default="cpu", help="cpu: the small demo configuration")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data (synthetic set, splits) and training")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                        help="training seeds (two or more): the learned stages run once per seed under "
                             "<output_dir>/seed_<n> on the data and splits of --seed; Table 1 over the seeds goes "
                             "to <output_dir>/evaluation/table1_seeds.md; the first seed gives the release model")
    parser.add_argument("--jobs", type=int, default=None,
                        help="stages run side by side, each with CPU threads / jobs threads (default: 2 with the cpu "
                             "profile, where two one-thread trainings beat one two-thread training; 1 with paper)")
    parser.add_argument("--ablation", action="store_true",
                        help="also train the deep graph cut network's variants (static vs dynamic supervision, "
                             "boundary loss, K, theta) and write their table to <output_dir>/evaluation/ablation")
    parser.add_argument("--selfsup", action="store_true",
                        help="pre-train the manifolds' trunk without labels (pretrain_trunk.yaml) and train only their "
                             "attention and embedding on it, frozen (cpu_selfsup.yaml)")
    parser.add_argument("--nproc", type=int, default=None,
                        help="run every training as this many processes of torchrun (one per GPU; CPU processes "
                             "with Gloo), with the configs' multi_gpu_*.yaml overrides; batch sizes are per process")
    parser.add_argument("--tracking", default=None, metavar="SETTINGS",
                        help="experiment tracking of every training: configs/mlflow_tracking.yaml (runs, parameters, "
                             "metrics and models in <output_dir>/mlruns.db) or MONAI's own 'mlflow'")
    args = parser.parse_args(argv)
    if args.nproc is not None and args.nproc < 1:
        parser.error(f"--nproc must be >= 1, got {args.nproc}")
    if args.seeds is not None and (len(args.seeds) < 2 or len(set(args.seeds)) != len(args.seeds)):
        parser.error(f"--seeds needs two or more different seeds, got {args.seeds}")
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    args.jobs = args.jobs or (2 if args.profile == "cpu" else 1)
    args.training_seed = args.seed
    return args


@dataclass(frozen=True)
class Stage:
    """One step of the plan: a command run make-style by ``Pipeline.stage``, or (``action``) a quick in-process step
    run every time, such as writing a datalist or copying the release model; both after the stages of ``after``."""

    name: str
    command: list[str] = field(default_factory=list)
    after: tuple[str, ...] = ()
    outputs: tuple[Path, ...] = ()
    action: Callable[[], object] | None = None


@dataclass(frozen=True)
class Paths:
    """Where a run reads and writes."""

    isic_dir: Path
    output_dir: Path
    models_dir: Path
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def datalist_dir(self) -> Path:
        return self.output_dir / "datalists"

    @property
    def full_supervision(self) -> Path:
        return full_supervision_datalist(self.output_dir)

    def common(self) -> dict[str, str]:
        """The path ids every bundle stage is given, and the ``--override`` ids."""
        return {"bundle_root": str(ROOT), "dataset_dir": str(self.isic_dir), "datalist_dir": str(self.datalist_dir),
                "output_dir": str(self.output_dir), **self.overrides}


def training_command(args: argparse.Namespace, configs: list[str], **overrides: object) -> list[str]:
    """The command of a training stage: ``configs`` as one process, or ``--nproc`` processes of torchrun with the
    training's multi-process overrides; with ``--tracking``, tracked."""
    if args.nproc is not None:
        configs = with_processes(configs)
    tracking = {"tracking": args.tracking} if args.tracking else {}
    return bundle_command(configs, nproc=args.nproc, seed=args.training_seed, **overrides, **tracking)


def data_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """The synthetic set (unless ISIC is given) and its validated, split datalists."""
    python, stages = [sys.executable], []
    if args.isic_dir is None:
        make = ["scripts/make_synthetic.py", "--out_dir", str(paths.isic_dir), "--seed", str(args.seed)]
        make += [word for key, value in key_values(args.synthetic_option).items() for word in (f"--{key}", value)]
        stages.append(Stage("synthetic", python + make))
    prepare = ["scripts/prepare_data.py", "isic", "--isic_dir", str(paths.isic_dir), "--out_dir",
               str(paths.datalist_dir), "--seed", str(args.seed)]
    after = ("synthetic",) if args.isic_dir is None else ()
    return [*stages, Stage("prepare", python + prepare, after, (paths.datalist_dir,))]


def map_source_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """With --selfsup the label-free trunk pre-training, then the GradCAM classifiers and attention manifolds."""
    stages, manifold_after = [], ("prepare",)
    if args.selfsup:  # the stand-in for ImageNet weights
        files = with_profile(["train_manifold.yaml"], args.profile) + ["pretrain_trunk.yaml"]
        stages.append(Stage("pretrain", training_command(args, files, **paths.common()), ("prepare",),
                            (paths.output_dir / "pretrain",)))
        manifold_after += ("pretrain",)
    for name, (configs, _) in MAP_SOURCES.items():
        kind = "classifier" if configs[0] == "train_classifier.yaml" else "manifold"
        files = with_profile(with_selfsup(configs, args.selfsup), args.profile)
        command = training_command(args, files, run_name=name, **paths.common())
        after = manifold_after if kind == "manifold" else ("prepare",)
        stages.append(Stage(f"train_{name}", command, after, (paths.output_dir / kind / name,)))
    return stages


def proxy_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """Proxy labels of every map source, and the graph-cut refined ones."""
    stages = []
    for proxy, (source, graph_cut) in PROXIES.items():
        configs, proxy_configs = MAP_SOURCES[source]
        files = with_profile(with_selfsup(configs, args.selfsup), args.profile)
        files += ["generate_proxy.yaml", *proxy_configs, *(["proxy_graphcut.yaml"] if graph_cut else [])]
        command = bundle_command(files, run_name=source, seed=args.training_seed, **paths.common())
        stages.append(Stage(f"proxy_{proxy}", command, (f"train_{source}",), (proxy_dir(paths.output_dir, proxy),)))
    return stages


def unet_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """A U-net per proxy set, the deep graph cut networks and the fully supervised U-net, each with its predictions
    on segmentation val/test."""
    out = paths.output_dir
    segmentation = datalist_path(paths.datalist_dir, "segmentation")
    stages = [Stage("full_supervision_datalist", after=("prepare",), action=partial(
        write_full_supervision_datalist, segmentation, paths.full_supervision))]
    for proxy in PROXIES:
        inputs = {"train_datalist": str(proxy_datalist(proxy_dir(out, proxy)))}
        stages += segmentation_stages(args, paths, proxy, ["train_unet.yaml"], inputs, f"proxy_{proxy}")
    for name, source in DEEP_GRAPH_CUT.items():
        stages += segmentation_stages(args, paths, name, DEEP_GRAPH_CUT_CONFIGS, {"seed_source": source},
                                      f"proxy_{source}")
    inputs = {"train_datalist": str(paths.full_supervision)}
    return stages + segmentation_stages(args, paths, "full_supervision", ["train_unet.yaml"], inputs, "prepare")


def ablation_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """With --ablation: the deep graph cut network's variants of ``ABLATION`` from the DCML seeds, then their table
    beside the static graph cut U-net and the pipeline's own deep graph cut network."""
    if not args.ablation:
        return []
    stages = []
    for name, (_, overrides) in ABLATION.items():
        stages += segmentation_stages(args, paths, name, DEEP_GRAPH_CUT_CONFIGS,
                                      {"seed_source": "dcml", **overrides}, "proxy_dcml")
    rows = [[label, None, name, None] for name, (label, _) in {**ABLATION_REFERENCES, **ABLATION}.items()]
    evaluate = bundle_command(["evaluate.yaml"], **paths.common(), method_rows=rows,
                              eval_dir=str(paths.output_dir / "evaluation" / ABLATION_FOLDER))
    after = tuple(f"predict_{name}" for name in {**ABLATION_REFERENCES, **ABLATION})
    return [*stages, Stage("evaluate_ablation", evaluate, after, (paths.output_dir / "evaluation" / ABLATION_FOLDER,))]


def segmentation_stages(args: argparse.Namespace, paths: Paths, name: str, configs: list[str],
                        inputs: dict[str, object], after: str) -> list[Stage]:
    """Train the segmentation network ``name`` (``configs`` with the profile, ``inputs`` as ids) after the stage
    ``after``, then predict the segmentation validation and test images with it."""
    out = paths.output_dir
    train = training_command(args, with_profile(configs, args.profile), run_name=name, **inputs, **paths.common())
    predict = bundle_command(with_profile(["inference.yaml"], args.profile), **paths.overrides,
                             bundle_root=str(ROOT), ckpt_path=str(out / "unet" / name / "model.pt"),
                             datalist=str(datalist_path(paths.datalist_dir, "segmentation")),
                             datalist_key=["validation", "test"], output_dir=str(predictions_dir(out, name)))
    return [Stage(f"unet_{name}", train, (after,), (out / "unet" / name,)),
            Stage(f"predict_{name}", predict, (f"unet_{name}",), (predictions_dir(out, name),))]


def evaluation_stages(args: argparse.Namespace, paths: Paths) -> list[Stage]:
    """The release model copied to models/model.pt for inference.yaml, then Table 1, baselines and the figure."""
    predictions = tuple(f"predict_{name}" for name in [*PROXIES, *DEEP_GRAPH_CUT, "full_supervision"])
    return [
        Stage("release_model", after=(f"unet_{RELEASE_UNET}",), action=partial(
            copy_atomically, release_checkpoints(paths.output_dir)["model.pt"], paths.models_dir / "model.pt")),
        Stage("evaluate", bundle_command(["evaluate.yaml"], **paths.common()),
              predictions + tuple(f"proxy_{proxy}" for proxy in PROXIES), (paths.output_dir / "evaluation",)),
    ]


PLAN = (data_stages, map_source_stages, proxy_stages, unet_stages, evaluation_stages, ablation_stages)
"""The pipeline, in order: each part lists its stages for a run's arguments and paths."""


def key_values(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=[2,3]"]`` -> ``{"a": "1", "b": "[2,3]"}``; a pair without ``=`` stops with a message."""
    malformed = [pair for pair in pairs if "=" not in pair or pair.startswith("=")]
    if malformed:
        raise SystemExit(f"expected KEY=VALUE, got {malformed}")
    return dict(pair.split("=", 1) for pair in pairs)


def copy_atomically(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def seed_runs(args: argparse.Namespace, paths: Paths) -> list[tuple[argparse.Namespace, Paths]]:
    """The runs of the plan: ``(args, paths)`` once, or once per training seed of ``--seeds``: the seed equal to
    ``--seed`` in ``paths.output_dir`` itself (the run of the same command without ``--seeds``, which is then reused),
    the others under ``seed_<n>/``. The first seed's release model goes to ``paths.models_dir``, the others' to
    ``<their folder>/models``."""
    if args.seeds is None:
        return [(args, paths)]
    runs = []
    for index, seed in enumerate(args.seeds):
        output_dir = paths.output_dir if seed == args.seed else paths.output_dir / f"seed_{seed}"
        models_dir = paths.models_dir if index == 0 else output_dir / "models"
        runs.append((argparse.Namespace(**{**vars(args), "training_seed": seed}),
                     Paths(paths.isic_dir, output_dir, models_dir, paths.overrides)))
    return runs


def run_plans(runs: list[tuple[argparse.Namespace, Paths]], jobs: int = 1,
              processes: int = 1) -> dict[str, dict[str, float]]:
    """Run every stage of ``PLAN`` for each ``(args, paths)`` of ``runs``, up to ``jobs`` stages at a time, each once
    the stages it reads are done (the data set is made by the first run, once); return the seconds of the stages run
    this time, per run folder. Each process gets cores / (jobs * ``processes``) threads (a training's processes)."""
    threads = max(1, usable_cores() // (jobs * processes)) if jobs * processes > 1 else None
    tasks, timings = {}, {}
    for index, (args, paths) in enumerate(runs):
        pipeline = Pipeline(paths.output_dir, ROOT, threads)
        timings[str(paths.output_dir)] = pipeline.timings
        stages = [stage for part in PLAN for stage in part(args, paths)]
        names = {stage.name for stage in stages}
        for stage in stages:
            needs = {(index, name) for name in stage.after if name in names}
            needs |= {(0, stage.name)} if index and stage.name in SHARED_STAGES else set()
            tasks[(index, stage.name)] = Task(partial(run_stage, pipeline, stage), frozenset(needs))
    run_task_graph(tasks, jobs)
    return timings


def usable_cores() -> int:
    """The cores this process may run on (Linux), or the machine's (macOS and Windows have no affinity call)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run_stage(pipeline: Pipeline, stage: Stage) -> None:
    """A command stage make-style through ``pipeline``, an action directly."""
    if stage.action is not None:
        stage.action()
    else:
        pipeline.stage(stage.name, stage.command, after=stage.after, outputs=stage.outputs)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    isic_dir = args.synthetic_dir.resolve() if args.isic_dir is None else args.isic_dir.resolve()
    paths = Paths(isic_dir=isic_dir, output_dir=args.output_dir.resolve(), models_dir=args.models_dir.resolve(),
                  overrides=key_values(args.override))
    started = time.perf_counter()
    runs = seed_runs(args, paths)
    timings = run_plans(runs, args.jobs, args.nproc or 1)
    total = time.perf_counter() - started
    out = paths.output_dir
    stages = timings[str(out)] if args.seeds is None else timings
    write_json_atomic(out / TIMINGS[args.seeds is not None], {"total_seconds": round(total, 1), "jobs": args.jobs,
                                                             "stages": stages})
    for run_args, run_paths in runs:
        evaluation = run_paths.output_dir / "evaluation"
        print((evaluation / "table1.md").read_text())
        print((evaluation / "equal_area.md").read_text())
        print(f"figure: {evaluation / 'figure.png'}")
    if args.seeds is not None:
        tables = {run_args.training_seed: run_paths.output_dir / "evaluation" / "table1.csv"
                  for run_args, run_paths in runs}
        print(write_seed_summary(tables, out / "evaluation" / SEED_SUMMARY).read_text())
    print(f"bundle model: {paths.models_dir / 'model.pt'} (U-net trained on {RELEASE_UNET} proxies)")
    ran = sum(len(run) for run in timings.values())
    print(f"total time: {total / 60:.1f} min (stages run this time: {ran})")


if __name__ == "__main__":
    main()
