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
"""How much the attention maps' quality depends on the training seed: the attention-quality test's measurement,
repeated over seeds with the bundle's own workflows.

Generates a synthetic set like the test's (140 classification images of the demo's sizes), then for every seed
trains the manifold (``train_manifold.yaml`` + ``cpu_manifold.yaml`` + ``--configs``), writes its proxy maps of the
classification images with ``generate_proxy.yaml`` once per flip setting (one pass, and the configuration's
test-time flips), and scores each map at the area of the image's centred disk against the true mask, beside the
disk itself (``evaluate.yaml``'s equal-area measure). Prints a Markdown table and writes ``results.json``.

    python scripts/map_quality.py --seeds 0 1 2 --jobs 2
    python scripts/map_quality.py --seeds 0 1 --configs ml_k1.yaml --out_dir output/map_quality_ml
    python scripts/map_quality.py --min_width 64 --max_width 80   # version 0.7.0's small images

Reruns with the same ``--out_dir`` reuse its data set (made with the same options), finished trainings and
written maps; each seed and ``--configs`` trains its own run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from monai.data import load_decathlon_datalist

from bundle.data.isic_reader import prepare_isic
from bundle.data.output_layout import datalist_path, map_path, proxy_dir
from bundle.data.synthetic import SyntheticConfig, SyntheticDermoscopyGenerator
from bundle.evaluation import CentredDiskBaseline, EqualAreaMasks, read_mask, segmentation_scores
from bundle.pipeline.commands import bundle_command, printable_command
from bundle.utils import read_pil_array, write_json_atomic

ROOT = Path(__file__).resolve().parents[1]

MANIFOLD_CONFIGS = ["train_manifold.yaml", "cpu_manifold.yaml"]
SECTIONS = ("training", "test")  # of classification.json: every image is scored, as in the quality test
DISK_RADIUS_FRACTION = 0.3  # evaluate.yaml's disk_radius_fraction
FLIPS = {"one pass": [], "flips": None}  # None: the configuration's own map_flip_axes


def equal_area_dice(items: Sequence[dict], map_dir: Path, radius_fraction: float = DISK_RADIUS_FRACTION) -> dict:
    """Mean Dice against each item's ``mask`` of its map in ``map_dir`` cut at the centred disk's area, and of the
    disk itself.

    Raises:
        FileNotFoundError: naming the first map or mask file that is missing.
    """
    disk = CentredDiskBaseline(radius_fraction=radius_fraction)
    cut = EqualAreaMasks(disk)
    maps, disks = [], []
    for item in items:
        truth = read_mask(item["mask"])
        score = read_pil_array(map_path(map_dir, item["image"]), mode="I", kind="map").astype(np.float64)
        if score.shape != truth.shape:
            raise ValueError(f"map {map_path(map_dir, item['image'])} has shape {score.shape}, its mask {truth.shape}.")
        maps.append(segmentation_scores(cut(score), truth)["dice"])
        disks.append(segmentation_scores(disk(truth), truth)["dice"])
    return {"maps": float(np.mean(maps)), "disk": float(np.mean(disks))}


def make_data(root: Path, options: argparse.Namespace) -> Path:
    """The synthetic set and its datalists under ``root``, reused when made with the same options; returns the
    datalist folder.

    Raises:
        SystemExit: the options make no valid set, or ``root`` holds a set made with other options.
    """
    try:
        config = SyntheticConfig(
            num_classification=options.num_classification, num_segmentation=4, min_width=options.min_width,
            max_width=options.max_width, min_per_class=8, seed=options.data_seed,
        )
    except ValueError as error:
        raise SystemExit(f"bad synthetic set options: {error}") from error
    wanted = json.loads(json.dumps(dataclasses.asdict(config)))  # tuples as lists, as read back from the file
    record, datalist_dir = root / "synthetic.json", root / "datalists"
    if record.is_file():
        if json.loads(record.read_text()) != wanted:
            raise SystemExit(f"{root} holds a synthetic set made with other options ({record}): choose another "
                             "--out_dir or remove it.")
        return datalist_dir
    SyntheticDermoscopyGenerator(config).write(root / "isic", num_workers=1)
    prepare_isic(root / "isic", datalist_dir, seed=0, num_workers=1)
    write_json_atomic(record, wanted)  # last: a set interrupted before this is made again
    return datalist_dir


def run(command: list[str], threads: int, log: Path) -> None:
    """Run a bundle command from the repository root with ``threads`` torch threads; its output goes to ``log``."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    with open(log, "a") as stream:
        stream.write(printable_command(command) + "\n")
        stream.flush()
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"command failed (exit {done.returncode}), see {log}: {printable_command(command)}")


def one_seed(seed: int, options: argparse.Namespace, paths: dict[str, str], items: list[dict]) -> dict:
    """Train with ``seed``, write the maps with and without flips and score them."""
    out_dir = Path(paths["output_dir"])
    configs = [*MANIFOLD_CONFIGS, *options.configs]
    name = "_".join([f"seed{seed}", *(Path(extra).stem for extra in options.configs)])  # one run per configs
    log = out_dir / f"{name}.log"
    trained = out_dir / "manifold" / name / "trained"  # written once training completed: a rerun skips it
    if not trained.is_file():
        run(bundle_command(configs, run_name=name, seed=seed, **paths), options.threads, log)
        trained.touch()
    result: dict = {"seed": seed}
    for label, flips in FLIPS.items():
        proxy_name = f"{name}_{label.replace(' ', '_')}"
        overrides = {"map_flip_axes": flips} if flips is not None else {}
        sources = [["classification", section] for section in SECTIONS]
        command = bundle_command([*configs, "generate_proxy.yaml"], run_name=name, seed=seed, proxy_name=proxy_name,
                                 proxy_sources=sources, **overrides, **paths)
        run(command, options.threads, log)
        scores = equal_area_dice(items, proxy_dir(out_dir, proxy_name))
        result[label], result["disk"] = scores["maps"], scores["disk"]
    return result


def table(results: list[dict]) -> str:
    """A Markdown table of the per-seed scores and their mean."""
    labels = [*FLIPS, "disk"]
    rows = ["| seed | " + " | ".join(labels) + " |", "| --- |" + " ---: |" * len(labels)]
    rows += [f"| {r['seed']} | " + " | ".join(f"{r[k]:.3f}" for k in labels) + " |" for r in results]
    rows.append("| mean | " + " | ".join(f"{np.mean([r[k] for r in results]):.3f}" for k in labels) + " |")
    return "\n".join(rows)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="training seeds")
    parser.add_argument("--configs", nargs="*", default=[], help="override files after cpu_manifold.yaml")
    parser.add_argument("--out_dir", type=Path, default=ROOT / "output" / "map_quality")
    parser.add_argument("--num_classification", type=int, default=140)
    parser.add_argument("--min_width", type=int, default=160)
    parser.add_argument("--max_width", type=int, default=224)
    parser.add_argument("--data_seed", type=int, default=0, help="seed of the synthetic set")
    parser.add_argument("--jobs", type=int, default=1, help="seeds trained at the same time")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per job")
    options = parser.parse_args(argv)
    if options.jobs < 1 or options.threads < 1:
        parser.error("--jobs and --threads must be >= 1")
    missing = [name for name in options.configs if not (ROOT / "configs" / name).is_file()]
    if missing:
        parser.error(f"configs not found under {ROOT / 'configs'}: {missing}")
    return options


def main(argv: Sequence[str] | None = None) -> list[dict]:
    options = parse_args(argv)
    out_dir = options.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    datalist_dir = make_data(out_dir / "data", options)
    classification = str(datalist_path(datalist_dir, "classification"))
    items = [item for key in SECTIONS for item in load_decathlon_datalist(classification, data_list_key=key)]
    paths = {"bundle_root": str(ROOT), "dataset_dir": str(out_dir / "data" / "isic"),
             "datalist_dir": str(datalist_dir), "output_dir": str(out_dir)}
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        results = list(pool.map(lambda seed: one_seed(seed, options, paths, items), options.seeds))
    write_json_atomic(out_dir / "results.json", {"configs": [*MANIFOLD_CONFIGS, *options.configs],
                                                  "images": len(items), "results": results})
    print(table(results))
    return results


if __name__ == "__main__":
    main()
