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
"""Listing the images of a folder, or of a datalist section, as MONAI data items."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from bundle.data.constants import IMAGE_SUFFIXES
from bundle.data.datalist import load_datalist

logger = logging.getLogger(__name__)


def image_id(path: str | os.PathLike) -> str:
    """File name without its image ending (double endings such as ``.nii.gz`` whole): ``ISIC_0012345``."""
    name = Path(path).name
    for suffix in sorted(IMAGE_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def is_image_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` ends like an image this bundle reads (case-insensitive)."""
    return str(path).lower().endswith(IMAGE_SUFFIXES)


def list_image_files(folder: str | os.PathLike) -> list[dict]:
    """``[{"image": path}, ...]`` for the images directly in ``folder``, sorted; other files and hidden ones
    (``.name``, macOS ``._name``) are skipped with a note in the log.

    Raises:
        FileNotFoundError: ``folder`` does not exist or holds no image.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder of images.")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    images = [p for p in files if is_image_file(p) and not p.name.startswith(".")]
    for skipped in sorted(set(files) - set(images)):
        logger.info("%s: skipped (%s)", skipped, "hidden file" if skipped.name.startswith(".") else "not an image")
    if not images:
        raise FileNotFoundError(f"{folder}: no image files (looked for {', '.join(IMAGE_SUFFIXES)}).")
    return [{"image": str(p)} for p in images]


def inference_items(
    input_dir: str | os.PathLike | None, datalist: str | os.PathLike | None, key: str | Sequence[str] = "test"
) -> list[dict]:
    """Items to segment: section(s) ``key`` of ``datalist`` when given, else every image of ``input_dir``."""
    if datalist:
        keys = [key] if isinstance(key, str) else list(key)
        return [
            {"image": item["image"]} for k in keys for item in load_datalist(datalist, k)
        ]
    if input_dir is None:
        raise ValueError("give input_dir (a folder of images) or datalist (a MONAI datalist JSON).")
    return list_image_files(input_dir)
