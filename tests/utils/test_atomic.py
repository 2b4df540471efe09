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
"""Tests of the atomic writes: rename on success, nothing left behind on failure, suffix kept for writers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bundle.utils import atomic_path, write_json_atomic


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_success_renames_onto_target(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    with atomic_path(target) as tmp:
        assert tmp != target and tmp.parent == target.parent
        tmp.write_text("done")
        assert not target.exists()
    assert target.read_text() == "done"
    assert _files(target.parent) == ["out.txt"]


def test_success_replaces_existing_target(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert _files(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("existing", [None, "old"])
def test_failure_leaves_no_temp_and_target_untouched(tmp_path, existing):
    target = tmp_path / "out.txt"
    if existing is not None:
        target.write_text(existing)
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    if existing is None:
        assert _files(tmp_path) == []
    else:
        assert _files(tmp_path) == ["out.txt"]
        assert target.read_text() == existing


@pytest.mark.parametrize("name, suffix", [("a.png", ".png"), ("b.nii.gz", ".nii.gz"), ("c.json", ".json")])
def test_temp_name_keeps_suffix(tmp_path, name, suffix):
    with atomic_path(tmp_path / name) as tmp:
        assert tmp.name.endswith(suffix)
        assert tmp.name.startswith(".")  # hidden while being written
        tmp.write_bytes(b"x")


def test_pil_chooses_format_from_temp_suffix(tmp_path):
    target = tmp_path / "mask.png"
    array = np.array([[0, 255, 0], [255, 0, 0]], dtype=np.uint8)  # (H=2, W=3)
    with atomic_path(target) as tmp:
        Image.fromarray(array).save(tmp)  # no explicit format: PIL reads it from the suffix
    with Image.open(target) as image:
        assert image.format == "PNG"
        np.testing.assert_array_equal(np.asarray(image), array)


def test_write_json_atomic(tmp_path):
    obj = {"training": [{"image": "/a.png", "label": 1}], "name": "x"}
    path = write_json_atomic(tmp_path / "d" / "list.json", obj)
    assert path == tmp_path / "d" / "list.json"
    assert json.loads(path.read_text()) == obj
    assert _files(path.parent) == ["list.json"]


def test_write_json_atomic_unserialisable_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        write_json_atomic(tmp_path / "list.json", {"bad": object()})
    assert _files(tmp_path) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_file_follows_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        with atomic_path(tmp_path / "out.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == mode
