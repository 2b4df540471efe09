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
"""Tests of class-balanced sampling: weights by hand, and classes drawn equally often."""

from __future__ import annotations

from collections import Counter

import pytest
import torch

from bundle.data.class_balance import class_balanced_sampler, class_balanced_weights


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([0, 0, 0, 1], [1 / 3, 1 / 3, 1 / 3, 1.0]),
        ([2, 0, 2, 2, 2], [0.25, 1.0, 0.25, 0.25, 0.25]),
        ([5], [1.0]),
    ],
)
def test_weights_by_hand(labels, expected):
    assert class_balanced_weights([{"label": label} for label in labels]) == pytest.approx(expected)


def test_every_class_is_drawn_about_equally_often():
    items = [{"label": 0}] * 90 + [{"label": 1}] * 9 + [{"label": 2}]
    torch.manual_seed(0)
    draws = Counter(items[index]["label"] for _ in range(200) for index in class_balanced_sampler(items))
    shares = [draws[label] / sum(draws.values()) for label in range(3)]
    assert shares == pytest.approx([1 / 3] * 3, abs=0.01)  # 20000 draws: 3-sigma of a share is ~0.01


@pytest.mark.parametrize("items, message", [([], "at least one item"), ([{"label": 0}, {"image": "a"}], "no 'label'")])
def test_bad_items_are_refused(items, message):
    with pytest.raises(ValueError, match=message):
        class_balanced_weights(items)
