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
"""Tests of the seeded classification and segmentation splits."""

from __future__ import annotations

import numpy as np
import pytest

from bundle.data.splits import (
    split_classification,
    split_classification_items,
    split_segmentation,
    split_segmentation_items,
)

LABELS = [0] * 50 + [1] * 30 + [2] * 20


def _assert_partition(parts, num_items):
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(num_items))  # disjoint and complete
    for part in parts:
        assert np.all(np.diff(part) > 0)  # sorted


@pytest.mark.parametrize(
    "labels, fraction, expected_test_counts",
    [
        (LABELS, 0.2, {0: 10, 1: 6, 2: 4}),
        (LABELS, 0.5, {0: 25, 1: 15, 2: 10}),
        ([0] * 8 + [1] * 2, 0.5, {0: 4, 1: 1}),
    ],
)
def test_classification_split_is_stratified(labels, fraction, expected_test_counts):
    train, test = split_classification(labels, fraction, seed=0)
    _assert_partition([train, test], len(labels))
    labels = np.asarray(labels)
    assert {c: int(np.sum(labels[test] == c)) for c in expected_test_counts} == expected_test_counts


def test_classification_split_is_deterministic_given_seed():
    first = split_classification(LABELS, 0.2, seed=7)
    again = split_classification(LABELS, 0.2, seed=7)
    other = split_classification(LABELS, 0.2, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])


def test_single_item_class_stays_in_training():
    labels = [0] * 10 + [1] * 10 + [2]
    train, test = split_classification(labels, 0.2, seed=0)
    _assert_partition([train, test], len(labels))
    assert 20 in train and len(test) == 5  # ceil(0.2 * 21)


def test_too_few_test_places_keeps_every_class_in_training():
    labels = [0, 0, 1, 1, 2, 2, 3, 3]  # 2 test places for 4 classes: stratification impossible
    for seed in range(10):
        train, test = split_classification(labels, 0.25, seed=seed)
        _assert_partition([train, test], len(labels))
        assert len(test) == 2 and set(np.asarray(labels)[train]) == {0, 1, 2, 3}


def test_two_items_split_one_one():
    train, test = split_classification([0, 1], 0.5)
    _assert_partition([train, test], 2)
    assert len(test) == 1


@pytest.mark.parametrize(
    "num_items, fractions, expected_lengths",
    [
        (100, (0.4, 0.2, 0.4), (40, 20, 40)),
        (2594, (0.4, 0.2, 0.4), (1037, 519, 1038)),
        (10, (0.8, 0.1, 0.1), (8, 1, 1)),
        (10, (1.0, 0.0, 0.0), (10, 0, 0)),
        (1, (0.4, 0.2, 0.4), (1, 0, 0)),
    ],
)
def test_segmentation_split_lengths(num_items, fractions, expected_lengths):
    parts = split_segmentation(num_items, fractions, seed=0)
    _assert_partition(parts, num_items)
    assert tuple(len(p) for p in parts) == expected_lengths


def test_segmentation_split_is_deterministic_given_seed():
    first = split_segmentation(50, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, split_segmentation(50, seed=3)))
    assert not np.array_equal(first[2], split_segmentation(50, seed=4)[2])


def test_item_splits_ignore_input_order():
    items = [{"image": f"/d/{i:03d}.jpg", "label": i % 3} for i in range(30)]
    shuffled = [items[i] for i in np.random.default_rng(0).permutation(30)]
    assert split_classification_items(items, 0.2, seed=1) == split_classification_items(shuffled, 0.2, seed=1)
    assert split_segmentation_items(items, seed=1) == split_segmentation_items(shuffled, seed=1)
    train, val, test = split_segmentation_items(items, seed=1)
    assert (len(train), len(val), len(test)) == (12, 6, 12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: split_classification(LABELS, 0.0),
        lambda: split_classification(LABELS, 1.0),
        lambda: split_classification([0]),
        lambda: split_classification([[0, 1], [1, 0]]),
        lambda: split_segmentation(10, (0.5, 0.5)),
        lambda: split_segmentation(10, (0.5, 0.2, 0.2)),
        lambda: split_segmentation(10, (1.2, -0.1, -0.1)),
        lambda: split_segmentation(0),
    ],
)
def test_ill_options(call):
    with pytest.raises(ValueError):
        call()
