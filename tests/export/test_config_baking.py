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
"""Baking configs: merge as ``monai.bundle run`` does, keep what the roots reach, write a file MONAI reads back."""

from __future__ import annotations

import pytest
import yaml
from monai.bundle import ConfigParser

from bundle.export import bake_config, referenced_ids, write_config

CONFIG = {
    "imports": ["$import os"],
    "size": [64, 64],
    "unused": 3,
    "channels": "$[c * 2 for c in @base]",
    "base": [8, 16],
    "contact": "someone@example.org",       # an e-mail is no reference
    "network": {"_target_": "UNet", "channels": "@channels", "size": "@size#0"},
    "run": ["$@network.eval()"],
}


@pytest.mark.parametrize(
    "roots, expected",
    [
        (["run"], ["size", "channels", "base", "network", "run"]),
        (["imports", "run"], ["imports", "size", "channels", "base", "network", "run"]),
        (["channels", "missing"], ["channels", "base"]),
        ([], []),
    ],
)
def test_referenced_ids_follow_references_in_values_and_expressions(roots, expected):
    assert referenced_ids(CONFIG, roots) == expected


def write_yaml(path, content):
    path.write_text(yaml.safe_dump(content))
    return path


def test_bake_merges_like_monai_bundle_run_and_puts_entries_last(tmp_path):
    base = write_yaml(tmp_path / "base.yaml", {"initialize": ["$1"], "run": ["$@net"], "net": {"k": "@k"}, "k": 1,
                                               "other": 2})
    override = write_yaml(tmp_path / "override.yaml", {"k": 5, "net#extra": "@other"})
    baked = bake_config([base, override], ["run"])
    assert baked == {"net": {"k": "@k", "extra": "@other"}, "k": 5, "other": 2, "run": ["$@net"]}
    assert list(baked)[-1] == "run"
    assert baked == {k: v for k, v in ConfigParser.load_config_files([base, override]).items() if k in baked}


def test_bake_refuses_a_dangling_reference(tmp_path):
    config = write_yaml(tmp_path / "a.yaml", {"run": ["$@net.eval()"]})
    with pytest.raises(ValueError, match=r"a.yaml: references to undefined ids \['net'\]"):
        bake_config([config], ["run"])


def test_written_config_reads_back_equal_under_its_header(tmp_path):
    path = write_config(tmp_path / "baked.yaml", CONFIG, "made by a test\nsecond line")
    text = path.read_text()
    assert text.startswith("# made by a test\n# second line\n")
    assert "size: [64, 64]" in text  # lists of plain values stay on one line
    assert ConfigParser.load_config_file(path) == CONFIG
    assert [p.name for p in tmp_path.iterdir()] == ["baked.yaml"]
