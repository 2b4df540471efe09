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
"""Tests of datalist writing, MONAI round trip and reading errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from monai.data import load_decathlon_datalist

from bundle.data.datalist import (
    as_segmentation_pairs,
    class_counts,
    load_datalist,
    write_classification_datalist,
    write_full_supervision_datalist,
    write_problems_report,
    write_segmentation_datalist,
)
from bundle.data.validation import DataProblem
from bundle.utils import write_json_atomic
from tests.data.fixtures import files_in

CLS_TRAIN = [{"image": "/d/a.jpg", "label": 0}, {"image": "/d/b.jpg", "label": np.int64(2), "mask": "/m/b.png"}]
CLS_TEST = [{"image": Path("/d/c.jpg"), "label": 1}]
SEG = {
    "training": [{"image": "/d/s1.jpg", "mask": "/m/s1.png"}],
    "validation": [{"image": "/d/s2.jpg", "mask": "/m/s2.png"}],
    "test": [{"image": "/d/s3.jpg", "mask": "/m/s3.png"}, {"image": "/d/s4.jpg", "mask": "/m/s4.png"}],
}


def test_classification_round_trip_through_monai(tmp_path):
    path = write_classification_datalist(tmp_path / "classification.json", "toy", ["x", "y", "z"], CLS_TRAIN, CLS_TEST)
    content = json.loads(path.read_text())
    assert content["name"] == "toy" and content["classes"] == ["x", "y", "z"]
    expected_train = [{"image": "/d/a.jpg", "label": 0}, {"image": "/d/b.jpg", "label": 2, "mask": "/m/b.png"}]
    assert load_decathlon_datalist(path, data_list_key="training") == expected_train
    assert load_decathlon_datalist(path, data_list_key="test") == [{"image": "/d/c.jpg", "label": 1}]
    assert load_datalist(path, "training") == expected_train
    assert files_in(tmp_path) == ["classification.json"]  # no temporary file left


def test_segmentation_round_trip_through_monai(tmp_path):
    path = write_segmentation_datalist(tmp_path / "seg.json", "toy", SEG["training"], SEG["validation"], SEG["test"])
    for key, items in SEG.items():
        assert load_decathlon_datalist(path, data_list_key=key) == items
    assert json.loads(path.read_text())["name"] == "toy"


def test_as_segmentation_pairs_renames_mask_to_label_without_mutating():
    items = [{"image": "/d/s1.jpg", "mask": "/m/s1.png", "label": 3}]
    assert as_segmentation_pairs(items) == [{"image": "/d/s1.jpg", "label": "/m/s1.png"}]
    assert items == [{"image": "/d/s1.jpg", "mask": "/m/s1.png", "label": 3}]
    assert as_segmentation_pairs([{"image": "a", "seg": "b"}], mask_key="seg") == [{"image": "a", "label": "b"}]


def test_class_counts_lists_every_class():
    assert class_counts([{"label": 0}, {"label": 2}, {"label": 2}], ["a", "b", "c"]) == {"a": 1, "b": 0, "c": 2}


def test_problems_report(tmp_path):
    path = write_problems_report(tmp_path / "problems.json", [DataProblem("/d/a.jpg", "image file is empty (0 bytes)")])
    assert json.loads(path.read_text()) == [{"path": "/d/a.jpg", "problem": "image file is empty (0 bytes)"}]


@pytest.mark.parametrize(
    "content, key, error, text",
    [
        (None, "training", FileNotFoundError, "does not exist"),
        ('{"training": [', "training", ValueError, "is not valid JSON"),
        ("[1, 2]", "training", ValueError, "must hold a JSON object"),
        ('{"training": []}', "validation", ValueError, "has no 'validation' list; keys present: ['training']"),
        ('{"training": ["a.jpg"]}', "training", ValueError, "must be a list of objects"),
    ],
)
def test_load_datalist_errors_name_the_file(tmp_path, content, key, error, text):
    path = tmp_path / "list.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(error) as info:
        load_datalist(path, key)
    assert str(path) in str(info.value) and text in str(info.value)


def test_optional_datalist_section_may_be_absent(tmp_path):
    (tmp_path / "list.json").write_text('{"training": [{"image": "/d/a.jpg", "label": "/m/a.png"}]}')
    assert load_datalist(tmp_path / "list.json", "validation", optional=True) == []
    assert load_datalist(None, "training", optional=True) == []
    expected = [{"image": "/d/a.jpg", "label": "/m/a.png"}]
    assert load_datalist(tmp_path / "list.json", "training", optional=True) == expected
    with pytest.raises(FileNotFoundError):  # a named file must exist even when the section is optional
        load_datalist(tmp_path / "missing.json", "training", optional=True)


def test_load_datalist_resolves_relative_paths_like_monai(tmp_path):
    (tmp_path / "list.json").write_text('{"training": [{"image": "img/a.jpg", "label": 1}]}')
    assert load_datalist(tmp_path / "list.json", "training") == [{"image": str(tmp_path / "img/a.jpg"), "label": 1}]


@pytest.mark.parametrize(
    "call",
    [
        lambda p: write_classification_datalist(p, "n", ["a"], [{"image": "x", "label": 1}], []),
        lambda p: write_classification_datalist(p, "n", ["a"], [{"image": "x", "label": "a"}], []),
        lambda p: write_classification_datalist(p, "n", ["a"], [], [{"label": 0}]),
        lambda p: write_segmentation_datalist(p, "n", [{"image": "x"}], [], []),
        lambda p: as_segmentation_pairs([{"image": "x"}]),
    ],
)
def test_ill_options(tmp_path, call):
    with pytest.raises(ValueError):
        call(tmp_path / "out.json")
    assert files_in(tmp_path) == []


def test_full_supervision_datalist_pairs_train_and_validation_masks(tmp_path):
    def item(name):
        return {"image": str(tmp_path / f"{name}.jpg"), "mask": str(tmp_path / f"{name}_segmentation.png")}

    segmentation = write_segmentation_datalist(
        tmp_path / "segmentation.json", "toy", [item("a"), item("b")], [item("c")], [item("d")]
    )
    path = write_full_supervision_datalist(segmentation, tmp_path / "out" / "full.json")
    content = json.loads(path.read_text())
    assert sorted(content) == ["training", "validation"]  # the test split never reaches training
    assert content["training"] == [
        {"image": str(tmp_path / "a.jpg"), "label": str(tmp_path / "a_segmentation.png")},
        {"image": str(tmp_path / "b.jpg"), "label": str(tmp_path / "b_segmentation.png")},
    ]
    assert content["validation"] == [{"image": str(tmp_path / "c.jpg"), "label": str(tmp_path / "c_segmentation.png")}]


def test_full_supervision_datalist_missing_split(tmp_path):
    source = write_json_atomic(tmp_path / "seg.json", {"training": []})
    with pytest.raises(ValueError, match="validation"):
        write_full_supervision_datalist(source, tmp_path / "full.json")
    assert not (tmp_path / "full.json").exists()
