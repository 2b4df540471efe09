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
"""Tests of the Table 1 report: Markdown layout, CSV content and argument checks."""

from __future__ import annotations

import csv
import logging

import pytest

from bundle.evaluation.table1_report import Table1Report


def _scores(*dice: float) -> list[dict]:
    """Per-image scores with jaccard = dice / 2 and isic_jaccard = 0 (values only need to differ)."""
    return [{"id": f"ISIC_{i}", "dice": d, "jaccard": d / 2, "isic_jaccard": 0.0} for i, d in enumerate(dice)]


def _report() -> Table1Report:
    report = Table1Report(notes="n = 2 validation and 1 test images.")
    report.add("DCML + Attention", "validation", "init_maps", _scores(0.5, 0.6))
    report.add("DCML + Attention", "validation", "unet", _scores(0.61, 0.7))
    report.add("DCML + Attention", "test", "init_maps", _scores(0.6543216))
    report.add("DCML + Attention", "test", "unet", _scores(0.66126))
    report.add("Otsu", "validation", "init_maps", _scores(0.25, 0.35))
    report.add("Full supervision", "test", "unet", _scores(0.8615))
    report.add("Full supervision", "validation", "unet", _scores(0.859, 0.859))
    return report


def test_markdown_layout():
    lines = _report().to_markdown().splitlines()
    header = lines.index("| Method | validation init maps | validation U-net | test init maps | test U-net |")
    assert lines[0].startswith("Table 1. Dice (%)")
    assert lines[header + 1] == "| --- | ---: | ---: | ---: | ---: |"
    assert lines[header + 2] == "| DCML + Attention | 55.00 | 65.50 | 65.43 | 66.13 |"
    assert lines[header + 3] == "| Otsu | 30.00 | - | - | - |"
    assert lines[header + 4] == "| Full supervision | - | 85.90 | - | 86.15 |"
    assert lines[-1] == "n = 2 validation and 1 test images."


def test_map_source_column_appears_with_the_first_accuracy():
    report = _report()
    report.add_source("DCML + Attention", "1-NN 0.70 / 0.66")
    lines = report.to_markdown().splitlines()
    header = lines.index("| Method | validation init maps | validation U-net | test init maps | test U-net "
                         "| map source acc. / balanced |")
    assert lines[header + 1] == "| --- | ---: | ---: | ---: | ---: | ---: |"
    assert lines[header + 2] == "| DCML + Attention | 55.00 | 65.50 | 65.43 | 66.13 | 1-NN 0.70 / 0.66 |"
    assert lines[header + 3] == "| Otsu | 30.00 | - | - | - | - |"


def test_map_source_of_an_unknown_row_is_refused():
    with pytest.raises(ValueError, match="add scores of 'ML' before"):
        _report().add_source("ML", "0.5 / 0.5")


@pytest.mark.parametrize(
    "foreground, expected",
    [
        ([0.0, 0.005, 0.2], "| U-net | - | 40.00 (collapsed: 67% empty) |"),  # 2 of 3 below 1% of the image
        ([0.0, 0.02, 0.2], "| U-net | - | 40.00 |"),  # 1 of 3: not most images
        (None, "| U-net | - | 40.00 |"),  # scores without foreground: nothing to judge
    ],
)
def test_cells_of_mostly_empty_predictions_read_collapsed(foreground, expected):
    scores = _scores(0.1, 0.5, 0.6)
    if foreground is not None:
        scores = [{**score, "foreground": share} for score, share in zip(scores, foreground)]
    report = Table1Report(kinds=("unet",))
    report.add("U-net", "test", "unet", scores)
    assert expected in report.to_markdown()


def test_markdown_extra_metrics():
    text = _report().to_markdown("dice", extra_metrics=("jaccard", "isic_jaccard"))
    assert text.count("| Method |") == 3
    assert "| DCML + Attention | 27.50 | 32.75 | 32.72 | 33.06 |" in text
    assert "| Otsu | 0.00 | - | - | - |" in text
    assert text.index("Dice") < text.index("Jaccard") < text.index("ISIC thresholded Jaccard")


def test_csv_long_format(tmp_path):
    path = _report().to_csv(tmp_path / "t.csv")
    with open(path, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["method", "split", "kind", "metric", "mean", "std", "n"]
    assert len(rows) == 7 * 3
    expected = ["DCML + Attention", "validation", "init_maps", "dice", "0.550000", "0.050000", "2"]
    assert list(rows[0].values()) == expected
    assert [r["metric"] for r in rows[:3]] == ["dice", "jaccard", "isic_jaccard"]
    assert rows[1]["mean"] == "0.275000"


def test_write_creates_both_files(tmp_path):
    csv_path, md_path = _report().write(tmp_path / "report")
    assert csv_path.name == "table1.csv" and md_path.name == "table1.md"
    assert md_path.read_text().count("| Method |") == 3
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["table1.csv", "table1.md"]


def test_warns_on_unequal_image_counts(caplog):
    report = Table1Report()
    report.add("A", "test", "init_maps", _scores(0.5, 0.5))
    with caplog.at_level(logging.WARNING):
        report.add("B", "test", "init_maps", _scores(0.5))
    assert "different image counts" in caplog.text


@pytest.mark.parametrize(
    "args",
    [
        ("A", "train", "init_maps", _scores(0.5)),
        ("A", "test", "maps", _scores(0.5)),
        ("", "test", "unet", _scores(0.5)),
        ("A", "test", "unet", []),
        ("A", "test", "unet", [{"dice": 0.5}]),
        ("A", "test", "unet", _scores(float("nan"))),
        ("DCML + Attention", "test", "unet", _scores(0.5)),  # duplicate cell
    ],
)
def test_ill_add(args):
    with pytest.raises(ValueError):
        _report().add(*args)


def test_ill_render():
    with pytest.raises(ValueError):
        _report().to_markdown("accuracy")
    with pytest.raises(ValueError):
        _report().to_markdown("dice", extra_metrics=("hausdorff",))
    with pytest.raises(ValueError):
        Table1Report().to_markdown()


def test_title_stem_and_kinds(tmp_path):
    report = Table1Report(title="Map quality", stem="equal_area", kinds=("init_maps",))
    report.add("Disk", "validation", "init_maps", _scores(0.5))
    report.add("Disk", "test", "init_maps", _scores(0.25, 0.75))
    with pytest.raises(ValueError, match="kind must be one of"):
        report.add("Disk", "test", "unet", _scores(0.5))
    markdown = report.to_markdown()
    assert markdown.startswith("Map quality. Dice (%)")
    header = "| Method | validation init maps | test init maps |\n| --- | ---: | ---: |\n"
    assert header + "| Disk | 50.00 | 50.00 |" in markdown
    csv_path, md_path = report.write(tmp_path, extra_metrics=())
    assert (csv_path.name, md_path.name) == ("equal_area.csv", "equal_area.md")


@pytest.mark.parametrize("kinds", [(), ("maps",), ("unet", "other")])
def test_ill_kinds(kinds):
    with pytest.raises(ValueError, match="kinds must be"):
        Table1Report(kinds=kinds)
