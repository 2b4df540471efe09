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
import logging
import shutil
import sys
import time
from pathlib import Path

from bundle.data.datalist import write_full_supervision_datalist
from bundle.pipeline import CPU_OVERRIDES, RELEASE_UNET, release_checkpoints, with_profile  # noqa: F401
from bundle.pipeline.commands import bundle_command, configs_digest, printable_command  # noqa: F401
from bundle.pipeline.stage_runner import Pipeline
from bundle.utils import atomic_path, write_json_atomic

ROOT = Path(__file__).resolve().parents[1]

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
    pipeline = Pipeline(output_dir, ROOT)
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
