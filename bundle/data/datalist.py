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
"""MONAI decathlon-style datalists: writing them atomically, reading them back with clear errors.

``classification.json``: ``{"name", "classes", "training": [{"image", "label": int}], "test": [...]}``.
``segmentation.json``: ``{"name", "training": [{"image", "mask"}], "validation": [...], "test": [...]}``.
Paths are absolute. Masks sit under ``"mask"`` so that a classification item's integer ``"label"`` and a
segmentation item's mask never share a key; :func:`as_segmentation_pairs` renames ``"mask"`` to ``"label"``
for the U-net and MONAI Label, which read the mask under ``"label"``.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bundle.data.validation import DataProblem
from bundle.utils import write_json_atomic

__all__ = [
    "as_segmentation_pairs",
    "class_counts",
    "load_datalist",
    "write_classification_datalist",
    "write_problems_report",
    "write_segmentation_datalist",
]



def write_classification_datalist(
    path: str | os.PathLike,
    name: str,
    classes: Sequence[str],
    training: Sequence[Mapping[str, Any]],
    test: Sequence[Mapping[str, Any]],
) -> Path:
    """Write a classification datalist atomically and return its path.

    Args:
        path: the JSON file to write.
        name: data set name.
        classes: class names; an item's ``"label"`` indexes this list.
        training: items ``{"image": abs path, "label": int}`` (optionally ``"mask"``).
        test: items of the same form.
    """
    _check_labels(training, len(classes), "training")
    _check_labels(test, len(classes), "test")
    datalist = {"name": name, "classes": list(classes), "training": _plain(training), "test": _plain(test)}
    return write_json_atomic(path, datalist)


def write_segmentation_datalist(
    path: str | os.PathLike,
    name: str,
    training: Sequence[Mapping[str, Any]],
    validation: Sequence[Mapping[str, Any]],
    test: Sequence[Mapping[str, Any]],
) -> Path:
    """Write a segmentation datalist of ``{"image", "mask"}`` items atomically and return its path."""
    for key, items in (("training", training), ("validation", validation), ("test", test)):
        missing = [item.get("image") for item in items if "image" not in item or "mask" not in item]
        if missing:
            raise ValueError(f"{key} items need 'image' and 'mask' keys; first offending item: {missing[0]}.")
    datalist = {
        "name": name,
        "training": _plain(training),
        "validation": _plain(validation),
        "test": _plain(test),
    }
    return write_json_atomic(path, datalist)


def write_problems_report(path: str | os.PathLike, problems: Sequence[DataProblem]) -> Path:
    """Write ``problems`` as a JSON list of ``{"path", "problem"}`` atomically and return its path."""
    return write_json_atomic(path, [{"path": p.path, "problem": p.problem} for p in problems])


def as_segmentation_pairs(items: Sequence[Mapping[str, Any]], mask_key: str = "mask") -> list[dict[str, Any]]:
    """Return new ``{"image", "label": mask path}`` dicts, the pairs MONAI Label and the U-net read.

    Args:
        items: datalist items holding an image path and a mask path under ``mask_key``.
        mask_key: key of the mask path in ``items``.
    """
    pairs = []
    for index, item in enumerate(items):
        if "image" not in item or mask_key not in item:
            raise ValueError(f"item {index} ({item.get('image')}) needs 'image' and {mask_key!r} keys.")
        pairs.append({"image": item["image"], "label": item[mask_key]})
    return pairs


def class_counts(items: Sequence[Mapping[str, Any]], classes: Sequence[str]) -> dict[str, int]:
    """Count items per class name, every class listed (zero included), in ``classes`` order."""
    counts = dict.fromkeys(classes, 0)
    for item in items:
        counts[classes[item["label"]]] += 1
    return counts


def load_datalist(path: str | os.PathLike | None, key: str, optional: bool = False) -> list[dict[str, Any]]:
    """Load one list of a datalist JSON, resolving relative paths against the file's folder (MONAI's rule).

    Args:
        path: the datalist JSON; with ``optional``, ``None`` gives ``[]``.
        key: the list to load, e.g. ``"training"``.
        optional: a missing ``key`` (or ``path`` None) gives ``[]`` instead of an error.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not valid JSON, is not an object, or lacks ``key`` as a list of dicts.
    """
    if path is None and optional:
        return []
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Datalist {path} does not exist.")
    try:
        content = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"Datalist {path} is not valid JSON: {err}.") from err
    if not isinstance(content, dict):
        raise ValueError(f"Datalist {path} must hold a JSON object, got {type(content).__name__}.")
    if key not in content and optional:
        return []
    if key not in content:
        raise ValueError(f"Datalist {path} has no {key!r} list; keys present: {sorted(content)}.")
    items = content[key]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(f"Datalist {path}: {key!r} must be a list of objects.")
    from monai.data import load_decathlon_datalist  # lazy: importing MONAI takes seconds, writing needs none of it

    return load_decathlon_datalist(path, data_list_key=key)


def _plain(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copy items into JSON-ready dicts (paths as str, numpy integers as int)."""
    return [{k: _json_value(v) for k, v in item.items()} for item in items]


def _json_value(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_labels(items: Sequence[Mapping[str, Any]], num_classes: int, key: str) -> None:
    for item in items:
        label = item.get("label")
        is_index = isinstance(label, numbers.Integral) and not isinstance(label, bool)
        if "image" not in item or not is_index or not 0 <= label < num_classes:
            raise ValueError(
                f"{key} items need 'image' and an int 'label' in [0, {num_classes}); got {dict(item)}."
            )


def write_full_supervision_datalist(segmentation_datalist: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Datalist of the fully supervised upper bound: true masks of the segmentation train/validation splits.

    Written in the U-net's (image, label = mask path) form; the test split is left out of training entirely.
    """
    sections = {
        key: as_segmentation_pairs(load_datalist(segmentation_datalist, key)) for key in ("training", "validation")
    }
    return write_json_atomic(path, sections)
