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
"""The release export: complete folder and zip or nothing, stale temporaries removed, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bundle import __version__
from bundle.export import export_bundle, zip_name
from tests.integration.conftest import REPO_ROOT, untrained_weights

UNET = ["train_unet.yaml", "cpu_unet.yaml"]
MANIFOLD = ["train_manifold.yaml", "cpu_manifold.yaml"]


def test_export_replaces_the_previous_release_and_removes_stale_temporaries(tmp_path: Path) -> None:
    dest = tmp_path / "dist"
    (dest / "skin_lesion_wss").mkdir(parents=True)
    (dest / "skin_lesion_wss" / "old_file.txt").write_text("from an older export")
    (dest / ".export-999" / "skin_lesion_wss").mkdir(parents=True)  # left by an interrupted export
    (dest / f".{zip_name('skin_lesion_wss', __version__)}.abc.tmp.zip").write_bytes(b"PK")  # its zip's temporary name
    checkpoints = {"model.pt": untrained_weights(UNET, tmp_path / "unet.pt"),
                   "attention.pt": untrained_weights(MANIFOLD, tmp_path / "attention.pt")}
    archive = export_bundle(REPO_ROOT, checkpoints, dest)
    assert sorted(path.name for path in dest.iterdir()) == sorted(["skin_lesion_wss", archive.name])
    assert archive.name == zip_name("skin_lesion_wss", __version__)
    assert not (dest / "skin_lesion_wss" / "old_file.txt").exists()
    with zipfile.ZipFile(archive) as zipped:
        in_zip = {name.removeprefix("skin_lesion_wss/") for name in zipped.namelist()}
    on_disk = {path.relative_to(dest / "skin_lesion_wss").as_posix()
               for path in (dest / "skin_lesion_wss").rglob("*") if path.is_file()}
    assert in_zip == on_disk and "models/model.ts" in in_zip


@pytest.mark.parametrize("broken", ["missing", "not_a_unet"])
def test_failed_export_leaves_nothing(tmp_path: Path, broken: str) -> None:
    dest = tmp_path / "dist"
    if broken == "missing":
        checkpoints, error, text = {"model.pt": tmp_path / "absent.pt"}, FileNotFoundError, "absent.pt"
    else:  # the attention network's weights do not fit the U-net: the TorchScript export fails on them
        model = untrained_weights(MANIFOLD, tmp_path / "attention.pt")
        checkpoints, error, text = {"model.pt": model}, RuntimeError, "TorchScript export failed"
    with pytest.raises(error, match=text):
        export_bundle(REPO_ROOT, checkpoints, dest)
    assert not dest.exists() or list(dest.iterdir()) == []
