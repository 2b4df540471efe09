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
"""Seeded data splits: stratified train/test for classification, train/val/test for segmentation.

Both return sorted index arrays into the caller's item list, so the same seed and the same (sorted) items
always give the same split.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = [
    "split_classification",
    "split_classification_items",
    "split_segmentation",
    "split_segmentation_items",
    "validate_fraction",
    "validate_fractions",
]

logger = logging.getLogger(__name__)

_SUM_TOLERANCE = 1e-6

Item = TypeVar("Item", bound=Mapping[str, Any])


def validate_fraction(fraction: float, name: str = "test_fraction") -> None:
    """Raise ValueError unless ``0 < fraction < 1``."""
    if not 0.0 < float(fraction) < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {fraction}.")


def validate_fractions(fractions: Sequence[float], name: str = "seg_fractions") -> None:
    """Raise ValueError unless ``fractions`` are three non-negative numbers summing to 1 (train, val, test)."""
    try:
        values = [float(f) for f in fractions]
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be 3 numbers (train, validation, test), got {fractions!r}.") from err
    if len(values) != 3:
        raise ValueError(f"{name} must hold 3 fractions (train, validation, test), got {fractions!r}.")
    if any(f < 0 for f in values) or abs(sum(values) - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{name} must be non-negative and sum to 1, got {fractions!r}.")


def split_classification(
    labels: Sequence[int], test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split items into train and test, stratified by class.

    Classes with a single item cannot be stratified: that item goes to training. When the others cannot be
    stratified either (fewer test places than classes), the test items are drawn at random among all but one
    item per class, so that every class keeps a training item; a warning says so.

    Args:
        labels: class index of each item, shape (N,), N >= 2.
        test_fraction: share of all items in the test split, in (0, 1); the test count is ceil(fraction * N),
            capped so that training keeps at least one item.
        seed: random seed.

    Returns:
        ``(train, test)`` sorted index arrays of shapes (N - M,) and (M,).
    """
    validate_fraction(test_fraction)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) < 2:
        raise ValueError(f"labels must be a 1D sequence of at least 2 items, got shape {labels.shape}.")
    classes, counts = np.unique(labels, return_counts=True)
    singletons = np.flatnonzero(np.isin(labels, classes[counts < 2]))
    pool = np.flatnonzero(np.isin(labels, classes[counts >= 2]))
    num_test = min(math.ceil(test_fraction * len(labels)), len(labels) - 1)
    if len(singletons):
        logger.warning("Classes %s have a single item: kept in training.", labels[singletons].tolist())
    try:
        train, test = train_test_split(pool, test_size=num_test, random_state=seed, stratify=labels[pool])
    except ValueError as err:
        logger.warning("Cannot stratify (%s); drawing the test items at random, one item per class kept.", err)
        return _split_keeping_each_class(labels, num_test, seed)
    return np.sort(np.concatenate([train, singletons])), np.sort(test)


def _split_keeping_each_class(labels: np.ndarray, num_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random split that keeps one item of every class in training whenever the test count allows it."""
    rng = np.random.default_rng(seed)
    kept = [rng.choice(np.flatnonzero(labels == label)) for label in np.unique(labels)]
    candidates = np.setdiff1d(np.arange(len(labels)), kept)
    if len(candidates) < num_test:
        candidates = np.arange(len(labels))
    test = rng.choice(candidates, size=num_test, replace=False)
    return np.setdiff1d(np.arange(len(labels)), test), np.sort(test)


def split_segmentation(
    num_items: int, fractions: Sequence[float] = (0.4, 0.2, 0.4), seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``num_items`` items at random into train, validation and test.

    Validation and test counts are ``round(fraction * num_items)``; training takes the rest, so the three
    always add up to ``num_items``. The paper's split is 0.4/0.2/0.4 (training used only for the fully
    supervised upper bound).

    Args:
        num_items: number of items N >= 1.
        fractions: (train, validation, test) shares, non-negative, summing to 1.
        seed: random seed.

    Returns:
        ``(train, validation, test)`` sorted index arrays whose lengths add up to N.
    """
    validate_fractions(fractions)
    if num_items < 1:
        raise ValueError(f"num_items must be >= 1, got {num_items}.")
    num_val = round(fractions[1] * num_items)
    num_test = min(round(fractions[2] * num_items), num_items - num_val)
    order = np.random.default_rng(seed).permutation(num_items)
    val, test, train = np.split(order, [num_val, num_val + num_test])
    return np.sort(train), np.sort(val), np.sort(test)


def split_classification_items(
    items: Sequence[Item], test_fraction: float = 0.2, seed: int = 0, label_key: str = "label"
) -> tuple[list[Item], list[Item]]:
    """Stratified ``(train, test)`` split of datalist items by their ``label_key``.

    Items are ordered by image path first, so the split does not depend on the order files were listed in.
    """
    ordered = sorted(items, key=lambda item: str(item["image"]))
    train, test = split_classification([item[label_key] for item in ordered], test_fraction, seed)
    return [ordered[i] for i in train], [ordered[i] for i in test]


def split_segmentation_items(
    items: Sequence[Item], fractions: Sequence[float] = (0.4, 0.2, 0.4), seed: int = 0
) -> tuple[list[Item], list[Item], list[Item]]:
    """Random ``(train, validation, test)`` split of datalist items, ordered by image path first."""
    ordered = sorted(items, key=lambda item: str(item["image"]))
    parts = split_segmentation(len(ordered), fractions, seed)
    return tuple([ordered[i] for i in part] for part in parts)  # type: ignore[return-value]
