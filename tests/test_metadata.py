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
"""The bundle's configs/metadata.json: a regular file (zips and ``git archive`` keep it), valid JSON without repeated
keys, its version that of pyproject.toml, of ``bundle.__version__`` and of its changelog's newest entry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import bundle

REPO_ROOT = Path(__file__).resolve().parents[1]
METADATA = REPO_ROOT / "configs" / "metadata.json"


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"repeated keys {repeated}")
    return dict(pairs)


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    return json.loads(METADATA.read_text(), object_pairs_hook=_no_repeated_keys)


def test_version_matches_package_and_changelog(metadata: dict[str, Any]) -> None:
    package = re.search(r'^version = "([^"]+)"$', (REPO_ROOT / "pyproject.toml").read_text(), re.MULTILINE)[1]
    assert metadata["version"] == package == bundle.__version__
    assert next(iter(metadata["changelog"])) == package


def test_metadata_is_a_regular_file() -> None:
    assert METADATA.is_file() and not METADATA.is_symlink()


def test_top_level_metadata_is_the_same_file() -> None:
    """The repository keeps metadata.json at its top too (its agreed layout): a copy, never a link (zips and
    ``git archive`` store links as text), held equal here."""
    top = REPO_ROOT / "metadata.json"
    assert not top.is_symlink() and top.read_bytes() == METADATA.read_bytes()
