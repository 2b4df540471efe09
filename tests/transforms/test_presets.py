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
"""Tests of the transform chains: loading formats, shapes, value ranges, joint augmentation, caching, inversion."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import torch
from monai.data import CacheDataset, DataLoader, MetaTensor
from monai.transforms import Compose, Invertd, LoadImaged, RandBiasFieldd, RandFlipd, RandomizableTrait, Resized
from PIL import Image

from bundle.transforms.presets import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    classification_transforms,
    contrastive_transforms,
    inference_transforms,
    load_transforms,
    segmentation_transforms,
)
from bundle.transforms.rand_dermoscope_frame import RandDermoscopeFramed
from bundle.transforms.rand_hairs import RandHairsd
from bundle.transforms.shades_of_gray import ShadesOfGray, ShadesOfGrayd

WIDTH, HEIGHT = 10, 6


def _pixels(width: int = WIDTH, height: int = HEIGHT, seed: int = 0) -> np.ndarray:
    """Random RGB uint8 array (H, W, 3), as PIL gives it."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _write_pil(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path)
    return path


def _write_jpeg(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path, quality=100, subsampling=0)  # near-lossless even on noise
    return path


def _write_nifti(path: Path, pixels: np.ndarray) -> Path:
    """Write (H, W) or (H, W, 3) pixels as a 2D NIfTI in ITK order: (W, H) gray or (W, H, 1, 3) RGB."""
    array = pixels.T if pixels.ndim == 2 else pixels.transpose(1, 0, 2)[:, :, None, :]
    nib.save(nib.Nifti1Image(np.ascontiguousarray(array), np.eye(4)), path)
    return path


# file name, writer, pixels (H, W[, 3]), exact values expected (JPEG is lossy)
FORMAT_CASES = [
    ("rgb.png", _write_pil, _pixels(), True),
    ("gray.png", _write_pil, _pixels()[..., 0], True),
    ("rgb.jpg", _write_jpeg, _pixels(), False),
    ("gray.jpeg", _write_jpeg, _pixels()[..., 0], False),
    ("gray.nii.gz", _write_nifti, _pixels()[..., 0], True),
    ("rgb.nii.gz", _write_nifti, _pixels(), True),
    ("rgb.nii", _write_nifti, _pixels(), True),
]


@pytest.mark.parametrize("reader", [None, "PILReader"])
@pytest.mark.parametrize("name, writer, pixels, exact", FORMAT_CASES)
def test_load_formats(tmp_path, name, writer, pixels, exact, reader):
    path = writer(tmp_path / name, pixels)
    image = load_transforms(keys="image", reader=reader)({"image": str(path)})["image"]
    assert image.shape == (3, WIDTH, HEIGHT)
    expected = np.broadcast_to(pixels[..., None] if pixels.ndim == 2 else pixels, (HEIGHT, WIDTH, 3))
    expected = expected.transpose(2, 1, 0).astype(np.float32)
    if exact:
        assert np.array_equal(image.numpy(), expected)
    else:
        assert np.abs(image.numpy() - expected).mean() < 4


def test_load_binarizes_masks(tmp_path):
    image = _write_pil(tmp_path / "image.png", _pixels())
    mask_pixels = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    mask_pixels[1:4, 2:7] = 255
    mask = _write_pil(tmp_path / "mask.png", mask_pixels)
    out = load_transforms(keys=("image", "label"), mask_keys="label")({"image": str(image), "label": str(mask)})
    assert out["image"].shape == (3, WIDTH, HEIGHT)
    assert np.array_equal(out["label"].numpy(), (mask_pixels.T[None] > 0).astype(np.float32))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keys": "label", "image_key": "image"},
        {"keys": ("image", "label"), "mask_keys": "other"},
        {"keys": ("image", "label"), "mask_keys": "image"},
    ],
)
def test_load_ill_options(kwargs):
    with pytest.raises(ValueError, match="keys"):
        load_transforms(**kwargs)


@pytest.fixture
def white_png(tmp_path) -> str:
    return str(_write_pil(tmp_path / "white.png", np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)))


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("image_size, expected", [(8, (8, 8)), ((12, 8), (12, 8)), ((32, 24), (32, 24))])
def test_classification_shape_values_label(white_png, image_size, expected, train):
    augment = {"rotate90_prob": 0.0, "scale_intensity_prob": 0.0, "shift_intensity_prob": 0.0, "contrast_prob": 0.0}
    chain = classification_transforms(image_size=image_size, train=train, augment=augment)
    out = chain({"image": white_png, "label": 4})
    assert out["image"].shape == (3, *expected) and out["image"].dtype == torch.float32
    # by hand: 255 -> 1.0 -> (1 - mean) / std per channel
    by_hand = [(1.0 - m) / s for m, s in zip(IMAGENET_MEAN, IMAGENET_STD)]
    expected_image = torch.tensor(by_hand).view(3, 1, 1).expand(3, *expected)
    assert torch.allclose(out["image"].as_tensor(), expected_image, atol=1e-3)  # anti-aliasing float rounding
    assert out["label"].dtype == torch.int64 and out["label"].item() == 4


def test_classification_value_range_and_upsizing(tmp_path):
    path = _write_pil(tmp_path / "small.png", _pixels(width=5, height=3))
    image = classification_transforms(image_size=(16, 16))({"image": str(path)})["image"]
    assert image.shape == (3, 16, 16)
    mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)
    unit = image.as_tensor() * std + mean  # back to the [0, 1] scale
    assert unit.min() >= -1e-5 and unit.max() <= 1 + 1e-5


def _lesion_pair(tmp_path, size: int = 8) -> dict[str, str]:
    """An image whose red channel is 255 exactly on an asymmetric lesion mask, and that mask as 0/255."""
    lesion = np.zeros((size, size), dtype=bool)
    lesion[1:4, 1:6] = True
    lesion[4:7, 2:3] = True
    pixels = _pixels(size, size, seed=1) // 2  # red channel below 128 off the lesion
    pixels[..., 0] = np.where(lesion, 255, pixels[..., 0])
    image = _write_pil(tmp_path / "lesion.png", pixels)
    mask = _write_pil(tmp_path / "lesion_mask.png", lesion.astype(np.uint8) * 255)
    return {"image": str(image), "label": str(mask)}


@pytest.mark.parametrize("image_size", [(13, 7), (4, 4), (24, 16)])
def test_segmentation_mask_binary_after_nearest_resize(tmp_path, image_size):
    out = segmentation_transforms(image_size=image_size)(_lesion_pair(tmp_path))
    assert out["image"].shape == (3, *image_size) and out["label"].shape == (1, *image_size)
    assert out["label"].dtype == torch.float32
    assert set(out["label"].unique().tolist()) == {0.0, 1.0}


def test_augmentation_keeps_image_and_mask_aligned(tmp_path):
    pair = _lesion_pair(tmp_path)
    original = segmentation_transforms(image_size=(8, 8))(pair)["label"]
    chain = segmentation_transforms(image_size=(8, 8), train=True)
    moved = 0
    for seed in range(12):
        chain.set_random_state(seed=seed)
        out = chain(pair)
        red, lesion = out["image"][0], out["label"][0] > 0
        # colour jitter is monotonic per channel: the lesion stays strictly brighter in red than the skin
        assert red[lesion].min() > red[~lesion].max()
        moved += not torch.equal(out["label"].as_tensor(), original.as_tensor())
    assert moved > 0  # the random flips / rotations did act


def test_fixed_seed_reproducible(tmp_path):
    pair = _lesion_pair(tmp_path)
    chain = segmentation_transforms(image_size=(8, 8), train=True)
    first = chain.set_random_state(seed=3)(pair)
    second = chain.set_random_state(seed=3)(pair)
    assert torch.equal(first["image"].as_tensor(), second["image"].as_tensor())


@pytest.mark.parametrize("factory", [classification_transforms, segmentation_transforms])
def test_random_steps_follow_the_cached_prefix(factory):
    train = factory(image_size=(8, 8), train=True).transforms
    first_random = next(i for i, t in enumerate(train) if isinstance(t, RandomizableTrait))
    prefix = train[:first_random]
    assert isinstance(prefix[0], LoadImaged) and isinstance(prefix[-1], Resized)
    assert not any(isinstance(t, RandomizableTrait) for t in factory(image_size=(8, 8)).transforms)


def test_zero_probability_removes_step():
    chain = classification_transforms(image_size=(8, 8), train=True, augment={"flip_prob": 0.0})
    assert not any(isinstance(t, RandFlipd) for t in chain.transforms)


ARTEFACTS = {"hair_prob": 1.0, "frame_prob": 1.0, "illumination_prob": 1.0}


def test_artefacts_off_by_default_and_on_by_option():
    def kinds(augment):
        return {type(t) for t in classification_transforms(image_size=(8, 8), train=True, augment=augment).transforms}

    assert not kinds(None) & {RandHairsd, RandDermoscopeFramed, RandBiasFieldd}
    assert kinds(ARTEFACTS) >= {RandHairsd, RandDermoscopeFramed, RandBiasFieldd}


def test_artefacts_change_the_image_not_the_mask(tmp_path):
    pair = _lesion_pair(tmp_path, size=32)
    no_motion = {"flip_prob": 0.0, "rotate90_prob": 0.0}
    plain = segmentation_transforms(image_size=(32, 32))(pair)
    chain = segmentation_transforms(image_size=(32, 32), train=True, augment={**ARTEFACTS, **no_motion})
    out = chain.set_random_state(seed=0)(pair)
    assert torch.equal(out["label"].as_tensor(), plain["label"].as_tensor())
    assert not torch.allclose(out["image"].as_tensor(), plain["image"].as_tensor())


def test_colour_constancy_off_by_default_and_last_before_normalisation(tmp_path):
    path = str(_write_pil(tmp_path / "photo.png", _pixels(16, 12)))
    assert not any(isinstance(t, ShadesOfGrayd) for t in inference_transforms(image_size=(8, 8)).transforms)
    train = classification_transforms(image_size=(8, 8), train=True, colour_constancy=6).transforms
    position = next(i for i, t in enumerate(train) if isinstance(t, ShadesOfGrayd))
    assert not any(isinstance(t, RandomizableTrait) for t in train[position:])  # after every augmentation
    # the inference chain: ImageNet normalisation of the Shades-of-Gray corrected [0, 1] image
    scaled = inference_transforms(image_size=(8, 8)).transforms[:-2]
    mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)
    expected = (ShadesOfGray(2)(Compose(scaled)({"image": path})["image"]) - mean) / std
    corrected = inference_transforms(image_size=(8, 8), colour_constancy=2)({"image": path})["image"]
    torch.testing.assert_close(corrected.as_tensor(), expected.as_tensor().float())


def test_cache_dataset_batches(tmp_path):
    pair = _lesion_pair(tmp_path)
    chain = segmentation_transforms(image_size=(8, 8), train=True)
    dataset = CacheDataset([pair, pair, pair], transform=chain, cache_rate=1.0, num_workers=0, progress=False)
    batch = next(iter(DataLoader(dataset, batch_size=3)))
    assert batch["image"].shape == (3, 3, 8, 8) and batch["label"].shape == (3, 1, 8, 8)


@pytest.mark.parametrize("name, writer", [("photo.png", _write_pil), ("photo.nii.gz", _write_nifti)])
@pytest.mark.parametrize("width, height, image_size", [(10, 6, (8, 8)), (5, 9, (16, 12))])
def test_inference_inverts_to_original_size(tmp_path, name, writer, width, height, image_size):
    path = writer(tmp_path / name, _pixels(width, height))
    chain = inference_transforms(image_size=image_size)
    data = chain({"image": str(path)})
    assert data["image"].shape == (3, *image_size)
    data["pred"] = MetaTensor(torch.rand(1, *image_size))
    inverted = Invertd(keys="pred", transform=chain, orig_keys="image", nearest_interp=False)(data)
    assert inverted["pred"].shape == (1, width, height)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_size": (0, 8)}, "image_size"),
        ({"image_size": (8, 8, 8)}, "image_size"),
        ({"image_size": (8.5, 8)}, "image_size"),
        ({"augment": {"flip": 0.5}}, "unknown augment"),
        ({"augment": {"flip_prob": 1.5}}, "flip_prob"),
        ({"augment": {"scale_intensity_factor": -0.1}}, "scale_intensity_factor"),
        ({"augment": {"contrast_gamma": (1.2, 0.8)}}, "contrast_gamma"),
        ({"augment": {"hair_prob": 1.5}}, "hair_prob"),
        ({"augment": {"frame_prob": -0.1}}, "frame_prob"),
        ({"augment": {"max_hairs": 0}}, "max_hairs"),
        ({"augment": {"illumination_coeff": -0.1}}, "illumination_coeff"),
        ({"image_size": (12, 8), "train": True}, "square"),
    ],
)
@pytest.mark.parametrize("factory", [classification_transforms, segmentation_transforms])
def test_ill_options(factory, kwargs, match):
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


def test_non_square_without_rotation():
    chain = segmentation_transforms(image_size=(12, 8), train=True, augment={"rotate90_prob": 0.0})
    assert len(chain.transforms) > len(segmentation_transforms(image_size=(12, 8)).transforms)
    with pytest.raises(ValueError, match="image_size"):
        inference_transforms(image_size=(8, -1))


def test_contrastive_views_are_two_independent_draws(tmp_path):
    path = _write_pil(tmp_path / "photo.png", _pixels(16, 12))
    chain = contrastive_transforms(image_size=(8, 8)).set_random_state(seed=0)
    data = chain({"image": str(path)})
    first, second = data["image"], data["image_view"]
    assert first.shape == second.shape == (3, 8, 8) and first.dtype == second.dtype == torch.float32
    assert not torch.equal(first.as_tensor(), second.as_tensor())
    again = contrastive_transforms(image_size=(8, 8)).set_random_state(seed=0)({"image": str(path)})
    assert torch.equal(first.as_tensor(), again["image"].as_tensor())


def test_contrastive_views_without_randomness_equal_the_inference_image(tmp_path):
    path = _write_pil(tmp_path / "photo.png", _pixels(16, 12))
    off = {key: 0.0 for key in ("flip_prob", "rotate90_prob", "scale_intensity_prob", "shift_intensity_prob",
                                "contrast_prob")}
    chain = contrastive_transforms(image_size=(8, 8), crop_min_scale=1.0, blur_prob=0.0, augment=off)
    data = chain({"image": str(path)})
    reference = inference_transforms(image_size=(8, 8))({"image": str(path)})["image"]
    for key in ("image", "image_view"):
        assert torch.allclose(data[key].as_tensor(), reference.as_tensor(), atol=1e-6)


def test_contrastive_load_and_resize_are_cached():
    chain = contrastive_transforms(image_size=(8, 8)).transforms
    first_random = next(i for i, t in enumerate(chain) if isinstance(t, RandomizableTrait))
    assert isinstance(chain[0], LoadImaged) and any(isinstance(t, Resized) for t in chain[:first_random])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"crop_min_scale": 0.0}, "crop_min_scale"),
        ({"crop_min_scale": 1.5}, "crop_min_scale"),
        ({"blur_prob": -0.1}, "blur_prob"),
        ({"view_key": "image"}, "view_key"),
        ({"augment": {"hue": 0.1}}, "unknown augment"),
        ({"image_size": (12, 8)}, "square"),
    ],
)
def test_contrastive_ill_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        contrastive_transforms(**kwargs)
