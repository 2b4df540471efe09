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
"""Tests of the mixed-precision inferer: what runs in reduced precision, what comes back, what is refused."""

from __future__ import annotations

import pytest
import torch
from monai.inferers import Inferer

from bundle.engines.autocast_inferer import AutocastInferer


class RecordingNet(torch.nn.Module):
    """A convolution and a linear layer; ``dtypes`` records the dtype each produced at the last call. Returns a
    nested output: ``(logits (B, 2), {"map": (B, 1, H, W), "index": (B,) int64})``."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 1, 3, padding=1)
        self.fc = torch.nn.Linear(1, 2)
        self.dtypes: dict[str, torch.dtype] = {}

    def forward(self, x: torch.Tensor):
        feature_map = self.conv(x)
        logits = self.fc(feature_map.mean(dim=(2, 3)))
        self.dtypes = {"conv": feature_map.dtype, "fc": logits.dtype}
        return logits, {"map": feature_map, "index": torch.arange(len(x))}


class ScalingInferer(Inferer):
    """Calls the network on ``scale * inputs``, to show that the wrapped inferer is used with its arguments."""

    def __call__(self, inputs, network, scale=1.0):
        return network(inputs * scale)


def _inputs() -> torch.Tensor:
    return torch.linspace(-1, 1, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4)


@pytest.mark.parametrize("dtype, expected", [("bfloat16", torch.bfloat16), (torch.bfloat16, torch.bfloat16),
                                             ("torch.float16", torch.float16)])
def test_the_forward_runs_in_reduced_precision_and_returns_float32(dtype, expected):
    torch.manual_seed(0)
    network = RecordingNet()
    logits, extra = AutocastInferer(dtype)(_inputs(), network)
    assert network.dtypes == {"conv": expected, "fc": expected}
    assert logits.dtype == extra["map"].dtype == torch.float32
    assert extra["index"].dtype == torch.int64  # integer outputs are left alone
    reference, _ = network(_inputs())
    torch.testing.assert_close(logits, reference, atol=2e-2, rtol=2e-2)  # the same computation, rounded


def test_no_dtype_is_the_plain_forward():
    torch.manual_seed(0)
    network = RecordingNet()
    logits, _ = AutocastInferer(None)(_inputs(), network)
    assert network.dtypes == {"conv": torch.float32, "fc": torch.float32}
    assert torch.equal(logits, network(_inputs())[0])


def test_gradients_reach_the_float32_weights():
    torch.manual_seed(0)
    network = RecordingNet()
    logits, _ = AutocastInferer()(_inputs(), network)
    logits.sum().backward()
    assert network.conv.weight.dtype == network.conv.weight.grad.dtype == torch.float32
    assert network.conv.weight.grad.abs().sum() > 0


def test_the_wrapped_inferer_gets_the_arguments():
    torch.manual_seed(0)
    network = RecordingNet()
    logits, _ = AutocastInferer(None, inferer=ScalingInferer())(_inputs(), network, scale=0.0)
    assert torch.equal(logits, network(torch.zeros(2, 3, 4, 4))[0])


@pytest.mark.parametrize("dtype", ["float32", "int8", torch.float64, "bf16"])
def test_other_dtypes_are_refused(dtype):
    with pytest.raises(ValueError, match="dtype must be one of"):
        AutocastInferer(dtype)
