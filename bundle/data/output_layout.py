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
"""Where the stages write: the datalists, the proxy folders and each image's mask and map. One place for every
reader and writer (configs call these functions too)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from bundle.data.image_files import image_id
from bundle.data.validation import DataProblem

__all__ = [
    "CLASSIFICATION_DATALIST",
    "DATALISTS",
    "MAP_SUFFIX",
    "MAP_SUFFIXES",
    "MASK_SUFFIX",
    "PROBLEMS_REPORT",
    "SEGMENTATION_DATALIST",
    "STALE_PATTERN",
    "datalist_path",
    "full_supervision_datalist",
    "map_path",
    "mask_path",
    "output_folder_problem",
    "predictions_dir",
    "proxy_datalist",
    "proxy_dir",
    "remove_stale",
]

logger = logging.getLogger(__name__)

CLASSIFICATION_DATALIST = "classification.json"
SEGMENTATION_DATALIST = "segmentation.json"
DATALISTS = {"classification": CLASSIFICATION_DATALIST, "segmentation": SEGMENTATION_DATALIST}
"""The datalists data preparation writes, by kind: image labels, and masks for evaluation."""
PROBLEMS_REPORT = "problems.json"
"""The files left out by a ``skip_bad`` run, each with its problem: beside the datalists or the outputs."""
UNET_DATALIST = "datalist.json"
"""A U-net's (image, mask) pairs: in each proxy folder, and in ``full_supervision/`` for the upper bound."""
PROXY_FOLDER = "proxy"
PREDICTIONS_FOLDER = "predictions"
FULL_SUPERVISION_FOLDER = "full_supervision"
MASK_SUFFIX = "_mask.png"
"""A binary mask (0/255) at the image's size: proxies, U-net predictions, baselines, inference outputs."""
MAP_SUFFIX = "_map.png"
MAP_SUFFIXES = {"png": MAP_SUFFIX, "nii.gz": "_map.nii.gz"}
"""Map file suffix per ``map_format``: a 16-bit PNG or a float32 NIfTI."""
STALE_PATTERN = ".*.tmp*"
"""What ``bundle.utils.atomic_path`` names its temporary files: a killed run may leave them behind."""


def datalist_path(datalist_dir: str | os.PathLike, kind: str) -> Path:
    """``<datalist_dir>/classification.json`` or ``segmentation.json`` (``kind``: a key of ``DATALISTS``)."""
    if kind not in DATALISTS:
        raise ValueError(f"datalist kind must be one of {sorted(DATALISTS)}, got {kind!r}.")
    return Path(datalist_dir) / DATALISTS[kind]


def proxy_dir(output_dir: str | os.PathLike, name: str) -> Path:
    """The folder of one proxy's masks and maps: ``<output_dir>/proxy/<name>``."""
    return Path(output_dir) / PROXY_FOLDER / name


def proxy_datalist(proxy_folder: str | os.PathLike) -> Path:
    """The U-net datalist of the proxies in ``proxy_folder`` (see :func:`proxy_dir`)."""
    return Path(proxy_folder) / UNET_DATALIST


def predictions_dir(output_dir: str | os.PathLike, name: str) -> Path:
    """The folder of one U-net's masks of the segmentation validation and test images (Table 1's U-net column)."""
    return Path(output_dir) / PREDICTIONS_FOLDER / name


def full_supervision_datalist(output_dir: str | os.PathLike) -> Path:
    """The U-net datalist of the ground-truth masks, for the fully supervised upper bound."""
    return Path(output_dir) / FULL_SUPERVISION_FOLDER / UNET_DATALIST


def mask_path(out_dir: str | os.PathLike, image: str | os.PathLike) -> Path:
    """Where the mask of ``image`` goes: ``<out_dir>/<id>_mask.png``. Written last, it marks a finished image."""
    return Path(out_dir) / f"{image_id(image)}{MASK_SUFFIX}"


def map_path(out_dir: str | os.PathLike, image: str | os.PathLike, map_format: str = "png") -> Path:
    """Where the map of ``image`` goes: ``<id>_map.png`` (16-bit) or ``<id>_map.nii.gz`` (float32)."""
    if map_format not in MAP_SUFFIXES:
        raise ValueError(f"map_format must be one of {sorted(MAP_SUFFIXES)}, got {map_format!r}.")
    return Path(out_dir) / f"{image_id(image)}{MAP_SUFFIXES[map_format]}"


def remove_stale(out_dir: str | os.PathLike) -> list[Path]:
    """Delete the temporary files an interrupted run left in ``out_dir``; return them."""
    stale = sorted(Path(out_dir).glob(STALE_PATTERN)) if Path(out_dir).is_dir() else []
    for path in stale:
        logger.info("removing %s, left by an interrupted run", path)
        path.unlink()
    return stale


def output_folder_problem(output_dir: str | os.PathLike) -> DataProblem | None:
    """Why ``output_dir`` cannot take outputs (it or a parent is a file, or it is not writable), or None.

    Nothing is created: a missing folder is judged by its nearest existing parent.
    """
    folder = Path(output_dir)
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    if not existing.is_dir():
        where = "is a file" if existing == folder else f"lies under a file ({existing})"
        return DataProblem(str(folder), f"output folder {where}")
    try:
        with tempfile.TemporaryFile(dir=existing):  # the only sure test of writability (root ignores modes)
            pass
    except OSError as error:
        return DataProblem(str(folder), f"output folder cannot be written ({error.strerror or error})")
    return None
