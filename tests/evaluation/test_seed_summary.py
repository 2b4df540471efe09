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
"""Tests of the seed summary: mean ± sd and standard errors over hand-made per-seed Table 1s."""

from __future__ import annotations

import pytest

from bundle.evaluation.seed_summary import read_table1_means, seed_summary_markdown, write_seed_summary
from bundle.evaluation.table1_report import Table1Report


def _table(tmp_path, seed: int, dcml_test_unet: float, with_ml: bool = True):
    """A Table 1 CSV whose cells are single images of the given Dice (jaccard/isic_jaccard unused)."""
    report = Table1Report()
    for split in ("validation", "test"):
        report.add("Disk", split, "init_maps", [{"dice": 0.5, "jaccard": 0.3, "isic_jaccard": 0.0}])
        unet = dcml_test_unet if split == "test" else 0.8
        report.add("DCML", split, "init_maps", [{"dice": 0.6 + seed / 100, "jaccard": 0.4, "isic_jaccard": 0.0}])
        report.add("DCML", split, "unet", [{"dice": unet, "jaccard": 0.5, "isic_jaccard": 0.0}])
        if with_ml:
            report.add("ML", split, "unet", [{"dice": 0.7, "jaccard": 0.5, "isic_jaccard": 0.0}])
    return report.to_csv(tmp_path / f"seed{seed}.csv")


def test_cells_are_mean_and_sample_sd_over_seeds(tmp_path):
    # DCML test U-net 0.80, 0.84, 0.88: mean 84.00, sample sd 4.00, s.e. 4 / sqrt(3) = 2.31
    tables = {seed: _table(tmp_path, seed, unet) for seed, unet in zip((0, 1, 2), (0.80, 0.84, 0.88))}
    lines = seed_summary_markdown(tables).splitlines()
    assert lines[0].startswith("Table 1 over 3 training seeds (0, 1, 2)")
    assert lines[2] == ("| Method | validation init maps | validation U-net | test init maps | test U-net "
                        "| test U-net s.e. |")
    assert lines[4] == "| Disk | 50.00 ± 0.00 | - | 50.00 ± 0.00 | - | - |"
    # init maps 0.60, 0.61, 0.62: mean 61.00, sd 1.00
    assert lines[5] == "| DCML | 61.00 ± 1.00 | 80.00 ± 0.00 | 61.00 ± 1.00 | 84.00 ± 4.00 | 2.31 |"
    assert lines[6] == "| ML | - | 70.00 ± 0.00 | - | 70.00 ± 0.00 | 0.00 |"
    assert "| DCML | 60.00 / 80.00 | 61.00 / 84.00 | 62.00 / 88.00 |" in lines


def test_seeds_with_other_cells_are_refused(tmp_path):
    tables = {0: _table(tmp_path, 0, 0.8), 1: _table(tmp_path, 1, 0.8, with_ml=False)}
    with pytest.raises(ValueError, match=r"seeds \[1\] have other Table 1 cells"):
        seed_summary_markdown(tables)


def test_one_seed_is_not_a_spread(tmp_path):
    with pytest.raises(ValueError, match="at least two seeds"):
        seed_summary_markdown({0: _table(tmp_path, 0, 0.8)})


def test_missing_table_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.csv: no Table 1"):
        read_table1_means(tmp_path / "absent.csv")


def test_write_is_atomic_and_complete(tmp_path):
    tables = {seed: _table(tmp_path, seed, 0.8) for seed in (0, 1)}
    path = write_seed_summary(tables, tmp_path / "out" / "table1_seeds.md")
    assert path.read_text() == seed_summary_markdown(tables)
    assert [p.name for p in path.parent.iterdir()] == ["table1_seeds.md"]
