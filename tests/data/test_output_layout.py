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
"""Tests of output_layout: where every stage's datalists, folders and per-image files are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle.data.output_layout import (
    datalist_path,
    full_supervision_datalist,
    map_path,
    mask_path,
    predictions_dir,
    proxy_datalist,
    proxy_dir,
)


@pytest.mark.parametrize(
    "function, args, expected",
    [
        (datalist_path, ("/d", "classification"), "/d/classification.json"),
        (datalist_path, ("/d", "segmentation"), "/d/segmentation.json"),
        (proxy_dir, ("/out", "dcml"), "/out/proxy/dcml"),
        (proxy_datalist, ("/out/proxy/dcml",), "/out/proxy/dcml/datalist.json"),
        (predictions_dir, ("/out", "ml"), "/out/predictions/ml"),
        (full_supervision_datalist, ("/out",), "/out/full_supervision/datalist.json"),
        (mask_path, ("/out", "/data/ISIC_1.jpg"), "/out/ISIC_1_mask.png"),
        (map_path, ("/out", "/data/ISIC_1.nii.gz"), "/out/ISIC_1_map.png"),
        (map_path, ("/out", "/data/ISIC_1.png", "nii.gz"), "/out/ISIC_1_map.nii.gz"),
    ],
)
def test_stage_locations(function, args, expected):
    assert function(*args) == Path(expected)


@pytest.mark.parametrize("call", [lambda: datalist_path("/d", "segmentation.json"),
                                  lambda: map_path("/o", "a.png", "jpg")])
def test_unknown_kinds_are_refused(call):
    with pytest.raises(ValueError, match="must be one of"):
        call()
