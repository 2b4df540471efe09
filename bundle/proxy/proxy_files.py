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
"""Naming, resuming and listing the files of proxy generation."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from monai.data import load_decathlon_datalist

from bundle.data.output_layout import (  # noqa: F401  (map_path and the suffixes: re-exported for the proxy stage)
    MAP_SUFFIX,
    MAP_SUFFIXES,
    MASK_SUFFIX,
    datalist_path,
    map_path,
    mask_path,
    proxy_datalist,
)
from bundle.utils import write_json_atomic


def load_items(datalist_dir: str | os.PathLike, sources: Sequence[Sequence[str]]) -> list[dict]:
    """The images of several datalist sections as ``{"image": path}`` items (labels and masks dropped, so that
    classification and segmentation items batch together); ``sources`` lists (datalist kind, section) pairs, the
    kind being ``classification`` or ``segmentation`` (``bundle.data.output_layout.DATALISTS``)."""
    items: list[dict] = []
    for kind, key in sources:
        section = load_decathlon_datalist(str(datalist_path(datalist_dir, kind)), data_list_key=key)
        items.extend({"image": item["image"]} for item in section)
    return items


def pending_items(items: Sequence[dict], out_dir: str | os.PathLike, image_key: str = "image") -> list[dict]:
    """The items whose proxy mask is not written yet: what a resumed run still has to do."""
    return [item for item in items if not mask_path(out_dir, item[image_key]).is_file()]


def write_proxy_datalist(
    out_dir: str | os.PathLike, datalist_dir: str | os.PathLike, sections: dict[str, Sequence[Sequence[str]]]
) -> Path:
    """Write the proxy folder's datalist (``output_layout.proxy_datalist``) of (image, proxy mask) pairs, ``label``
    being the mask as MONAI Label expects.

    Args:
        out_dir: the proxy folder.
        datalist_dir: folder of the source datalists.
        sections: output section -> list of (datalist kind, key) sources, e.g.
            ``{"training": [("classification", "training")], "validation": [("classification", "test")]}``.

    Raises:
        FileNotFoundError: naming the first image whose proxy mask is missing.
    """
    result: dict[str, list[dict]] = {}
    for section, sources in sections.items():
        pairs = []
        for item in load_items(datalist_dir, sources):
            mask = mask_path(out_dir, item["image"])
            if not mask.is_file():
                raise FileNotFoundError(f"{item['image']}: no proxy mask at {mask}; run the proxy generation first.")
            pairs.append({"image": item["image"], "label": str(mask)})
        result[section] = pairs
    return write_json_atomic(proxy_datalist(out_dir), result)


def seed_map_items(proxy_folder: str | os.PathLike, section: str = "training") -> list[dict]:
    """The (image, proxy mask, map) items of one section of a proxy folder's datalist: what a deep graph cut network
    trains on (its seeds come from the map, written by the proxy stage as ``<id>_map.png``).

    Raises:
        FileNotFoundError: naming the datalist, or the first image whose map is missing.
    """
    datalist = proxy_datalist(proxy_folder)
    if not datalist.is_file():
        raise FileNotFoundError(f"{datalist}: no proxy datalist; run the proxy generation of this map source first.")
    items = load_decathlon_datalist(str(datalist), data_list_key=section)
    for item in items:
        item["map"] = str(map_path(proxy_folder, item["image"]))
        if not Path(item["map"]).is_file():
            raise FileNotFoundError(f"{item['image']}: no map at {item['map']}; run the proxy generation first.")
    return items
