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
"""Cost of an attention map against a plain forward and GradCAM, and the share of an epoch spent loading data.

The networks, transforms, loader and optimiser are built from the bundle's own configs with MONAI's
``ConfigParser`` (paper: ``train_manifold.yaml`` and ``train_classifier.yaml``; ``--cpu`` adds
``cpu_manifold.yaml`` and ``cpu_classifier.yaml``); command-line options override single config constants.
Everything runs on the CPU, with random weights (cost does not depend on the weights).

Per-image costs, on one random batch (B, 3, S, S), divided by B: the median over interleaved rounds (at least
``--repeats`` of them, and more until ``--min_time`` seconds have passed) after ``--warmup`` untimed rounds;
interleaving keeps the ratios fair when the machine's load drifts, and the quartiles show how steady it was:

- ``attention map``: ``bundle.maps.AttentionMapSource`` on the ``AttentionManifoldNet``: one eval-mode no-grad
  forward returning (embedding, map), then the map upsampled to S x S (and min-max rescaled if ``map_rescale``);
- ``network forward``: the same network's forward alone, (embedding, map);
- ``plain forward``: the same trunk and embedding layer without the attention module, trunk -> global average
  pooling -> linear, i.e. a plain embedding network of the same weights;
- ``GradCAM``: ``bundle.maps.GradCAMMapSource`` (the trunk's last stage, ``layer4`` in the paper configuration) on
  the configured ``bundle.networks.ResNetClassifier`` (ResNet-50, 7 classes, stride-2 stem) at the same input size:
  one forward and one backward pass.

GradCAM's backward is a full one (parameter gradients and back to the input, as ``GradCAMMapSource`` runs it),
about twice the classifier's forward in FLOPs; a backward stopped at the target stage would cost far less.

GFLOP per image (``torch.utils.flop_counter``: convolutions and matrix products, backward included) are counted
once beside the times: they do not depend on the machine's load, so they tell structure from noise.

Data-loading share: the second of two training epochs as ``train_manifold.yaml`` runs them (``CacheDataset`` with
``classification_transforms(train=True)``, ``ClusterBatchLoader``, ``SupervisedTrainer`` with ``ManifoldIteration``:
forward, margin loss, backward, Adam step), without its handlers (no re-clustering, validation or logging).
Ignite ``Timer`` handlers split the epoch into time spent waiting for the next batch, training steps and the
rest (handlers); the share is ``wait / epoch``. Filling the cache before the first epoch and starting the
loader's workers in it (they persist across epochs) happen once per run and are reported apart.
Without ``--datalist`` a small synthetic ISIC set is generated and prepared in a temporary folder.

Threads: ``--threads`` calls ``torch.set_num_threads``. When other jobs hold the cores, torch's threads wait on
each other and times grow several-fold (up to 35x seen on 2 busy cores) and drift: benchmark on a quiet machine
(the output gives the load average) or with ``--threads 1``.

Targets (reported, not asserted): attention map <= 1.1x the plain forward; GradCAM >= 3x the attention map;
data loading <= 10% of an epoch.

Usage::

    python scripts/benchmark.py                       # paper: ResNet-50 to layer3 + attention head, 224 px
    python scripts/benchmark.py --cpu --threads 2     # the embedded demo's CPU configuration
    python scripts/benchmark.py --cpu --threads 1 --autocast_dtype none --channels_last false   # its float32 steps
    python scripts/benchmark.py --datalist data/datalists/classification.json --json output/benchmark.json

The Markdown table goes to stdout, progress to the log (stderr).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
from ignite.engine import Events
from ignite.handlers import Timer
from monai.bundle import ConfigParser
from monai.data import load_decathlon_datalist
from monai.networks.utils import eval_mode
from torch.utils.flop_counter import FlopCounterMode

from bundle.data.constants import ISIC_CLASSES
from bundle.data.isic_reader import prepare_isic
from bundle.data.synthetic import SyntheticConfig, SyntheticDermoscopyGenerator
from bundle.maps import AttentionMapSource, GradCAMMapSource
from bundle.networks import AttentionManifoldNet, ResNetClassifier
from bundle.utils import write_json_atomic

logger = logging.getLogger("benchmark")

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
PAPER_CONFIGS = {"manifold": ["train_manifold.yaml"], "classifier": ["train_classifier.yaml"]}
CPU_CONFIGS = {
    "manifold": ["train_manifold.yaml", "cpu_manifold.yaml"],
    "classifier": ["train_classifier.yaml", "cpu_classifier.yaml"],
}
MAX_MAP_OVER_PLAIN = 1.1
MIN_GRADCAM_OVER_MAP = 3.0
MAX_DATA_SHARE = 0.10
MEASURED_EPOCHS = 2  # the second is measured: the first also starts the loader's persistent workers
DEFAULTS = {"repeats": 5, "warmup": 1, "min_time": 30.0, "synthetic_images": 96}
QUICK = {"repeats": 1, "warmup": 1, "min_time": 0.0, "synthetic_images": 21}
QUICK_SYNTHETIC = {"min_width": 32, "max_width": 48}
SYNTHETIC_MIN_PER_CLASS = 8  # one class's share of a class-balanced batch (samples_per_class)
SYNTHETIC_SEGMENTATION_IMAGES = 5  # the ISIC reader wants a Task 1 folder; a few images suffice
ROWS = (
    ("attention_map", "attention map (AttentionMapSource: forward + upsampling)"),
    ("network_forward", "network forward (embedding, map)"),
    ("plain_forward", "plain forward (trunk -> GAP -> linear, no attention)"),
    ("gradcam", "GradCAM (classifier, its last stage: forward + backward)"),
)


class _PlainEmbedding(nn.Module):
    """The manifold network's trunk and embedding layer without the attention module: trunk -> GAP -> linear."""

    def __init__(self, network: AttentionManifoldNet) -> None:
        super().__init__()
        self.trunk = network.trunk
        self.embedding = network.embedding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map images (B, 3, H, W) to embeddings (B, d)."""
        return self.embedding(self.trunk(x).flatten(start_dim=2).mean(dim=2))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; unset options keep the config's (or ``--quick``'s) value."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="store_true", help="use the CPU override configs (cpu_*.yaml)")
    parser.add_argument("--quick", action="store_true", help="1 round after 1 warm-up round, 21 tiny synthetic images")
    parser.add_argument("--image_size", type=int, help="square input size S (config: image_size)")
    parser.add_argument("--depth", type=int, help="manifold trunk depth (config: depth)")
    parser.add_argument("--widen_factor", type=float, help="manifold trunk width multiplier")
    parser.add_argument("--no_max_pool", action="store_const", const=True, help="drop the trunk's stem max pooling")
    parser.add_argument("--classifier_depth", type=int, help="GradCAM classifier depth (config: depth)")
    parser.add_argument("--classifier_widen_factor", type=float, help="GradCAM classifier width multiplier")
    parser.add_argument("--batch_size", type=int, default=8, help="images per timed batch (default 8)")
    parser.add_argument("--repeats", type=int, help=f"timed rounds (default {DEFAULTS['repeats']})")
    parser.add_argument("--warmup", type=int, help=f"untimed rounds first (default {DEFAULTS['warmup']})")
    parser.add_argument("--min_time", type=float, help=f"time rounds this long at least ({DEFAULTS['min_time']:g} s)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--train_batch_size", type=int, help="training batch (config: batch_size)")
    parser.add_argument("--samples_per_class", type=int, help="samples per class in a batch (config)")
    parser.add_argument("--num_workers", type=int, help="loader and cache workers (config: num_workers)")
    parser.add_argument("--autocast_dtype", choices=("bfloat16", "float16", "none"),
                        help="training forward precision (config: autocast_dtype; none: float32)")
    parser.add_argument("--channels_last", choices=("true", "false"), help="channels-last weights (config)")
    parser.add_argument("--datalist", type=str, help="classification.json written by prepare_data.py")
    parser.add_argument("--max_train_images", type=int, help="use at most this many training items")
    parser.add_argument("--synthetic_images", type=int, help="synthetic images without --datalist (default 96)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the inputs, synthetic set and batches")
    parser.add_argument("--json", dest="json_path", type=str, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def resolve_options(args: argparse.Namespace) -> argparse.Namespace:
    """Fill unset run options from ``--quick`` or the defaults and validate them; raise ValueError if bad."""
    resolved = argparse.Namespace(**vars(args))
    preset = QUICK if args.quick else DEFAULTS
    for name, value in preset.items():
        if getattr(resolved, name) is None:
            setattr(resolved, name, value)
    positive = ("batch_size", "repeats", "image_size", "threads", "train_batch_size", "samples_per_class")
    for name in positive + ("max_train_images", "synthetic_images"):
        value = getattr(resolved, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name} must be >= 1, got {value}.")
    for name in ("warmup", "min_time", "num_workers", "seed"):
        value = getattr(resolved, name)
        if value is not None and value < 0:
            raise ValueError(f"--{name} must be >= 0, got {value}.")
    if resolved.datalist is not None and not Path(resolved.datalist).is_file():
        raise ValueError(f"--datalist must be an existing datalist file, got {resolved.datalist!r}.")
    return resolved


def load_config(files: Sequence[str], overrides: dict[str, Any]) -> ConfigParser:
    """Read and merge the bundle ``files`` (later ones override), then set ``overrides`` (None values skipped)."""
    parser = ConfigParser()
    parser.read_config([str(CONFIG_DIR / name) for name in files])
    parser["device"] = "$torch.device('cpu')"
    for key, value in overrides.items():
        if value is not None:
            parser[key] = value
    return parser


def time_per_image(
    functions: dict[str, Callable[[], Any]], batch_size: int, warmup: int, repeats: int, min_time: float
) -> tuple[dict[str, dict[str, float]], int]:
    """Time each function in interleaved rounds, so that load drift hits all alike.

    Returns:
        per function, milliseconds per image: ``median``, quartiles ``q1``/``q3`` and ``min`` over the rounds;
        and the number of timed rounds (at least ``repeats``, more until ``min_time`` seconds have passed).
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    start_all = time.perf_counter()
    rounds = 0
    while rounds < repeats or time.perf_counter() - start_all < min_time:
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            samples[name].append(1000.0 * (time.perf_counter() - start) / batch_size)
        rounds += 1
        logger.info("round %d: %s", rounds, ", ".join(f"{name} {ms[-1]:.1f}" for name, ms in samples.items()))
    return {name: _summary(ms) for name, ms in samples.items()}, rounds


def _summary(values: list[float]) -> dict[str, float]:
    """Median, quartiles and minimum of ``values``."""
    if len(values) == 1:
        return {"median": values[0], "q1": values[0], "q3": values[0], "min": values[0]}
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": median, "q1": q1, "q3": q3, "min": min(values)}


def map_functions(
    network: AttentionManifoldNet, classifier: ResNetClassifier, images: torch.Tensor, rescale: bool = False
) -> dict[str, Callable[[], Any]]:
    """The four timed computations on ``images`` (B, 3, S, S), keyed as in ``ROWS`` (see the module docstring).

    ``rescale`` is ``AttentionMapSource``'s per-image min-max rescaling (config ``map_rescale``).
    """
    attention_source = AttentionMapSource(network, rescale=rescale)
    plain = _PlainEmbedding(network)
    gradcam_source = GradCAMMapSource(classifier.eval(), target_layers=f"trunk.{classifier.trunk.last_layer}")

    def network_forward() -> Any:
        with eval_mode(network):  # the context AttentionMapSource uses: eval mode under no_grad
            return network(images)

    def plain_forward() -> Any:
        with eval_mode(plain):
            return plain(images)

    return {
        "attention_map": lambda: attention_source(images),
        "network_forward": network_forward,
        "plain_forward": plain_forward,
        "gradcam": lambda: gradcam_source(images),
    }


def count_gflops(functions: dict[str, Callable[[], Any]], batch_size: int) -> dict[str, float]:
    """GFLOP per image of each function (convolutions and matrix products, backward included), run once each.

    Unlike times, these do not depend on the machine's load: they tell whether a ratio is noise or structure.
    """
    gflops = {}
    for name, function in functions.items():
        with FlopCounterMode(display=False) as counter:
            function()
        gflops[name] = counter.get_total_flops() / batch_size / 1e9
    return gflops


def synthetic_datalist(root: Path, options: argparse.Namespace) -> str:
    """Generate a small synthetic ISIC set under ``root``, prepare its datalists and return classification.json."""
    config = SyntheticConfig(
        num_classification=options.synthetic_images,
        num_segmentation=SYNTHETIC_SEGMENTATION_IMAGES,
        seed=options.seed,
        min_per_class=min(SYNTHETIC_MIN_PER_CLASS, options.synthetic_images // len(ISIC_CLASSES)),
        **(QUICK_SYNTHETIC if options.quick else {}),
    )
    SyntheticDermoscopyGenerator(config).write(root / "isic", num_workers=min(2, os.cpu_count() or 1))
    summary = prepare_isic(root / "isic", root / "datalists", seed=options.seed, num_workers=1)
    return str(summary["classification"]["datalist"])


def _epoch_timer(engine: Any, resume: Events, pause: Events) -> Timer:
    """An Ignite ``Timer`` of the time between ``resume`` and ``pause`` events, summed over each epoch."""
    timer = Timer().attach(engine, start=Events.EPOCH_STARTED, resume=resume, pause=pause)
    engine.add_event_handler(Events.EPOCH_STARTED, timer.pause)  # its reset leaves it running until a pause
    return timer


def measure_epoch(parser: ConfigParser, data: list[dict[str, Any]]) -> dict[str, float]:
    """Run two training epochs of the parsed ``train#trainer`` on ``data``; return the second's time split (s).

    The second epoch is the steady state of a training run; the first also starts the loader's workers (once per
    run, as they persist across epochs), reported apart as ``first_epoch_s`` / ``first_data_wait_s``.
    """
    parser["train#dataset#data"] = data
    start = time.perf_counter()
    parser.get_parsed_content("train#dataset")
    cache_s = time.perf_counter() - start
    trainer = parser.get_parsed_content("train#trainer")
    timers = {
        "data_wait_s": _epoch_timer(trainer, Events.GET_BATCH_STARTED, Events.GET_BATCH_COMPLETED),
        "step_s": _epoch_timer(trainer, Events.ITERATION_STARTED, Events.ITERATION_COMPLETED),
    }
    epochs: list[dict[str, float]] = []

    @trainer.on(Events.EPOCH_COMPLETED)
    def _record(engine: Any) -> None:
        epochs.append({"epoch_s": engine.state.times["EPOCH_COMPLETED"], **{k: t.value() for k, t in timers.items()}})

    trainer.run()  # max_epochs = MEASURED_EPOCHS (build_parsers)
    first, steady = epochs[0], epochs[-1]
    return {
        "images": len(data),
        "iterations": int(trainer.state.epoch_length),
        "cache_s": cache_s,
        "first_epoch_s": first["epoch_s"],
        "first_data_wait_s": first["data_wait_s"],
        **steady,
        "data_share": steady["data_wait_s"] / steady["epoch_s"] if steady["epoch_s"] > 0 else 0.0,
    }


def evaluate_targets(
    per_image_ms: dict[str, float], epoch: dict[str, float], gflops: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """The three targets of the issue with their measured value, PASS/MISS and, for cost ratios, the FLOP ratio."""
    flop_ratios = [None, None] if gflops is None else [_map_over_plain(gflops), _gradcam_over_map(gflops)]
    return [
        _target(
            "attention map / plain forward", _map_over_plain(per_image_ms), f"<= {MAX_MAP_OVER_PLAIN:g}x",
            MAX_MAP_OVER_PLAIN, flop_ratios[0],
        ),
        _target(
            "GradCAM / attention map", _gradcam_over_map(per_image_ms), f">= {MIN_GRADCAM_OVER_MAP:g}x",
            MIN_GRADCAM_OVER_MAP, flop_ratios[1],
        ),
        _target("data loading / epoch", epoch["data_share"], f"<= {MAX_DATA_SHARE:.0%}", MAX_DATA_SHARE, None),
    ]


def format_markdown(results: dict[str, Any]) -> str:
    """Render the results as Markdown: settings, per-image costs, the epoch split and the targets."""
    settings, machine, ms, epoch = results["settings"], results["machine"], results["per_image_ms"], results["epoch"]
    lines = [
        f"## Benchmark ({settings['preset']}: {settings['manifold']}, GradCAM on {settings['classifier']}, "
        f"{settings['image_size']} px, batch {settings['batch_size']}, {settings['rounds']} rounds)",
        "",
        f"torch {machine['torch']}, {machine['torch_threads']} torch threads, os.cpu_count() = "
        f"{machine['cpu_count']}, load average {machine['load_before']:.2f} before / {machine['load_after']:.2f} after",
        "",
        "| measurement | ms / image (median) | quartiles | x attention map | GFLOP / image | x map (FLOPs) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    spread, gflop = results["per_image_spread"], results["per_image_gflop"]
    for key, label in ROWS:
        quartiles = f"{spread[key]['q1']:.1f} - {spread[key]['q3']:.1f}"
        flops = f"{gflop[key]:.3f} | {gflop[key] / gflop['attention_map']:.2f}"
        lines.append(f"| {label} | {ms[key]:.1f} | {quartiles} | {ms[key] / ms['attention_map']:.2f} | {flops} |")
    lines += [
        "",
        f"Epoch ({epoch['images']} images, {epoch['iterations']} batches of {settings['train_batch_size']}, "
        f"{settings['num_workers']} workers, training forward in {settings['autocast_dtype'] or 'float32'}"
        f"{', channels-last weights' if settings['channels_last'] else ''}): {epoch['epoch_s']:.2f} s, "
        f"waiting for data {epoch['data_wait_s']:.2f} s, "
        f"training steps {epoch['step_s']:.2f} s (second epoch); "
        f"once per run: cache filled in {epoch['cache_s']:.2f} s, first epoch {epoch['first_epoch_s']:.2f} s "
        f"of which {epoch['first_data_wait_s']:.2f} s waiting for data (workers starting).",
        "",
        "| target | measured | goal | status | by FLOPs |",
        "|---|---:|---:|---|---:|",
    ]
    for target in results["targets"]:
        value = f"{target['value']:.1%}" if target["goal"].endswith("%") else f"{target['value']:.2f}x"
        flops = "-" if target["by_flops"] is None else f"{target['by_flops']:.2f}x"
        lines.append(f"| {target['name']} | {value} | {target['goal']} | {target['status']} | {flops} |")
    return "\n".join(lines)


def build_parsers(options: argparse.Namespace) -> tuple[ConfigParser, ConfigParser]:
    """The manifold and classifier configs of the preset, with the command line's overrides and two epochs."""
    configs = CPU_CONFIGS if options.cpu else PAPER_CONFIGS
    size_override = None if options.image_size is None else [options.image_size, options.image_size]
    manifold_parser = load_config(
        configs["manifold"],
        {
            "image_size": size_override,
            "depth": options.depth,
            "widen_factor": options.widen_factor,
            "no_max_pool": options.no_max_pool,
            "batch_size": options.train_batch_size,
            "samples_per_class": options.samples_per_class,
            "num_workers": options.num_workers,
            "autocast_dtype": "$None" if options.autocast_dtype == "none" else options.autocast_dtype,
            "channels_last": None if options.channels_last is None else options.channels_last == "true",
            "seed": options.seed,
            "max_epochs": MEASURED_EPOCHS,
            "train#handlers": [],
        },
    )
    classifier_parser = load_config(
        configs["classifier"], {"depth": options.classifier_depth, "widen_factor": options.classifier_widen_factor}
    )
    return manifold_parser, classifier_parser


def run_benchmark(options: argparse.Namespace) -> dict[str, Any]:
    """Measure everything described in the module docstring; return the results as a JSON-ready dict."""
    if options.threads is not None:
        torch.set_num_threads(options.threads)
    load_before = os.getloadavg()[0]
    manifold_parser, classifier_parser = build_parsers(options)
    size = int(manifold_parser["image_size"][0])
    map_rescale = bool(manifold_parser.get("map_rescale", False))
    network = manifold_parser.get_parsed_content("network")
    classifier = classifier_parser.get_parsed_content("network")
    logger.info("timing per-image costs at %d px with %d torch threads", size, torch.get_num_threads())
    images = torch.randn(options.batch_size, 3, size, size, generator=torch.Generator().manual_seed(options.seed))
    functions = map_functions(network, classifier, images, rescale=map_rescale)
    gflops = count_gflops(functions, options.batch_size)
    timings, rounds = time_per_image(functions, options.batch_size, options.warmup, options.repeats, options.min_time)
    per_image_ms = {name: stats["median"] for name, stats in timings.items()}

    with tempfile.TemporaryDirectory(prefix="benchmark_") as tmp:
        datalist = options.datalist or synthetic_datalist(Path(tmp), options)
        data = load_decathlon_datalist(datalist, data_list_key="training")[: options.max_train_images]
        logger.info("timing two training epochs on %d images from %s", len(data), datalist)
        epoch = measure_epoch(manifold_parser, data)

    results = {
        "settings": {
            "preset": "cpu" if options.cpu else "paper",
            "configs": CPU_CONFIGS if options.cpu else PAPER_CONFIGS,
            "manifold": _describe(manifold_parser, "AttentionManifoldNet"),
            "classifier": _describe(classifier_parser, "ResNet classifier"),
            "image_size": size,
            "map_rescale": map_rescale,
            "batch_size": options.batch_size,
            "rounds": rounds,
            "warmup": options.warmup,
            "train_batch_size": int(manifold_parser["batch_size"]),
            "num_workers": int(manifold_parser["num_workers"]),
            "autocast_dtype": manifold_parser.get_parsed_content("autocast_dtype"),
            "channels_last": bool(manifold_parser.get_parsed_content("channels_last")),
            "datalist": options.datalist or "synthetic",
        },
        "machine": {
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count(),
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        },
        "per_image_ms": per_image_ms,
        "per_image_spread": {name: _without(stats, "median") for name, stats in timings.items()},
        "per_image_gflop": gflops,
        "ratios": {
            "map_over_plain_forward": _map_over_plain(per_image_ms),
            "map_over_network_forward": per_image_ms["attention_map"] / per_image_ms["network_forward"],
            "gradcam_over_map": _gradcam_over_map(per_image_ms),
        },
        "epoch": epoch,
        "targets": evaluate_targets(per_image_ms, epoch, gflops),
    }
    return results


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Command-line entry: run the benchmark, print the Markdown table, optionally write JSON; return the results."""
    options = resolve_options(parse_args(argv))
    results = run_benchmark(options)
    print(format_markdown(results))
    if options.json_path:
        write_json_atomic(options.json_path, results)
        logger.info("results written to %s", options.json_path)
    return results


def _without(stats: dict[str, float], key: str) -> dict[str, float]:
    return {name: value for name, value in stats.items() if name != key}


def _map_over_plain(costs: dict[str, float]) -> float:
    return costs["attention_map"] / costs["plain_forward"]


def _gradcam_over_map(costs: dict[str, float]) -> float:
    return costs["gradcam"] / costs["attention_map"]


def _target(name: str, value: float, goal: str, bound: float, flop_ratio: float | None) -> dict[str, Any]:
    """One target; ``goal`` starts with "<=" (an upper bound) or ">=" (a lower bound)."""
    passed = value <= bound if goal.startswith("<=") else value >= bound
    return {"name": name, "value": value, "goal": goal, "status": "PASS" if passed else "MISS", "by_flops": flop_ratio}


def _describe(parser: ConfigParser, kind: str) -> str:
    """Short description of a configured network, e.g. ``AttentionManifoldNet depth 50 x1``."""
    no_max_pool = ", no max-pool" if parser.get("no_max_pool", False) else ""
    return f"{kind} depth {parser['depth']} x{float(parser['widen_factor']):g}{no_max_pool}"


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()
