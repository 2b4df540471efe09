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
"""Tests of the choice of a device's native reduced precision."""

from __future__ import annotations

import pytest
import torch

from bundle.utils.mixed_precision import native_autocast_dtype


@pytest.mark.parametrize("amx, expected", [(True, "bfloat16"), (False, None)])
def test_a_cpu_gets_bfloat16_only_with_amx(monkeypatch, amx, expected):
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert native_autocast_dtype("cpu") == expected
    assert native_autocast_dtype(torch.device("cpu")) == expected


def test_a_torch_without_the_amx_query_falls_back_to_float32(monkeypatch):
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    assert native_autocast_dtype("cpu") is None


@pytest.mark.parametrize("bf16, expected", [(True, "bfloat16"), (False, None)])
def test_a_gpu_gets_bfloat16_where_it_supports_it(monkeypatch, bf16, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: bf16)
    assert native_autocast_dtype("cuda:1") == expected


def test_other_devices_stay_in_float32():
    assert native_autocast_dtype("meta") is None
