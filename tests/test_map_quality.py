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
"""scripts/map_quality.py: equal-area scoring of written maps computed by hand, its table and bad options (the
training loop is the bundle's own workflows, run by the integration tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from bundle.evaluation import CentredDiskBaseline
from bundle.proxy.proxy_files import map_path
from bundle.utils import save_png_atomic

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "map_quality.py"
SPEC = importlib.util.spec_from_file_location("map_quality", SCRIPT)
map_quality = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(map_quality)

SHAPE = (12, 16)


def _item(tmp_path: Path, name: str, score: np.ndarray, truth: np.ndarray) -> dict:
    """An item whose mask is ``truth`` and whose 16-bit map in ``tmp_path / 'maps'`` is ``score`` in [0, 1]."""
    image = tmp_path / f"{name}.jpg"  # only its name is used
    save_png_atomic(truth.astype(np.uint8) * 255, tmp_path / f"{name}_segmentation.png")
    save_png_atomic((score * 65535).astype(np.uint16), map_path(tmp_path / "maps", image))
    return {"image": str(image), "mask": str(tmp_path / f"{name}_segmentation.png")}


def test_equal_area_dice_by_hand(tmp_path):
    disk = CentredDiskBaseline(radius_fraction=map_quality.DISK_RADIUS_FRACTION)(np.zeros(SHAPE, dtype=bool))
    # the true masks are the disk: the disk scores 1; a map lit on the disk 1, one lit everywhere else 0
    items = [_item(tmp_path, "on", disk.astype(float), disk), _item(tmp_path, "off", 1.0 - disk, disk)]
    assert map_quality.equal_area_dice(items, tmp_path / "maps") == {"maps": 0.5, "disk": 1.0}


def test_missing_map_is_named(tmp_path):
    item = _item(tmp_path, "a", np.zeros(SHAPE), np.ones(SHAPE, dtype=bool))
    map_path(tmp_path / "maps", item["image"]).unlink()
    with pytest.raises(FileNotFoundError, match="a_map.png"):
        map_quality.equal_area_dice([item], tmp_path / "maps")


def test_map_of_another_shape_is_named(tmp_path):
    item = _item(tmp_path, "a", np.zeros((SHAPE[1], SHAPE[0])), np.ones(SHAPE, dtype=bool))
    with pytest.raises(ValueError, match=r"a_map.png has shape \(16, 12\)"):
        map_quality.equal_area_dice([item], tmp_path / "maps")


def test_table_has_a_row_per_seed_and_the_mean():
    results = [{"seed": 0, "one pass": 0.5, "flips": 0.6, "disk": 0.7}, {"seed": 1, "one pass": 0.7, "flips": 0.8,
                                                                         "disk": 0.7}]
    lines = map_quality.table(results).splitlines()
    assert lines[0] == "| seed | one pass | flips | disk |"
    assert lines[2:] == ["| 0 | 0.500 | 0.600 | 0.700 |", "| 1 | 0.700 | 0.800 | 0.700 |",
                         "| mean | 0.600 | 0.700 | 0.700 |"]


@pytest.mark.parametrize("argv, message", [(["--jobs", "0"], "--jobs"), (["--configs", "nope.yaml"], "nope.yaml")])
def test_bad_options_stop_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        map_quality.parse_args(argv)
    assert message in capsys.readouterr().err


def test_data_of_other_options_is_not_reused(tmp_path):
    options = map_quality.parse_args(["--num_classification", "56", "--min_width", "32", "--max_width", "40"])
    datalist_dir = map_quality.make_data(tmp_path, options)
    assert (datalist_dir / "classification.json").is_file()
    assert map_quality.make_data(tmp_path, options) == datalist_dir  # same options: reused
    options.max_width = 48
    with pytest.raises(SystemExit, match="other options"):
        map_quality.make_data(tmp_path, options)


def test_bad_set_options_stop_with_a_message(tmp_path):
    with pytest.raises(SystemExit, match="min_per_class"):
        map_quality.make_data(tmp_path, map_quality.parse_args(["--num_classification", "14"]))
