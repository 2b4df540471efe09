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
"""Tests of the synthetic dermoscopy-like data set generator."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bundle.data.constants import (
    ISIC_CLASSES,
    TASK1_GT_DIR,
    TASK1_INPUT_DIR,
    TASK1_MASK_SUFFIX,
    TASK3_GT_CSV,
    TASK3_GT_DIR,
    TASK3_INPUT_DIR,
)
from bundle.data.synthetic import SyntheticConfig, SyntheticDermoscopyGenerator, allocate_class_counts

ISIC_WEIGHTS = (1113, 6705, 514, 327, 1099, 115, 142)
TINY = dict(num_classification=14, num_segmentation=4, min_width=64, max_width=80, min_per_class=1)

ALLOCATION_CASES = [
    # total, weights, floor, expected (worked by hand)
    [10, (1, 1), 0, [5, 5]],
    [10, (3, 1), 0, [8, 2]],  # 7.5 / 2.5: the tie goes to the first class
    [10, (9, 1), 3, [7, 3]],
    [7, (1, 1, 1), 2, [3, 2, 2]],
    # DF and VASC floored at 16, 668 shared over the rest: 76.19, 458.99, 35.19, 22.38, 75.23 -> NV, AKIEC round up
    [700, ISIC_WEIGHTS, 16, [76, 459, 35, 23, 75, 16, 16]],
    [0, ISIC_WEIGHTS, 0, [0] * 7],
]

ILL_CONFIGS = [
    {"num_classification": -1},
    {"num_segmentation": 24306},
    {"min_width": 16},
    {"min_width": 200, "max_width": 100},
    {"aspect_ratio": 0.1},
    {"aspect_jitter": 0.5},
    {"min_area_fraction": 0.5, "max_area_fraction": 0.4},
    {"max_area_fraction": 0.9},
    {"class_weights": (1.0, 1.0)},
    {"class_weights": (1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0)},
    {"num_classification": 20, "min_per_class": 3},
    {"jpeg_quality": 0},
    {"seed": -1},
]


def _generator(**kwargs) -> SyntheticDermoscopyGenerator:
    return SyntheticDermoscopyGenerator(SyntheticConfig(**{**TINY, **kwargs}))


def _all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("total, weights, floor, expected", ALLOCATION_CASES)
def test_allocate_class_counts(total, weights, floor, expected):
    np.testing.assert_array_equal(allocate_class_counts(total, weights, floor), expected)


@pytest.mark.parametrize("kwargs", ILL_CONFIGS)
def test_ill_config(kwargs):
    with pytest.raises(ValueError):
        SyntheticConfig(**kwargs)


def test_ill_arguments(tmp_path):
    gen = _generator()
    with pytest.raises(ValueError):
        SyntheticDermoscopyGenerator(config={"seed": 0})
    with pytest.raises(ValueError):
        gen.sample(len(ISIC_CLASSES), np.random.default_rng(0))
    with pytest.raises(ValueError):
        gen.image_rng("detection", 0)
    with pytest.raises(ValueError):
        gen.sample_at("classification", 14)
    with pytest.raises(ValueError):
        gen.write(tmp_path, num_workers=0)
    with pytest.raises(ValueError):
        allocate_class_counts(10, (1, 1), floor=6)


@pytest.mark.parametrize("min_width, max_width, aspect_ratio", [(64, 64, 0.75), (90, 120, 0.75), (100, 100, 1.0)])
def test_sample_shapes(min_width, max_width, aspect_ratio):
    gen = _generator(min_width=min_width, max_width=max_width, aspect_ratio=aspect_ratio, aspect_jitter=0.0)
    for class_index in range(len(ISIC_CLASSES)):
        image, mask = gen.sample(class_index, np.random.default_rng(class_index))
        h, w = mask.shape
        assert image.shape == (h, w, 3) and image.dtype == np.uint8 and mask.dtype == bool
        assert min_width <= w <= max_width and h == round(w * aspect_ratio)


def test_sample_determinism():
    first, again, other = _generator(seed=3), _generator(seed=3), _generator(seed=4)
    for task in ("classification", "segmentation"):
        image, mask, label = first.sample_at(task, 2)
        image2, mask2, label2 = again.sample_at(task, 2)
        np.testing.assert_array_equal(image, image2)
        np.testing.assert_array_equal(mask, mask2)
        assert label == label2
        assert not np.array_equal(image, other.sample_at(task, 2)[0][: image.shape[0], : image.shape[1]])


def test_lesion_matches_mask():
    """The mask covers 6-42% of the image and its pixels lie farther from the skin colour than the rest."""
    gen = _generator(min_width=96, max_width=96, artefacts=False)
    for class_index in range(len(ISIC_CLASSES)):
        for k in range(3):
            image, mask = gen.sample(class_index, np.random.default_rng([7, class_index, k]))
            assert 0.06 <= mask.mean() <= 0.42
            pixels = image.astype(float)
            distance = np.linalg.norm(pixels - np.median(pixels[~mask], axis=0), axis=-1)
            assert distance[mask].mean() > 1.3 * distance[~mask].mean()


def test_classes_separable_by_lesion_colour():
    """A nearest-centroid rule on mean and std of the lesion's RGB beats chance (1/7) by far: labels carry signal."""
    gen = _generator(min_width=96, max_width=96)
    features, labels = [], []
    for class_index in range(len(ISIC_CLASSES)):
        for k in range(16):
            image, mask = gen.sample(class_index, np.random.default_rng([11, class_index, k]))
            lesion = image[mask].astype(float)
            features.append(np.concatenate([lesion.mean(0), lesion.std(0)]))
            labels.append(class_index)
    x, y = np.asarray(features), np.asarray(labels)
    x = (x - x.mean(0)) / x.std(0)
    train = np.arange(len(y)) % 2 == 0
    centroids = np.stack([x[train & (y == c)].mean(0) for c in range(len(ISIC_CLASSES))])
    predicted = np.argmin(((x[~train, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (predicted == y[~train]).mean() > 0.35


def test_write_isic_layout(tmp_path):
    gen = _generator(num_classification=21, num_segmentation=5, min_per_class=2)
    summary = gen.write(tmp_path)
    expected = allocate_class_counts(21, ISIC_WEIGHTS, 2)
    assert summary["classification_counts"] == dict(zip(ISIC_CLASSES, expected.tolist()))
    assert summary["generated"] == 26 and summary["kept"] == 0

    with open(tmp_path / TASK3_GT_DIR / TASK3_GT_CSV, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["image", *ISIC_CLASSES]
    values = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    assert all(set(row[1:]) <= {"1.0", "0.0"} for row in rows[1:])
    np.testing.assert_array_equal(values.sum(1), np.ones(21))
    np.testing.assert_array_equal(values.sum(0), expected)

    task3_ids = [row[0] for row in rows[1:]]
    task1_ids = sorted(p.stem for p in (tmp_path / TASK1_INPUT_DIR).glob("*.jpg"))
    assert len(task1_ids) == 5 and not set(task1_ids) & set(task3_ids)
    for folder in (TASK3_INPUT_DIR, TASK1_INPUT_DIR):
        assert (tmp_path / folder / "ATTRIBUTION.txt").is_file() and (tmp_path / folder / "LICENSE.txt").is_file()
    for image_id in task3_ids:
        assert (tmp_path / TASK3_INPUT_DIR / f"{image_id}.jpg").is_file()
        assert (tmp_path / "synthetic_extras" / "task3_masks" / f"{image_id}{TASK1_MASK_SUFFIX}").is_file()
    for image_id in task1_ids:
        image = Image.open(tmp_path / TASK1_INPUT_DIR / f"{image_id}.jpg")
        mask = Image.open(tmp_path / TASK1_GT_DIR / f"{image_id}{TASK1_MASK_SUFFIX}")
        assert image.mode == "RGB" and mask.mode == "L" and mask.size == image.size
        assert set(np.unique(np.asarray(mask)).tolist()) == {0, 255}
    assert not list(tmp_path.rglob(".*tmp*")), "temporary files left behind"


def test_write_is_deterministic(tmp_path):
    _generator(seed=5).write(tmp_path / "a")
    _generator(seed=5).write(tmp_path / "b", num_workers=2)
    _generator(seed=6).write(tmp_path / "c")
    files_a, files_b, files_c = (_all_files(tmp_path / n) for n in "abc")
    assert files_a == files_b
    assert files_a.keys() == files_c.keys()
    assert all(files_a[k] != files_c[k] for k in files_a if k.endswith(".jpg"))


def test_write_resumes(tmp_path):
    gen = _generator()
    gen.write(tmp_path)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    stamps = {p: p.stat().st_mtime_ns for p in files}
    contents = {p: p.read_bytes() for p in files}
    image = tmp_path / TASK3_INPUT_DIR / "ISIC_0024310.jpg"
    mask = tmp_path / TASK1_GT_DIR / f"ISIC_0000001{TASK1_MASK_SUFFIX}"
    image.unlink()
    mask.unlink()
    stale = tmp_path / TASK3_INPUT_DIR / ".ISIC_0024310.k9x.tmp.jpg"  # as a killed run leaves it
    stale.write_bytes(b"half a JPEG")

    summary = gen.write(tmp_path)
    assert summary["generated"] == 2 and summary["kept"] == 16
    assert not stale.exists()
    for p in files:
        assert p.read_bytes() == contents[p]
        if p not in (image, mask):
            assert p.stat().st_mtime_ns == stamps[p], f"{p} was rewritten"
    assert gen.write(tmp_path)["generated"] == 0


def test_write_refuses_other_config(tmp_path):
    _generator(seed=0).write(tmp_path)
    with pytest.raises(ValueError):
        _generator(seed=1).write(tmp_path)
