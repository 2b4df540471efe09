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
"""The model-zoo release: the bundle folder ``<name>/`` and its zip, from a pipeline run's trained models.

Layout (MONAI bundle specification): ``configs/`` (metadata.json, logging.conf and three self-contained configs
baked from the repository's files: inference.yaml for the U-net, inference_attention.yaml for the attention maps,
train.yaml to fine-tune the U-net), ``models/`` (model.pt, its TorchScript model.ts, attention.pt), the ``bundle``
package the configs import, ``docs/`` and ``LICENSE``. The zip holds the folder at its top, as
``monai.bundle download`` expects.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from bundle.export.config_baking import bake_config, merge_overrides, write_config
from bundle.pipeline import with_profile
from bundle.utils.atomic import atomic_path

__all__ = ["RELEASE_CONFIGS", "RELEASE_FILES", "RELEASE_OVERRIDES", "export_bundle", "zip_name"]

logger = logging.getLogger(__name__)

# release config -> the repository's configs merged into it (the profile's override after the first)
RELEASE_CONFIGS: dict[str, list[str]] = {
    "inference.yaml": ["inference.yaml"],
    "inference_attention.yaml": [
        "train_manifold.yaml", "generate_proxy.yaml", "inference_attention.yaml", "release_attention.yaml",
    ],
    "train.yaml": ["train_unet.yaml", "finetune.yaml"],
}
# release override -> the repository's override files merged into it (not baked: its ids stay overrides)
RELEASE_OVERRIDES: dict[str, list[str]] = {"multi_gpu_train.yaml": ["multi_gpu_train.yaml", "multi_gpu_finetune.yaml"]}
# ids a release config keeps, with all they reference: entry points and the ids model-zoo and MONAI Label read.
# Never `initialize`: it would resolve `$import bundle` before `monai.bundle run` puts the bundle on sys.path.
RELEASE_ROOTS = (
    "imports", "run", "finalize", "bundle_root", "device", "network_def", "network", "preprocessing", "inferer",
    "postprocessing", "dataset", "evaluator", "train", "validate",
)
# files copied as they are: release path -> repository path
RELEASE_FILES = {
    "LICENSE": "LICENSE",
    "configs/metadata.json": "configs/metadata.json",
    "configs/logging.conf": "configs/logging.conf",
    "docs/README.md": "docs/README.md",
    "docs/data_license.txt": "docs/data_license.txt",
}
STALE_PREFIX = ".export-"  # the staging folder of an export; an interrupted one is removed by the next export


def zip_name(name: str, version: str) -> str:
    """``<name>_v<version>.zip``, the release's file name."""
    return f"{name}_v{version}.zip"


def export_bundle(
    repo_root: str | os.PathLike,
    checkpoints: Mapping[str, str | os.PathLike],
    dest_dir: str | os.PathLike,
    profile: str = "cpu",
) -> Path:
    """Assemble ``dest_dir/<name>/`` and ``dest_dir/<name>_v<version>.zip``; return the zip's path.

    Both appear complete or not at all: they are built under temporary names and renamed.

    Args:
        repo_root: the repository (configs/, bundle/, docs/, LICENSE).
        checkpoints: file name under ``models/`` -> trained checkpoint; ``model.pt`` (the U-net) is required.
        dest_dir: where the folder and the zip go.
        profile: the configuration the models were trained with (``cpu`` or ``paper``).

    Raises:
        FileNotFoundError: a checkpoint or a repository file is missing.
        RuntimeError: the TorchScript export failed (its output is in the message).
    """
    repo_root, dest_dir = Path(repo_root), Path(dest_dir)
    missing = [str(path) for path in checkpoints.values() if not Path(path).is_file()]
    if "model.pt" not in checkpoints or missing:
        raise FileNotFoundError(f"trained checkpoints missing (run the pipeline first): {missing or ['model.pt']}")
    metadata = json.loads((repo_root / "configs" / "metadata.json").read_text())
    name, version = metadata["name"], metadata["version"]
    dest_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale(dest_dir, name)
    staging = dest_dir / f"{STALE_PREFIX}{os.getpid()}"
    root = staging / name
    archive = dest_dir / zip_name(name, version)
    try:
        _assemble(repo_root, root, checkpoints, profile, version)
        with atomic_path(archive) as tmp:
            _zip_folder(root, tmp)
        _replace_folder(root, dest_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("bundle %s %s: %s (%.1f MB)", name, version, archive, archive.stat().st_size / 1e6)
    return archive


def _assemble(repo_root: Path, root: Path, checkpoints: Mapping[str, str | os.PathLike], profile: str,
              version: str) -> None:
    """Write the bundle folder ``root``: files, baked configs, models and the TorchScript model."""
    shutil.copytree(repo_root / "bundle", root / "bundle", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for target, source in RELEASE_FILES.items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo_root / source, root / target)
    for target, sources in RELEASE_CONFIGS.items():
        files = with_profile(sources, profile)
        header = (f"{target} of {root.name} {version}, baked by scripts/export_bundle.py (profile {profile}) from\n"
                  f"the repository's {' + '.join(files)}: edit those, not this file.")
        write_config(root / "configs" / target, bake_config([repo_root / "configs" / f for f in files], RELEASE_ROOTS),
                     header)
    for target, sources in RELEASE_OVERRIDES.items():
        header = (f"{target} of {root.name} {version}: an override of train.yaml for torchrun (MONAI Label's\n"
                  f"multi-GPU training), merged by scripts/export_bundle.py from {' + '.join(sources)}.")
        write_config(root / "configs" / target, merge_overrides([repo_root / "configs" / f for f in sources]), header)
    (root / "models").mkdir()
    for target, source in checkpoints.items():
        shutil.copyfile(source, root / "models" / target)
    _export_torchscript(root)


def _export_torchscript(root: Path) -> None:
    """``models/model.ts`` from ``models/model.pt`` through ``python -m monai.bundle ckpt_export``."""
    command = [
        sys.executable, "-m", "monai.bundle", "ckpt_export", "network_def",
        "--filepath", "models/model.ts", "--ckpt_file", "models/model.pt",
        "--meta_file", "configs/metadata.json", "--config_file", "configs/inference.yaml",
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"TorchScript export failed ({' '.join(command)}):\n{result.stdout}{result.stderr}")


def _zip_folder(folder: Path, archive: Path) -> None:
    """Zip ``folder`` with itself as the top entry; regular files only (a link would be stored as text)."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder.parent).as_posix())


def _replace_folder(new: Path, target: Path) -> None:
    """Move ``new`` onto ``target``, the previous folder moved aside first and removed after."""
    old = target.with_name(f"{STALE_PREFIX}old-{target.name}")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_stale(dest_dir: Path, name: str) -> None:
    """Remove the temporary folders and zips an interrupted export of ``name`` left in ``dest_dir``."""
    for stale in [*dest_dir.glob(f"{STALE_PREFIX}*"), *dest_dir.glob(f".{name}_v*.tmp*.zip")]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
