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
"""scripts/benchmark.py: a tiny quick run end to end, the plain-forward path, the targets and bad options."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from bundle.networks import AttentionManifoldNet

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "benchmark.py"
SPEC = importlib.util.spec_from_file_location("benchmark", SCRIPT)
benchmark = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(benchmark)

TINY = ["--quick", "--cpu", "--image_size", "32", "--depth", "10", "--widen_factor", "0.25", "--batch_size", "2",
        "--classifier_widen_factor", "0.25", "--train_batch_size", "8", "--samples_per_class", "2"]
TIMED = ("attention_map", "network_forward", "plain_forward", "gradcam")


@pytest.fixture
def restore_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_quick_run_reports_every_measurement(tmp_path, capsys, restore_threads):
    out = tmp_path / "bench.json"
    # one thread: tiny tensors gain nothing from two, and lose a lot when other jobs hold the cores
    results = benchmark.main([*TINY, "--threads", "1", "--json", str(out)])
    assert set(results["per_image_ms"]) == set(TIMED)
    assert all(results["per_image_ms"][key] > 0 for key in TIMED)
    assert all(value > 0 for value in results["ratios"].values())
    for key in TIMED:
        spread = results["per_image_spread"][key]
        assert 0 < spread["min"] <= spread["q1"] <= results["per_image_ms"][key] <= spread["q3"]
    assert results["settings"]["rounds"] == 1
    gflop = results["per_image_gflop"]
    # the map is the network's own output (upsampling counts no FLOPs); the attention head adds to the plain path
    assert gflop["attention_map"] == gflop["network_forward"] > gflop["plain_forward"] > 0
    assert results["targets"][0]["by_flops"] == pytest.approx(gflop["attention_map"] / gflop["plain_forward"])
    epoch = results["epoch"]
    assert epoch["iterations"] == math.ceil(epoch["images"] / 8) >= 1
    assert epoch["epoch_s"] > 0 and 0 < epoch["data_wait_s"] < epoch["epoch_s"]
    assert epoch["data_share"] == pytest.approx(epoch["data_wait_s"] / epoch["epoch_s"])
    assert epoch["first_epoch_s"] > 0 and 0 < epoch["first_data_wait_s"] < epoch["first_epoch_s"]
    assert 0 < epoch["step_s"] and epoch["data_wait_s"] + epoch["step_s"] <= epoch["epoch_s"]  # disjoint parts
    assert [t["status"] in ("PASS", "MISS") for t in results["targets"]] == [True] * 3
    assert results["settings"]["image_size"] == 32 and results["settings"]["train_batch_size"] == 8
    assert results["machine"]["torch_threads"] == 1
    assert json.loads(out.read_text()) == json.loads(json.dumps(results))
    printed = capsys.readouterr().out
    assert printed.count("| attention map (AttentionMapSource") == 1
    assert printed.count("| PASS |") + printed.count("| MISS |") == 3


def test_plain_forward_is_the_network_with_a_constant_attention():
    torch.manual_seed(0)
    net = AttentionManifoldNet(depth=10, widen_factor=0.25, embedding_dim=8).eval()
    torch.nn.init.constant_(net.attention[-2].bias, 50.0)  # sigmoid(50) == 1: attention pooling becomes plain GAP
    images = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        embedding, attention = net(images)
        plain = benchmark._PlainEmbedding(net)(images)
    assert torch.all(attention == 1.0)
    assert plain.shape == (2, 8)
    torch.testing.assert_close(F.normalize(plain, dim=1), embedding)


@pytest.mark.parametrize(
    "ms, share, values, statuses",
    [
        ({"attention_map": 11.0, "plain_forward": 10.0, "gradcam": 33.0}, 0.10, [1.1, 3.0, 0.10], ["PASS"] * 3),
        ({"attention_map": 12.0, "plain_forward": 10.0, "gradcam": 24.0}, 0.25, [1.2, 2.0, 0.25], ["MISS"] * 3),
    ],
)
def test_targets(ms, share, values, statuses):
    targets = benchmark.evaluate_targets(ms, {"data_share": share})
    assert [t["value"] for t in targets] == pytest.approx(values)
    assert [t["status"] for t in targets] == statuses


@pytest.mark.parametrize(
    "argv",
    [
        ["--batch_size", "0"],
        ["--repeats", "0"],
        ["--warmup", "-1"],
        ["--min_time", "-1"],
        ["--threads", "0"],
        ["--image_size", "0"],
        ["--synthetic_images", "0"],
        ["--datalist", "/nonexistent/classification.json"],
    ],
)
def test_ill_options(argv):
    with pytest.raises(ValueError, match=argv[0]):
        benchmark.resolve_options(benchmark.parse_args(argv))


def test_quick_fills_only_unset_options():
    options = benchmark.resolve_options(benchmark.parse_args(["--quick", "--repeats", "3"]))
    assert options.repeats == 3
    assert options.warmup == benchmark.QUICK["warmup"]
    assert options.synthetic_images == benchmark.QUICK["synthetic_images"]


@pytest.mark.parametrize(
    "values, expected",
    [
        ([5.0], {"median": 5.0, "q1": 5.0, "q3": 5.0, "min": 5.0}),
        ([5.0, 1.0, 3.0, 2.0, 4.0], {"median": 3.0, "q1": 2.0, "q3": 4.0, "min": 1.0}),
    ],
)
def test_summary(values, expected):
    assert benchmark._summary(values) == pytest.approx(expected)


@pytest.mark.parametrize("argv, dtype, channels_last", [
    (["--autocast_dtype", "none", "--channels_last", "false"], None, False),
    (["--autocast_dtype", "bfloat16", "--channels_last", "true"], torch.bfloat16, True),
])
def test_precision_options_reach_the_trainers_inferer_and_weights(argv, dtype, channels_last):
    options = benchmark.resolve_options(benchmark.parse_args(["--cpu", "--depth", "10", *argv]))
    manifold, _ = benchmark.build_parsers(options)
    assert manifold.get_parsed_content("train#inferer").dtype == dtype
    weight = manifold.get_parsed_content("network").trunk.conv1.weight
    assert weight.is_contiguous(memory_format=torch.channels_last) == channels_last
