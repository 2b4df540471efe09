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
    python scripts/run_pipeline.py --isic_dir /data/isic2018 --profile paper

A stage whose command already completed is skipped (its marker in <output_dir>/.stages); training stages also
resume from their own last checkpoint, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bundle.data.datalist import write_full_supervision_datalist  # noqa: E402
from bundle.pipeline import CPU_OVERRIDES, RELEASE_UNET, release_checkpoints, with_profile  # noqa: E402,F401
from bundle.utils import atomic_path, write_json_atomic  # noqa: E402

logger = logging.getLogger("run_pipeline")

# name -> (training configs, extra proxy configs); the CPU profile appends its override after the first file.
MAP_SOURCES: dict[str, tuple[list[str], list[str]]] = {
    "gradcam_r50": (["train_classifier.yaml"], ["proxy_gradcam.yaml"]),
    "gradcam_r101": (["train_classifier.yaml", "classifier_r101.yaml"], ["proxy_gradcam.yaml"]),
    "ml": (["train_manifold.yaml", "ml_k1.yaml"], []),
    "dcml": (["train_manifold.yaml"], []),
}
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


def bundle_command(configs: list[str], **overrides: object) -> list[str]:
    """A ``python -m monai.bundle run`` command line for ``configs`` (merged in order) and id overrides."""
    files = "[" + ",".join(f"'configs/{c}'" for c in configs) + "]"
    command = [sys.executable, "-m", "monai.bundle", "run", "--config_file", files]
    for key, value in overrides.items():
        command += [f"--{key}", value if isinstance(value, str) else repr(value)]
    return command


def configs_digest(command: list[str]) -> str:
    """SHA-256 over the contents of the config files a command names (empty for commands without configs)."""
    digest = hashlib.sha256()
    for path in sorted(set(re.findall(r"configs/[\w.-]+\.yaml", " ".join(command)))):
        digest.update((ROOT / path).read_bytes())
    return digest.hexdigest()


def printable_command(command: list[str]) -> str:
    """The command as a user would type it: ``python`` for this interpreter, lists of configs in double quotes."""
    words = ["python" if word == sys.executable else word for word in command]
    return " ".join(f'"{word}"' if word.startswith("[") else shlex.quote(word) for word in words)


class Pipeline:
    """Runs stages in order, make-style: a stage is skipped when it completed with the same command and config
    contents after every stage it depends on. Otherwise it runs: an interrupted run of the same command resumes
    from its outputs; outputs of any other run (other configs, older inputs) are first moved to ``.stale/``."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.marker_dir = output_dir / ".stages"
        self.timings: dict[str, float] = {}

    def marker(self, name: str) -> Path:
        """The record of a completed stage: its fingerprint and duration."""
        return self.marker_dir / f"{name}.json"

    def started(self, name: str) -> Path:
        """The record of a stage run in progress (left behind if interrupted): its fingerprint."""
        return self.marker_dir / f"{name}.started.json"

    def is_done(self, name: str, fingerprint: dict, after: Sequence[str]) -> bool:
        """Completed with ``fingerprint``, and later than every stage in ``after``."""
        marker = self.marker(name)
        if not marker.is_file():
            return False
        recorded = {k: v for k, v in json.loads(marker.read_text()).items() if k != "seconds"}
        finished = marker.stat().st_mtime
        return recorded == fingerprint and all(
            self.marker(dep).is_file() and self.marker(dep).stat().st_mtime <= finished for dep in after
        )

    def stage(self, name: str, command: list[str], after: Sequence[str] = (), outputs: Sequence[Path] = ()) -> None:
        """Run ``command`` as stage ``name`` unless done; ``after``: stages whose outputs it reads; ``outputs``:
        the folders it writes (and resumes from)."""
        printable = printable_command(command)
        # a stage is done for this exact command AND these config contents: editing a config reruns its stages
        fingerprint = {"command": command, "configs": configs_digest(command)}
        if self.is_done(name, fingerprint, after):
            logger.info("[skip] %s (done)", name)
            return
        started = self.started(name)
        resumable = started.is_file() and json.loads(started.read_text()) == fingerprint
        if not resumable:  # outputs of another configuration or of older inputs must not be resumed
            self._retire(name, outputs)
        write_json_atomic(started, fingerprint)
        log = self.output_dir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        logger.info("[run ] %s: %s (log: %s)", name, printable, log)
        start = time.perf_counter()
        with open(log, "w") as stream:
            result = subprocess.run(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-30:])
            raise SystemExit(f"{tail}\nstage '{name}' failed (exit {result.returncode}), log: {log}\n"
                             f"rerun to resume; command: {printable}")
        self.timings[name] = round(time.perf_counter() - start, 1)
        write_json_atomic(self.marker(name), {**fingerprint, "seconds": self.timings[name]})
        started.unlink()

    def _retire(self, name: str, outputs: Sequence[Path]) -> None:
        """Move a stage's outdated outputs to ``.stale/<name>/`` (replacing older ones) and forget its marker."""
        existing = [folder for folder in outputs if folder.exists()]
        stale = self.output_dir / ".stale" / name
        if existing:
            shutil.rmtree(stale, ignore_errors=True)
            stale.mkdir(parents=True)
        for folder in existing:
            folder.rename(stale / folder.name)
            logger.info("[old ] %s: moved %s to %s", name, folder, stale)
        self.marker(name).unlink(missing_ok=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--isic_dir",
        type=Path,
        default=None,
        help="ISIC 2018 folder as downloaded (default: the embedded synthetic set)",
    )
    parser.add_argument("--output_dir", type=Path, default=ROOT / "output")
    parser.add_argument("--profile", choices=("cpu", "paper"), default="cpu", help="cpu: the small demo configuration")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--selfsup", action="store_true",
                        help="pre-train the manifolds' trunk without labels (pretrain_trunk.yaml) and train only their "
                             "attention and embedding on it, frozen (cpu_selfsup.yaml)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    output_dir = args.output_dir.resolve()
    pipeline = Pipeline(output_dir)
    started = time.perf_counter()
    python = [sys.executable]

    # ---- data ----
    if args.isic_dir is None:
        isic_dir = ROOT / "data" / "synthetic"
        make_synthetic = ["scripts/make_synthetic.py", "--out_dir", str(isic_dir), "--seed", str(args.seed)]
        pipeline.stage("synthetic", python + make_synthetic)
        data_stages = ["synthetic"]
    else:
        isic_dir = args.isic_dir.resolve()
        data_stages = []
    datalist_dir = output_dir / "datalists"
    prepare = ["scripts/prepare_data.py", "isic", "--isic_dir", str(isic_dir), "--out_dir", str(datalist_dir)]
    pipeline.stage("prepare", python + prepare + ["--seed", str(args.seed)], after=data_stages, outputs=[datalist_dir])
    common = {
        "bundle_root": str(ROOT),
        "dataset_dir": str(isic_dir),
        "datalist_dir": str(datalist_dir),
        "output_dir": str(output_dir),
    }

    # ---- --selfsup: label-free pre-training of the manifolds' trunk, the stand-in for ImageNet weights ----
    manifold_after = ["prepare"]
    if args.selfsup:
        files = with_profile(["train_manifold.yaml"], args.profile) + ["pretrain_trunk.yaml"]
        pipeline.stage("pretrain", bundle_command(files, seed=args.seed, **common), after=["prepare"],
                       outputs=[output_dir / "pretrain"])
        manifold_after.append("pretrain")

    # ---- map sources: classifiers for GradCAM, attention manifolds ----
    for name, (configs, _) in MAP_SOURCES.items():
        kind = "classifier" if configs[0] == "train_classifier.yaml" else "manifold"
        configs = with_selfsup(configs, args.selfsup)
        command = bundle_command(with_profile(configs, args.profile), run_name=name, seed=args.seed, **common)
        after = manifold_after if kind == "manifold" else ["prepare"]
        pipeline.stage(f"train_{name}", command, after=after, outputs=[output_dir / kind / name])

    # ---- proxy labels ----
    for proxy, (source, graph_cut) in PROXIES.items():
        configs, proxy_configs = MAP_SOURCES[source]
        files = with_profile(with_selfsup(configs, args.selfsup), args.profile)
        files += ["generate_proxy.yaml", *proxy_configs]
        files += ["proxy_graphcut.yaml"] if graph_cut else []
        pipeline.stage(f"proxy_{proxy}", bundle_command(files, run_name=source, seed=args.seed, **common),
                       after=[f"train_{source}"], outputs=[output_dir / "proxy" / proxy])

    # ---- U-nets: one per proxy set, plus full supervision on the segmentation train split ----
    unet_configs = with_profile(["train_unet.yaml"], args.profile)
    full = output_dir / "full_supervision" / "datalist.json"
    write_full_supervision_datalist(datalist_dir / "segmentation.json", full)
    unets = {proxy: output_dir / "proxy" / proxy / "datalist.json" for proxy in PROXIES} | {"full_supervision": full}
    infer_configs = with_profile(["inference.yaml"], args.profile)
    for name, datalist in unets.items():
        command = bundle_command(unet_configs, run_name=name, train_datalist=str(datalist), seed=args.seed, **common)
        after = ["prepare"] if name == "full_supervision" else [f"proxy_{name}"]
        pipeline.stage(f"unet_{name}", command, after=after, outputs=[output_dir / "unet" / name])
        pipeline.stage(f"predict_{name}", bundle_command(
            infer_configs,
            bundle_root=str(ROOT),
            ckpt_path=str(output_dir / "unet" / name / "model.pt"),
            datalist=str(datalist_dir / "segmentation.json"),
            datalist_key=["validation", "test"],
            output_dir=str(output_dir / "predictions" / name),
        ), after=[f"unet_{name}"], outputs=[output_dir / "predictions" / name])

    # ---- the bundle's model: the weakly supervised U-net (DCML + attention + graph cut), for inference.yaml ----
    with atomic_path(ROOT / "models" / "model.pt") as tmp:
        shutil.copyfile(release_checkpoints(output_dir)["model.pt"], tmp)

    # ---- evaluation: Table 1, label-free baselines, figure ----
    pipeline.stage("evaluate", bundle_command(["evaluate.yaml"], **common),
                   after=[f"predict_{name}" for name in unets] + [f"proxy_{proxy}" for proxy in PROXIES],
                   outputs=[output_dir / "evaluation"])
    total = time.perf_counter() - started
    write_json_atomic(output_dir / "timings.json", {"total_seconds": round(total, 1), "stages": pipeline.timings})
    print((output_dir / "evaluation" / "table1.md").read_text())
    print((output_dir / "evaluation" / "equal_area.md").read_text())
    print(f"figure: {output_dir / 'evaluation' / 'figure.png'}")
    print(f"bundle model: {ROOT / 'models' / 'model.pt'} (U-net trained on {RELEASE_UNET} proxies)")
    print(f"total time: {total / 60:.1f} min (stages run this time: {len(pipeline.timings)})")


if __name__ == "__main__":
    main()
