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
"""Tests of ProxyMapInferer: metadata kept for Invertd, the graph-cut branch, argument checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.data import MetaTensor, decollate_batch, list_data_collate
from monai.transforms import Invertd
from PIL import Image

from bundle.proxy import ProxyMapInferer
from bundle.transforms import inference_transforms


def _plain_map(images: torch.Tensor) -> torch.Tensor:
    """A stand-in map source returning a plain tensor (as GradCAM does): sigmoid of the first channel."""
    return torch.sigmoid(torch.as_tensor(images)[:, :1]).as_subclass(torch.Tensor)


class _RecordingRefiner:
    """Stand-in graph cut: records its inputs and marks the left half of the feature grid as lesion."""

    def __init__(self) -> None:
        self.calls: list[tuple[torch.Size, torch.Size]] = []

    def refine_batch(self, probs: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        self.calls.append((probs.shape, features.shape))
        mask = torch.zeros_like(probs, dtype=torch.bool)
        mask[..., : probs.shape[-2] // 2, :] = True
        return mask


def _features(images: torch.Tensor) -> torch.Tensor:
    """Stand-in feature extractor: (B, 3, 16, 16) -> (B, 5, 4, 4); checks that it runs without autograd."""
    assert not torch.is_grad_enabled()
    return torch.nn.functional.avg_pool2d(torch.as_tensor(images), 4).repeat(1, 2, 1, 1)[:, :5]


def _meta_batch(batch_size: int = 2) -> MetaTensor:
    batch = MetaTensor(torch.randn(batch_size, 3, 16, 16))
    batch.applied_operations = [[{"class": "Resized", "id": i}] for i in range(batch_size)]
    batch.is_batch = True
    return batch


@pytest.mark.parametrize("batch_size", [1, 3])
def test_plain_map_gets_inputs_meta(batch_size):
    inputs = _meta_batch(batch_size)
    assert type(_plain_map(inputs)) is torch.Tensor
    maps = ProxyMapInferer(_plain_map)(inputs)
    assert isinstance(maps, MetaTensor)
    assert maps.shape == (batch_size, 1, 16, 16)
    assert maps.applied_operations == inputs.applied_operations
    torch.testing.assert_close(maps.as_tensor(), torch.sigmoid(inputs.as_tensor()[:, :1]))


def test_plain_inputs_give_plain_maps():
    maps = ProxyMapInferer(_plain_map)(torch.zeros(2, 3, 8, 8), network=torch.nn.Identity())
    assert type(maps) is torch.Tensor
    torch.testing.assert_close(maps, torch.full((2, 1, 8, 8), 0.5))


def test_refiner_output_replaces_map():
    refiner = _RecordingRefiner()
    inputs = _meta_batch(2)
    maps = ProxyMapInferer(lambda x: torch.zeros(x.shape[0], 1, 16, 16), refiner, _features)(inputs)
    # the map is resampled to the feature grid, the cut's (B, 1, 4, 4) mask back to the input size
    assert refiner.calls == [(torch.Size([2, 1, 4, 4]), torch.Size([2, 5, 4, 4]))]
    assert isinstance(maps, MetaTensor) and maps.dtype == torch.float32
    assert maps.shape == (2, 1, 16, 16)
    assert maps.applied_operations == inputs.applied_operations
    values = maps.as_tensor()
    assert torch.all(values[..., :6, :] == 1.0) and torch.all(values[..., 10:, :] == 0.0)
    assert torch.all((values >= 0.0) & (values <= 1.0))


def test_invertd_restores_original_size(tmp_path):
    width, height = 20, 12
    rgb = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "ISIC_7.png")
    preprocessing = inference_transforms((16, 16))
    batch = list_data_collate([preprocessing({"image": str(tmp_path / "ISIC_7.png")})])
    assert batch["image"].shape == (1, 3, 16, 16)
    batch["pred"] = ProxyMapInferer(_plain_map)(batch["image"])
    # without the inputs' transform history Invertd would skip the plain map and leave it at (16, 16)
    invert = Invertd(keys="pred", transform=preprocessing, orig_keys="image", nearest_interp=False, to_tensor=True)
    items = [invert(item) for item in decollate_batch(batch)]
    assert len(items) == 1
    pred = items[0]["pred"]
    assert tuple(pred.shape) == (1, width, height)  # MONAI's (C, W, H) of the original image
    assert torch.all((pred >= 0.0) & (pred <= 1.0))
    assert items[0]["image"].meta["filename_or_obj"].endswith("ISIC_7.png")


def test_invertd_restores_size_after_refinement(tmp_path):
    Image.fromarray(np.zeros((12, 20, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    preprocessing = inference_transforms((16, 16))
    batch = list_data_collate([preprocessing({"image": str(tmp_path / "a.png")})])
    batch["pred"] = ProxyMapInferer(_plain_map, _RecordingRefiner(), _features)(batch["image"])
    item = Invertd(keys="pred", transform=preprocessing, orig_keys="image")(decollate_batch(batch)[0])
    assert tuple(item["pred"].shape) == (1, 20, 12)


class _RampSource:
    """Stand-in map source blind to the image: a ramp 0 -> 1 along the last axis, (B, 1, H, W); counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        batch, _, height, width = images.shape
        return torch.linspace(0.0, 1.0, width).expand(batch, 1, height, width).clone()


@pytest.mark.parametrize(
    "flip_axes, expected_row",
    [
        ((), [0.0, 0.5, 1.0]),
        ((0,), [0.0, 0.5, 1.0]),  # flipping the other axis leaves the ramp as it is
        ((1,), [0.5, 0.5, 0.5]),  # (ramp + reversed ramp) / 2
        ((0, 1), [1 / 3, 0.5, 2 / 3]),  # (ramp + ramp + reversed ramp) / 3
    ],
)
def test_flip_averaged_maps(flip_axes, expected_row):
    source = _RampSource()
    inputs = MetaTensor(torch.zeros(2, 3, 4, 3))
    inputs.applied_operations = [[{"class": "Resized"}], [{"class": "Resized"}]]
    maps = ProxyMapInferer(source, flip_axes=flip_axes)(inputs)
    assert source.calls == 1 + len(flip_axes)
    assert isinstance(maps, MetaTensor) and maps.applied_operations == inputs.applied_operations
    torch.testing.assert_close(maps.as_tensor(), torch.tensor(expected_row).expand(2, 1, 4, 3))


@pytest.mark.parametrize("rescale, expected_row", [(False, [1 / 3, 0.5, 2 / 3]), (True, [0.0, 0.5, 1.0])])
def test_flip_average_rescaled_per_image(rescale, expected_row):
    inputs = torch.zeros(2, 3, 4, 3)
    maps = ProxyMapInferer(_RampSource(), flip_axes=(0, 1), rescale=rescale)(inputs)
    torch.testing.assert_close(maps, torch.tensor(expected_row).expand(2, 1, 4, 3))


def test_flips_of_an_equivariant_source_change_nothing():
    inputs = _meta_batch(2)
    plain = ProxyMapInferer(_plain_map)(inputs)
    torch.testing.assert_close(ProxyMapInferer(_plain_map, flip_axes=[0, 1])(inputs).as_tensor(), plain.as_tensor())


def test_graph_cut_features_come_from_the_plain_image():
    seen = []

    def features(images: torch.Tensor) -> torch.Tensor:
        seen.append(torch.as_tensor(images).clone())
        return _features(images)

    inputs = _meta_batch(1)
    ProxyMapInferer(_plain_map, _RecordingRefiner(), features, flip_axes=(0, 1))(inputs)
    assert len(seen) == 1
    torch.testing.assert_close(seen[0], inputs.as_tensor())


def test_ill_options():
    with pytest.raises(ValueError, match="feature_extractor"):
        ProxyMapInferer(_plain_map, refiner=_RecordingRefiner())


@pytest.mark.parametrize("flip_axes", [(2,), (0, 0), (True,), (-1,)])
def test_ill_flip_axes(flip_axes):
    with pytest.raises(ValueError, match="flip_axes"):
        ProxyMapInferer(_plain_map, flip_axes=flip_axes)
