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
"""Tests of proxy file naming, resuming (pending items) and the proxy datalist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bundle.proxy.proxy_files import load_items, map_path, mask_path, pending_items, write_proxy_datalist
from bundle.utils import write_json_atomic


@pytest.mark.parametrize(
    "image, mask_name, map_name",
    [
        ["/d/ISIC_0000001.jpg", "ISIC_0000001_mask.png", "ISIC_0000001_map.png"],
        ["x/s.nii.gz", "s_mask.png", "s_map.png"],
    ],
)
def test_paths(tmp_path, image, mask_name, map_name):
    assert mask_path(tmp_path, image) == tmp_path / mask_name
    assert map_path(tmp_path, image) == tmp_path / map_name


@pytest.mark.parametrize("map_format, name", [["png", "ISIC_1_map.png"], ["nii.gz", "ISIC_1_map.nii.gz"]])
def test_map_path_per_format(tmp_path, map_format, name):
    assert map_path(tmp_path, "/d/ISIC_1.jpg", map_format) == tmp_path / name


def test_map_path_unknown_format_raises(tmp_path):
    with pytest.raises(ValueError, match="map_format"):
        map_path(tmp_path, "/d/ISIC_1.jpg", "tiff")


def _sources(tmp_path: Path) -> list[str]:
    """classification.json (images with int labels) and segmentation.json (images with masks)."""
    img = [str(tmp_path / "img" / f"ISIC_{i}.jpg") for i in range(5)]
    write_json_atomic(
        tmp_path / "classification.json",
        {
            "training": [{"image": img[0], "label": 3}, {"image": img[1], "label": 0}],
            "test": [{"image": img[2], "label": 1}],
        },
    )
    write_json_atomic(
        tmp_path / "segmentation.json",
        {"training": [{"image": img[3], "mask": "/m/3.png"}], "validation": [{"image": img[4], "mask": "/m/4.png"}]},
    )
    return img


def test_load_items_keeps_only_image(tmp_path):
    img = _sources(tmp_path)
    items = load_items(tmp_path, [("classification", "training"), ("segmentation", "validation")])
    assert items == [{"image": img[0]}, {"image": img[1]}, {"image": img[4]}]


def test_load_items_refuses_an_unknown_datalist_kind(tmp_path):
    with pytest.raises(ValueError, match="datalist kind must be one of"):
        load_items(tmp_path, [("classification.json", "training")])


def test_pending_items_skips_written_masks(tmp_path):
    out = tmp_path / "proxy"
    out.mkdir()
    items = [{"image": "/d/a.jpg"}, {"image": "/d/b.jpg"}, {"image": "/d/c.jpg"}]
    mask_path(out, "/d/b.jpg").write_bytes(b"")
    map_path(out, "/d/c.jpg").write_bytes(b"")  # a map alone does not finish an image: the mask is written last
    assert pending_items(items, out) == [{"image": "/d/a.jpg"}, {"image": "/d/c.jpg"}]


def test_pending_items_custom_key(tmp_path):
    mask_path(tmp_path, "/d/a.jpg").write_bytes(b"")
    assert pending_items([{"img": "/d/a.jpg"}, {"img": "/d/b.jpg"}], tmp_path, image_key="img") == [{"img": "/d/b.jpg"}]


def test_write_proxy_datalist_pairs_images_with_masks(tmp_path):
    img = _sources(tmp_path)
    out = tmp_path / "proxy"
    out.mkdir()
    for path in img:
        mask_path(out, path).write_bytes(b"")
    sections = {
        "training": [("classification", "training"), ("segmentation", "training")],
        "validation": [("classification", "test")],
    }
    written = write_proxy_datalist(out, tmp_path, sections)
    assert written == out / "datalist.json"
    content = json.loads(written.read_text())
    assert content == {
        "training": [{"image": img[i], "label": str(out / f"ISIC_{i}_mask.png")} for i in (0, 1, 3)],
        "validation": [{"image": img[2], "label": str(out / "ISIC_2_mask.png")}],
    }


def test_write_proxy_datalist_missing_mask_names_image(tmp_path):
    img = _sources(tmp_path)
    out = tmp_path / "proxy"
    out.mkdir()
    mask_path(out, img[0]).write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="ISIC_1.jpg"):
        write_proxy_datalist(out, tmp_path, {"training": [("classification", "training")]})
    assert not (out / "datalist.json").exists()
