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
"""Tests of Table1Evaluation on three tiny images: method folders, a baseline, the tables and the figure."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bundle.evaluation import CentredDiskBaseline, Table1Evaluation
from bundle.utils import write_json_atomic

WIDTH, HEIGHT = 24, 16
TILE = 128


def _write_png(array: np.ndarray, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return str(path)


def _dataset(tmp_path: Path) -> dict:
    """Three RGB images whose ground truth is the centred disk; validation: 2 images, test: 1."""
    rng = np.random.default_rng(0)
    disk = CentredDiskBaseline()(np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8))
    items = []
    for i in range(3):
        image = _write_png(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8), tmp_path / "img" / f"ISIC_{i}.jpg")
        mask = _write_png(disk.astype(np.uint8) * 255, tmp_path / "gt" / f"ISIC_{i}_segmentation.png")
        items.append({"image": image, "mask": mask})
    write_json_atomic(tmp_path / "segmentation.json", {"training": [], "validation": items[:2], "test": items[2:]})
    return {"items": items, "datalist": tmp_path / "segmentation.json"}


def _method_folders(tmp_path: Path, items: list[dict]) -> tuple[Path, Path]:
    """A perfect folder (copies of the ground truth) and an empty one (all-background masks)."""
    perfect, empty = tmp_path / "perfect", tmp_path / "empty"
    for i, item in enumerate(items):
        perfect.mkdir(exist_ok=True)
        shutil.copy(item["mask"], perfect / f"ISIC_{i}_mask.png")
        _write_png(np.zeros((HEIGHT, WIDTH), dtype=np.uint8), empty / f"ISIC_{i}_mask.png")
    return perfect, empty


def test_table_csv_and_figure(tmp_path):
    data = _dataset(tmp_path)
    perfect, empty = _method_folders(tmp_path, data["items"])
    out = tmp_path / "eval"
    evaluation = Table1Evaluation(
        data["datalist"],
        out,
        methods=[("Perfect", perfect, perfect), ("Empty", empty, None)],
        baselines={"Centred disk": CentredDiskBaseline()},
        baseline_dir=tmp_path / "baselines",
        notes="toy data",
    )
    evaluation.run()

    markdown = (out / "table1.md").read_text()
    with Image.open(out / "dice_per_image.png") as strips:  # one strip per cell of the test split
        assert strips.height == 2 * 24 + 4 * 28  # disk, Perfect map, Perfect U-net, Empty map
    assert "| Perfect | 100.00 | 100.00 | 100.00 | 100.00 |" in markdown
    assert "| Empty | 0.00 (collapsed: 100% empty) | - | 0.00 (collapsed: 100% empty) | - |" in markdown
    assert "| Centred disk | 100.00 | - | 100.00 | - |" in markdown  # the ground truth is that very disk
    assert markdown.rstrip().endswith("toy data")

    with open(out / "table1.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    dice = {
        (r["method"], r["split"], r["kind"]): (float(r["mean"]), int(r["n"])) for r in rows if r["metric"] == "dice"
    }
    assert dice == {
        ("Centred disk", "validation", "init_maps"): (1.0, 2),
        ("Perfect", "validation", "init_maps"): (1.0, 2),
        ("Perfect", "validation", "unet"): (1.0, 2),
        ("Empty", "validation", "init_maps"): (0.0, 2),
        ("Centred disk", "test", "init_maps"): (1.0, 1),
        ("Perfect", "test", "init_maps"): (1.0, 1),
        ("Perfect", "test", "unet"): (1.0, 1),
        ("Empty", "test", "init_maps"): (0.0, 1),
    }

    written = sorted(p.name for p in (tmp_path / "baselines" / "Centred disk").iterdir())
    assert written == ["ISIC_0_mask.png", "ISIC_1_mask.png", "ISIC_2_mask.png"]

    # columns: image, Perfect map, Perfect U-net, Empty map, ground truth; one row: the single test image
    with Image.open(out / "figure.png") as figure:
        assert figure.size == (5 * TILE, 20 + 1 * TILE)


def test_single_split_and_figure_rows(tmp_path):
    data = _dataset(tmp_path)
    perfect, _ = _method_folders(tmp_path, data["items"])
    out = tmp_path / "eval"
    Table1Evaluation(
        data["datalist"], out, methods=[["Perfect", None, perfect]], splits=["validation"], figure_split="validation"
    ).run()
    markdown = (out / "table1.md").read_text()
    assert "| Perfect | - | 100.00 | - | - |" in markdown
    with Image.open(out / "figure.png") as figure:
        assert figure.size == (3 * TILE, 20 + 2 * TILE)


def test_wrong_size_prediction_names_file(tmp_path):
    data = _dataset(tmp_path)
    bad = tmp_path / "bad"
    for i in range(3):
        _write_png(np.zeros((WIDTH, HEIGHT), dtype=np.uint8), bad / f"ISIC_{i}_mask.png")  # transposed
    with pytest.raises(ValueError, match="ISIC_0_mask.png"):
        Table1Evaluation(data["datalist"], tmp_path / "eval", methods=[("Bad", bad, None)]).run()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        [{"methods": [("only name", None)]}, "method row"],
        [{"methods": [("a", None, None, None, None)]}, "method row"],
        [{"methods": [], "baselines": {"disk": CentredDiskBaseline()}}, "baseline_dir"],
        [{"methods": [], "figure_split": "training"}, "figure_split"],
        [{"methods": [], "splits": ["validation"]}, "figure_split"],
    ],
)
def test_ill_options(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Table1Evaluation(tmp_path / "segmentation.json", tmp_path / "eval", **kwargs)


def test_equal_area_table_scores_maps_at_the_reference_area(tmp_path):
    """Maps equal to the (disk) ground truth score 100 at the disk's area; inverted maps miss the disk entirely."""
    data = _dataset(tmp_path)
    perfect, empty = _method_folders(tmp_path, data["items"])
    disk = CentredDiskBaseline()(np.zeros((HEIGHT, WIDTH)))
    for i in range(3):
        _write_png((disk * 65535).astype(np.uint16), perfect / f"ISIC_{i}_map.png")
        _write_png((~disk * 65535).astype(np.uint16), empty / f"ISIC_{i}_map.png")
    out = tmp_path / "eval"
    Table1Evaluation(
        data["datalist"],
        out,
        methods=[("Perfect", perfect, None), ("Inverted", empty, None), ("U-net only", None, perfect)],
        baselines={"Centred disk": CentredDiskBaseline()},
        baseline_dir=tmp_path / "baselines",
        equal_area_reference="Centred disk",
    ).run()
    markdown = (out / "equal_area.md").read_text()
    assert markdown.startswith("Map quality at the area of the Centred disk. Dice (%)")
    assert "| Method | validation init maps | test init maps |" in markdown
    assert "| Centred disk | 100.00 | 100.00 |" in markdown
    assert "| Perfect | 100.00 | 100.00 |" in markdown
    assert "| Inverted | 0.00 | 0.00 |" in markdown
    assert "U-net only" not in markdown
    assert sorted(p.name for p in (out / "equal_area").iterdir()) == ["inverted", "perfect"]


def test_equal_area_reference_must_be_a_baseline(tmp_path):
    with pytest.raises(ValueError, match="equal_area_reference"):
        Table1Evaluation(tmp_path / "s.json", tmp_path / "eval", methods=[], equal_area_reference="Centred disk")
