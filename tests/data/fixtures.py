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
"""Test helpers: a miniature ISIC 2018 tree in the official layout, and the files of the bad-input corpus."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image

from bundle.data.constants import (
    ISIC_CLASSES,
    TASK1_GT_DIR,
    TASK1_INPUT_DIR,
    TASK1_MASK_SUFFIX,
    TASK3_GT_CSV,
    TASK3_GT_DIR,
    TASK3_INPUT_DIR,
)

IMAGE_SIZE = (40, 30)
"""(width, height) of the fixture images."""

# Two per class plus extra NV: enough for a stratified split at test_fraction 0.5.
TASK3_LABELS: tuple[int, ...] = (0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6)
TASK1_COUNT = 5
TASK3_FIRST_ID = 24306
STRAY_FILES = ("ATTRIBUTION.txt", "LICENSE.txt")


@dataclass
class IsicTree:
    """Paths of a miniature ISIC tree; ``task3_images[i]`` has class ``TASK3_LABELS[i]``."""

    root: Path
    task3_images: list[Path]
    task3_csv: Path
    task1_images: list[Path]
    task1_masks: list[Path]


def write_rgb(path: Path, size: tuple[int, int] = IMAGE_SIZE, seed: int = 0, mode: str = "RGB") -> Path:
    """Write a noise image of ``size`` (width, height) in ``mode`` (RGB, L, RGBA); format from the suffix."""
    width, height = size
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    array = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array[..., 0] if channels == 1 else array, mode=mode).save(path)
    return path


def write_exif_rotated(path: Path, size: tuple[int, int] = IMAGE_SIZE, orientation: int = 6, seed: int = 0) -> Path:
    """A random RGB JPEG stored as (width, height) ``size`` with an EXIF orientation tag (6: display turned 90
    degrees clockwise, so it shows as height x width)."""
    array = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(array)
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = orientation
    image.save(path, exif=exif)
    return path


def write_mask(
    path: Path, size: tuple[int, int] = IMAGE_SIZE, values: Sequence[int] = (0, 255), dtype: type = np.uint8
) -> Path:
    """Write a mask of ``size`` (width, height): a centred rectangle of ``values[1]`` on ``values[0]``,
    and ``values[2:]`` in the first pixels of the top row."""
    width, height = size
    array = np.full((height, width), values[0], dtype=dtype)
    array[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4] = values[1]
    for index, value in enumerate(values[2:]):
        array[0, index] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def write_task3_csv(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> Path:
    """Write a Task 3 ground-truth CSV (official header unless ``header`` is given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or ("image", *ISIC_CLASSES))
        writer.writerows(rows)
    return path


def one_hot_row(image_id: str, *labels: int) -> list[str]:
    """A CSV row with ``1.0`` in the columns of ``labels`` and ``0.0`` elsewhere (no label: no class set)."""
    return [image_id, *("1.0" if i in labels else "0.0" for i in range(len(ISIC_CLASSES)))]


def task3_id(index: int) -> str:
    return f"ISIC_{TASK3_FIRST_ID + index:07d}"


def task1_id(index: int) -> str:
    return f"ISIC_{index:07d}"


def make_isic_tree(
    root: Path, task3_labels: Sequence[int] | None = TASK3_LABELS, task1_count: int | None = TASK1_COUNT
) -> IsicTree:
    """Build ``root`` as unzipped from the ISIC 2018 downloads, stray licence files included.

    Args:
        root: folder to fill.
        task3_labels: class index of each Task 3 image; None leaves Task 3 out.
        task1_count: number of Task 1 image/mask pairs; None leaves Task 1 out.
    """
    tree = IsicTree(root, [], root / TASK3_GT_DIR / TASK3_GT_CSV, [], [])
    if task3_labels is not None:
        rows = []
        for index, label in enumerate(task3_labels):
            tree.task3_images.append(write_rgb(root / TASK3_INPUT_DIR / f"{task3_id(index)}.jpg", seed=index))
            rows.append(one_hot_row(task3_id(index), label))
        write_task3_csv(tree.task3_csv, rows)
        _write_stray_files(root / TASK3_INPUT_DIR, root / TASK3_GT_DIR)
    if task1_count is not None:
        for index in range(task1_count):
            tree.task1_images.append(write_rgb(root / TASK1_INPUT_DIR / f"{task1_id(index)}.jpg", seed=100 + index))
            tree.task1_masks.append(write_mask(root / TASK1_GT_DIR / f"{task1_id(index)}{TASK1_MASK_SUFFIX}"))
        _write_stray_files(root / TASK1_INPUT_DIR, root / TASK1_GT_DIR)
    return tree


def truncate(path: Path, keep: float = 0.6) -> Path:
    """Cut ``path`` to ``keep`` of its bytes (a truncated download)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_truncated_jpeg(path: Path) -> Path:
    """A JPEG whose header is intact but whose scan data stops early: only a full decode notices."""
    return truncate(write_rgb(path, size=(64, 48)), keep=0.7)


def files_in(folder: Path) -> list[str]:
    """Names of every file under ``folder`` (empty when it does not exist)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _write_stray_files(*folders: Path) -> None:
    for folder in folders:
        for name in STRAY_FILES:
            (folder / name).write_text("Creative Commons Attribution-NonCommercial 4.0\n")
