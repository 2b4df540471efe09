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
"""Tests of MaskWriter: (C, W, H) predictions written as (H, W) PNG masks, 16-bit PNG or float NIfTI maps."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from ignite.engine import Engine
from monai.data import MetaTensor
from monai.transforms import LoadImage
from PIL import Image

from bundle.handlers import MaskWriter


def _image(name: str) -> MetaTensor:
    return MetaTensor(torch.zeros(3, 1, 1), meta={"filename_or_obj": f"/data/{name}.jpg"})


def _engine(preds: dict[str, torch.Tensor]) -> SimpleNamespace:
    """A stand-in evaluator holding a decollated batch and output, as MONAI's SupervisedEvaluator does."""
    batch = [{"image": _image(name)} for name in preds]
    output = [{"pred": pred} for pred in preds.values()]
    return SimpleNamespace(state=SimpleNamespace(batch=batch, output=output))


def _read(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def test_orientation_of_non_square_prediction(tmp_path):
    pred = torch.zeros(1, 3, 2)  # (C, W=3, H=2)
    pred[0, 1, 0] = 1.0  # w = 1, h = 0
    MaskWriter(tmp_path)(_engine({"ISIC_1": pred}))
    mask = _read(tmp_path / "ISIC_1_mask.png")
    expected = np.zeros((2, 3), dtype=np.uint8)  # PNG (H, W)
    expected[0, 1] = 255  # row h = 0, column w = 1
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, expected)
    assert not (tmp_path / "ISIC_1_map.png").exists()


@pytest.mark.parametrize(
    "threshold, expected_row",
    [[0.5, [0, 0, 255, 255]], [0.2, [0, 255, 255, 255]], [0.0, [0, 255, 255, 255]], [1.0, [0, 0, 0, 0]]],
)
def test_threshold_is_strict(tmp_path, threshold, expected_row):
    pred = torch.tensor([0.0, 0.5, 0.7, 1.0]).reshape(1, 4, 1)  # (C, W=4, H=1)
    MaskWriter(tmp_path, threshold=threshold)(_engine({"a": pred}))
    np.testing.assert_array_equal(_read(tmp_path / "a_mask.png"), np.array([expected_row], dtype=np.uint8))


def test_map_is_16_bit_and_clipped(tmp_path):
    pred = torch.tensor([0.0, 0.5, 1.0, 1.7, -0.2, 0.25]).reshape(1, 3, 2)  # (C, W=3, H=2)
    MaskWriter(tmp_path, save_map=True)(_engine({"a": pred}))
    values = _read(tmp_path / "a_map.png")
    assert values.dtype == np.uint16 and values.shape == (2, 3)
    # (W, H) -> (H, W): pred[0, w, h] = flat[2 * w + h]
    expected = np.array([[0, 65535, 0], [32768, 65535, 16384]])
    np.testing.assert_allclose(values.astype(int), expected, atol=1)
    np.testing.assert_array_equal(_read(tmp_path / "a_mask.png"), np.array([[0, 255, 0], [0, 255, 0]], np.uint8))


def test_nifti_map_is_float_in_monai_order(tmp_path):
    pred = torch.tensor([0.0, 0.5, 0.7, 1.7, -0.2, 0.25]).reshape(1, 3, 2)  # (C, W=3, H=2)
    MaskWriter(tmp_path, save_map=True, map_format="nii.gz")(_engine({"a": pred}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_map.nii.gz", "a_mask.png"]
    loaded = LoadImage(image_only=True)(str(tmp_path / "a_map.nii.gz"))
    assert loaded.dtype == torch.float32 and tuple(loaded.shape) == (3, 2)  # (W, H), as LoadImage reads the image
    np.testing.assert_allclose(loaded.numpy(), [[0.0, 0.5], [0.7, 1.0], [0.0, 0.25]], atol=1e-7)
    np.testing.assert_array_equal(_read(tmp_path / "a_mask.png"), np.array([[0, 255, 0], [0, 255, 0]], np.uint8))


def test_channel_selection(tmp_path):
    pred = torch.zeros(2, 2, 2)
    pred[0] = 1.0  # background channel everywhere
    pred[1, 0, 1] = 1.0  # lesion at w = 0, h = 1
    MaskWriter(tmp_path, channel=1)(_engine({"a": pred}))
    np.testing.assert_array_equal(_read(tmp_path / "a_mask.png"), np.array([[0, 0], [255, 0]], np.uint8))


def test_one_file_per_item_and_nothing_else(tmp_path):
    MaskWriter(tmp_path, save_map=True)(_engine({"a": torch.ones(1, 2, 2), "b": np.zeros((1, 2, 2))}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_map.png", "a_mask.png", "b_map.png", "b_mask.png"]
    assert _read(tmp_path / "a_mask.png").min() == 255
    assert _read(tmp_path / "b_mask.png").max() == 0


def test_custom_items_transform(tmp_path):
    engine = SimpleNamespace(state=SimpleNamespace(batch=None, output={"x": torch.ones(1, 1, 1)}))
    writer = MaskWriter(tmp_path, items_transform=lambda e: [(_image("c"), e.state.output["x"])])
    writer(engine)
    assert _read(tmp_path / "c_mask.png").tolist() == [[255]]


def test_attach_writes_every_iteration(tmp_path):
    def step(engine, batch):
        return [{"pred": torch.full((1, 2, 3), float(i))} for i, _ in enumerate(batch)]

    engine = Engine(step)
    MaskWriter(tmp_path).attach(engine)
    data = [[{"image": _image("a")}, {"image": _image("b")}], [{"image": _image("c")}]]
    engine.run(data, max_epochs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_mask.png", "b_mask.png", "c_mask.png"]
    assert _read(tmp_path / "a_mask.png").shape == (3, 2)
    assert _read(tmp_path / "b_mask.png").min() == 255


def test_prediction_without_channel_raises(tmp_path):
    with pytest.raises(ValueError, match=r"\(C, W, H\)"):
        MaskWriter(tmp_path)(_engine({"a": torch.zeros(4, 4)}))


@pytest.mark.parametrize("kwargs", [{"threshold": -0.1}, {"threshold": 1.5}, {"channel": -1}, {"map_format": "jpg"}])
def test_ill_options(tmp_path, kwargs):
    with pytest.raises(ValueError):
        MaskWriter(tmp_path, **kwargs)
