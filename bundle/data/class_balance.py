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
"""Class-balanced sampling of a labelled datalist: every class drawn equally often, whatever its size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from torch.utils.data import WeightedRandomSampler

__all__ = ["class_balanced_sampler", "class_balanced_weights"]


def class_balanced_weights(items: Sequence[Mapping[str, Any]], label_key: str = "label") -> list[float]:
    """One weight per item, 1 / (number of items of its class): each class sums to 1.

    Raises:
        ValueError: ``items`` is empty or an item has no ``label_key``.
    """
    if not items:
        raise ValueError("class-balanced sampling needs at least one item.")
    unlabelled = [index for index, item in enumerate(items) if label_key not in item]
    if unlabelled:
        raise ValueError(f"items {unlabelled[:5]} have no {label_key!r}: class balancing needs every label.")
    counts = Counter(int(item[label_key]) for item in items)
    return [1.0 / counts[int(item[label_key])] for item in items]


def class_balanced_sampler(items: Sequence[Mapping[str, Any]], label_key: str = "label") -> WeightedRandomSampler:
    """A sampler drawing ``len(items)`` indices per epoch, with replacement, each class with equal probability
    (as the manifold's class-balanced batches give every class the same share)."""
    return WeightedRandomSampler(class_balanced_weights(items, label_key), num_samples=len(items), replacement=True)
