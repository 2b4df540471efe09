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
"""Ready-made transform chains (MONAI ``Compose``) for loading, classification, segmentation and inference.

The chains keep the bundle's YAML configs short: a config calls e.g.
``$bundle.transforms.classification_transforms(image_size=[224, 224], train=True)``.

Caching: configs wrap the training and validation data in ``monai.data.CacheDataset`` with these chains.
CacheDataset runs and stores the transforms up to the first random one, so every chain is one flat ``Compose``
(a nested ``Compose`` counts as random and would stop the cache) ordered as load -> scale to [0, 1] -> resize
(deterministic and expensive, hence cached) -> random augmentations (training only) -> optional colour constancy,
ImageNet normalisation and type conversion (cheap, recomputed every epoch so the colour augmentations act on
[0, 1] intensities).

Array convention: 2D images load in ITK order, so spatial axes are (W, H) and ``image_size`` is (W, H) too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import torch
from monai.config import KeysCollection
from monai.data import ImageReader
from monai.transforms import (
    Compose,
    CopyItemsd,
    EnsureTyped,
    LoadImaged,
    NormalizeIntensityd,
    RandAdjustContrastd,
    RandBiasFieldd,
    RandFlipd,
    RandGaussianSmoothd,
    RandRotate90d,
    RandScaleIntensityd,
    RandShiftIntensityd,
    RandSpatialCropd,
    Resized,
    ScaleIntensityRanged,
    Transform,
)
from monai.utils import ensure_tuple

from bundle.transforms.binarize_mask import BinarizeMaskd
from bundle.transforms.ensure_rgb import EnsureRGBd
from bundle.transforms.rand_dermoscope_frame import RandDermoscopeFramed
from bundle.transforms.rand_hairs import RandHairsd
from bundle.transforms.rgb_pil_reader import RGBPILReader
from bundle.transforms.shades_of_gray import ShadesOfGrayd

__all__ = [
    "CONTRASTIVE_AUGMENT",
    "DEFAULT_AUGMENT",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "classification_transforms",
    "contrastive_transforms",
    "inference_transforms",
    "load_transforms",
    "seed_map_transforms",
    "segmentation_transforms",
]

IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)
UINT8_MAX = 255.0
UINT16_MAX = 65535.0  # maps are written as 16-bit PNGs

DEFAULT_AUGMENT: dict[str, Any] = {
    "flip_prob": 0.5,  # per spatial axis
    "rotate90_prob": 0.5,  # k in {1, 2, 3} quarter turns; needs a square image_size
    "scale_intensity_prob": 0.5,
    "scale_intensity_factor": 0.1,  # intensity * (1 + f), f ~ U(-factor, factor)
    "shift_intensity_prob": 0.5,
    "shift_intensity_offset": 0.05,  # intensity + o, o ~ U(-offset, offset), on the [0, 1] scale
    "contrast_prob": 0.5,
    "contrast_gamma": (0.9, 1.1),
    "colour_channel_wise": True,  # draw scale and shift per channel: a mild colour jitter
    "hair_prob": 0.0,  # RandHairsd: 1..max_hairs dark hairs drawn over the image (not the mask)
    "max_hairs": 8,
    "frame_prob": 0.0,  # RandDermoscopeFramed: dark circular lens frame over the image (not the mask)
    "illumination_prob": 0.0,  # MONAI RandBiasFieldd: smooth uneven lighting, the same field in every channel
    "illumination_coeff": 0.1,  # its polynomial coefficients ~ U(-c, c); log-intensity field of degree 2
}
"""Training augmentations; ``augment`` arguments override single entries. A probability of 0 removes the step."""

CONTRASTIVE_AUGMENT: dict[str, Any] = {
    "scale_intensity_prob": 0.8,
    "scale_intensity_factor": 0.4,
    "shift_intensity_prob": 0.8,
    "shift_intensity_offset": 0.1,
    "contrast_prob": 0.5,
    "contrast_gamma": (0.7, 1.4),
}
"""``DEFAULT_AUGMENT`` overrides of each view of ``contrastive_transforms``: strong per-channel colour jitter, so
that two views of one image cannot be matched by colour alone (SimCLR's lesson) but by texture and structure."""

_PROB_KEYS = (
    "flip_prob",
    "rotate90_prob",
    "scale_intensity_prob",
    "shift_intensity_prob",
    "contrast_prob",
    "hair_prob",
    "frame_prob",
    "illumination_prob",
)


def load_transforms(
    keys: KeysCollection,
    image_key: str = "image",
    mask_keys: KeysCollection = (),
    reader: str | ImageReader | None = None,
    mask_threshold: float = 127,
    allow_16bit_masks: bool = False,
) -> Compose:
    """Load images and masks as channel-first tensors: images (3, W, H) RGB, masks float (1, W, H) in {0, 1}.

    ``reader=None`` lets ``LoadImage`` choose by file suffix: :py:class:`RGBPILReader` for the image's
    .png/.jpg/.jpeg/.bmp/.tif (EXIF orientation, 16-bit, palette and CMYK converted to 8-bit RGB; masks keep MONAI's
    PILReader and their values), NibabelReader for .nii/.nii.gz, ITKReader for the rest (.mha, and .nrrd unless
    pynrrd is installed). Naming a reader (e.g. "PILReader") turns that suffix choice and the RGB conversion off:
    every file then tries the named reader first and falls back to the others through caught exceptions, which
    costs time and logs for every NIfTI/ITK file. Pass one only to override a format's reader.

    Args:
        keys: every key to load (the image, the masks, and any other image-like key).
        image_key: the key converted to RGB by :py:class:`EnsureRGBd`.
        mask_keys: keys binarised by :py:class:`BinarizeMaskd`.
        reader: ``reader`` argument of ``LoadImaged``.
        mask_threshold: see :py:class:`BinarizeMask`.
        allow_16bit_masks: see :py:class:`BinarizeMask`.
    """
    return Compose(_load(keys, image_key, mask_keys, reader, mask_threshold, allow_16bit_masks))


def classification_transforms(
    image_size: Sequence[int] | int = (224, 224),
    train: bool = False,
    image_key: str = "image",
    label_key: str = "label",
    augment: Mapping[str, Any] | None = None,
    reader: str | ImageReader | None = None,
    colour_constancy: float | None = None,
) -> Compose:
    """Image-level chain: image file -> normalised float32 (3, *image_size); integer label -> int64 tensor.

    Args:
        image_size: network input size (W, H), or one int for a square.
        train: add the random augmentations of ``DEFAULT_AUGMENT``.
        image_key: key of the image file name.
        label_key: key of the class index; may be absent (unlabelled inference data).
        augment: overrides of ``DEFAULT_AUGMENT`` entries.
        reader: see :py:func:`load_transforms`.
        colour_constancy: Minkowski norm order of :py:class:`ShadesOfGrayd`, applied after the augmentations and
            before the ImageNet normalisation; ``None``: none.
    """
    size, options = _check_size(image_size), _check_augment(augment)
    transforms = [
        *_load((image_key,), image_key, (), reader),
        *_scale_and_resize(image_key, None, size),
        *(_augment(image_key, None, options, size) if train else []),
        *_normalise(image_key, None, colour_constancy),
        EnsureTyped(keys=label_key, dtype=torch.int64, track_meta=False, allow_missing_keys=True),
    ]
    return Compose(transforms)


def contrastive_transforms(
    image_size: Sequence[int] | int = (224, 224),
    image_key: str = "image",
    view_key: str = "image_view",
    crop_min_scale: float = 0.5,
    blur_prob: float = 0.3,
    augment: Mapping[str, Any] | None = None,
    reader: str | ImageReader | None = None,
    colour_constancy: float | None = None,
) -> Compose:
    """Two random views of each image, for label-free contrastive pre-training: ``image_key`` and ``view_key``,
    each a normalised float32 (3, *image_size).

    Each view is drawn independently: a random crop of ``crop_min_scale`` to 1 of each side resized back to
    ``image_size``, flips and quarter turns, the colour jitter of ``DEFAULT_AUGMENT`` updated with
    ``CONTRASTIVE_AUGMENT`` and ``augment``, and a Gaussian blur with probability ``blur_prob``.

    Args:
        image_size: network input size (W, H), or one int for a square.
        image_key: key of the image file name; holds the first view.
        view_key: key added for the second view.
        crop_min_scale: smallest crop side, as a fraction of the resized image's side, in (0, 1].
        blur_prob: probability of a Gaussian blur of each view.
        augment: overrides of ``DEFAULT_AUGMENT`` entries, after ``CONTRASTIVE_AUGMENT``.
        reader: see :py:func:`load_transforms`.
        colour_constancy: see :py:func:`classification_transforms`.
    """
    size, options = _check_size(image_size), _check_augment({**CONTRASTIVE_AUGMENT, **(augment or {})})
    if not 0.0 < crop_min_scale <= 1.0:
        raise ValueError(f"crop_min_scale must be in (0, 1], got {crop_min_scale}.")
    if not 0.0 <= blur_prob <= 1.0:
        raise ValueError(f"blur_prob must be a probability in [0, 1], got {blur_prob}.")
    if view_key == image_key:
        raise ValueError(f"view_key must differ from image_key, both are {image_key!r}.")
    crop = [max(1, int(side * crop_min_scale)) for side in size]
    transforms: list[Transform] = [
        *_load((image_key,), image_key, (), reader),
        *_scale_and_resize(image_key, None, size),
        CopyItemsd(keys=image_key, names=view_key),
    ]
    for key in (image_key, view_key):  # one random draw per view
        transforms += [
            RandSpatialCropd(keys=key, roi_size=crop, max_roi_size=size, random_size=True),
            Resized(keys=key, spatial_size=size, mode="bilinear"),
            *_augment(key, None, options, size),
            RandGaussianSmoothd(keys=key, prob=blur_prob),
            *_normalise(key, None, colour_constancy),
        ]
    return Compose(transforms)


def segmentation_transforms(
    image_size: Sequence[int] | int = (224, 224),
    train: bool = False,
    image_key: str = "image",
    mask_key: str = "label",
    augment: Mapping[str, Any] | None = None,
    reader: str | ImageReader | None = None,
    mask_threshold: float = 127,
    allow_16bit_masks: bool = False,
) -> Compose:
    """Pixel-level chain: image -> normalised float32 (3, *image_size), mask -> float32 (1, *image_size) in {0, 1}.

    The mask is resized with nearest interpolation; flips and rotations act on image and mask jointly, colour
    augmentations on the image only.

    Args:
        image_size: network input size (W, H), or one int for a square.
        train: add the random augmentations of ``DEFAULT_AUGMENT``.
        image_key: key of the image file name.
        mask_key: key of the mask file name.
        augment: overrides of ``DEFAULT_AUGMENT`` entries.
        reader: see :py:func:`load_transforms`.
        mask_threshold: see :py:class:`BinarizeMask`.
        allow_16bit_masks: see :py:class:`BinarizeMask`.
    """
    size, options = _check_size(image_size), _check_augment(augment)
    transforms = [
        *_load((image_key, mask_key), image_key, (mask_key,), reader, mask_threshold, allow_16bit_masks),
        *_scale_and_resize(image_key, mask_key, size),
        *(_augment(image_key, mask_key, options, size) if train else []),
        *_normalise(image_key, mask_key),
    ]
    return Compose(transforms)


def seed_map_transforms(
    image_size: Sequence[int] | int = (224, 224),
    grid_size: Sequence[int] | int = (28, 28),
    train: bool = False,
    image_key: str = "image",
    map_key: str = "map",
    augment: Mapping[str, Any] | None = None,
    reader: str | ImageReader | None = None,
) -> Compose:
    """Chain of the deep graph cut network: image -> normalised float32 (3, *image_size), its lesion map (a 16-bit
    PNG of the proxy stage) -> float32 (1, *grid_size) in [0, 1], the seeds' grid.

    No flips or rotations here: the network's supervision is kept per image in the image's own orientation, and
    the training step flips image and supervision together. Colour and artefact augmentations act on the image.

    Args:
        image_size: network input size (W, H), or one int for a square.
        grid_size: size (W, H) of the graph-cut grid.
        train: add the non-spatial random augmentations of ``DEFAULT_AUGMENT``.
        image_key: key of the image file name.
        map_key: key of the map file name.
        augment: overrides of ``DEFAULT_AUGMENT`` entries; flips and rotations are switched off.
        reader: see :py:func:`load_transforms`.
    """
    size, grid = _check_size(image_size), _check_size(grid_size)
    options = {**_check_augment(augment), "flip_prob": 0.0, "rotate90_prob": 0.0}
    transforms = [
        *_load((image_key, map_key), image_key, (), reader),
        *_scale_and_resize(image_key, None, size),
        ScaleIntensityRanged(keys=map_key, a_min=0.0, a_max=UINT16_MAX, b_min=0.0, b_max=1.0, clip=True),
        Resized(keys=map_key, spatial_size=grid, mode="area"),
        *(_augment(image_key, None, options, size) if train else []),
        *_normalise(image_key, map_key),
    ]
    return Compose(transforms)


def inference_transforms(
    image_size: Sequence[int] | int = (224, 224),
    image_key: str = "image",
    reader: str | ImageReader | None = None,
    colour_constancy: float | None = None,
) -> Compose:
    """Deterministic chain for prediction: image -> normalised float32 MetaTensor (3, *image_size).

    The resize is recorded in the image's ``applied_operations``: ``monai.transforms.Invertd(keys="pred",
    transform=<this chain>, orig_keys=image_key)`` brings a (C, *image_size) prediction back to the original
    (W, H) of the image. The prediction must be a MetaTensor, as a network's output is for a MetaTensor input.

    Args:
        image_size: network input size (W, H), or one int for a square.
        image_key: key of the image file name.
        reader: see :py:func:`load_transforms`.
        colour_constancy: see :py:func:`classification_transforms`; must match the network's training chain.
    """
    size = _check_size(image_size)
    transforms = [
        *_load((image_key,), image_key, (), reader),
        *_scale_and_resize(image_key, None, size),
        *_normalise(image_key, None, colour_constancy),
    ]
    return Compose(transforms)


def _load(
    keys: KeysCollection,
    image_key: str,
    mask_keys: KeysCollection,
    reader: str | ImageReader | None,
    mask_threshold: float = 127,
    allow_16bit_masks: bool = False,
) -> list[Transform]:
    """Return LoadImaged (channel first) of the image, then of the other keys -> EnsureRGBd on the image ->
    BinarizeMaskd on the masks."""
    keys, mask_keys = ensure_tuple(keys), ensure_tuple(mask_keys)
    if image_key not in keys:
        raise ValueError(f"image_key {image_key!r} must be one of keys {keys}.")
    if image_key in mask_keys or not set(mask_keys) <= set(keys):
        raise ValueError(f"mask_keys {mask_keys} must be among keys {keys} and exclude image_key {image_key!r}.")
    load_image = LoadImaged(keys=image_key, reader=reader, image_only=True, ensure_channel_first=True)
    if reader is None:
        load_image.register(RGBPILReader())
    transforms: list[Transform] = [load_image]
    other_keys = tuple(key for key in keys if key != image_key)
    if other_keys:
        transforms.append(LoadImaged(keys=other_keys, reader=reader, image_only=True, ensure_channel_first=True))
    transforms.append(EnsureRGBd(keys=image_key))
    if mask_keys:
        transforms.append(BinarizeMaskd(keys=mask_keys, threshold=mask_threshold, allow_16bit=allow_16bit_masks))
    return transforms


def _scale_and_resize(image_key: str, mask_key: str | None, size: tuple[int, int]) -> list[Transform]:
    """Return 0..255 -> [0, 1] scaling of the image, then resizing (image bilinear, mask nearest)."""
    keys, modes, anti_aliasing = [image_key], ["bilinear"], [True]
    if mask_key is not None:
        keys, modes, anti_aliasing = [image_key, mask_key], ["bilinear", "nearest"], [True, False]
    return [
        ScaleIntensityRanged(keys=image_key, a_min=0.0, a_max=UINT8_MAX, b_min=0.0, b_max=1.0, clip=True),
        Resized(keys=keys, spatial_size=size, mode=modes, anti_aliasing=anti_aliasing),
    ]


def _augment(
    image_key: str, mask_key: str | None, options: Mapping[str, Any], size: tuple[int, int]
) -> list[Transform]:
    """Return the random steps whose probability is positive: joint flips/rotations, then artefacts drawn on the
    image (hairs, lens frame, uneven lighting), then image colour jitter (which then also acts on them)."""
    if options["rotate90_prob"] > 0 and size[0] != size[1]:
        # a quarter turn swaps W and H: samples of one batch would differ in shape
        raise ValueError(
            f"quarter-turn rotations need a square image_size, got {size}; set augment['rotate90_prob'] to 0."
        )
    spatial_keys = [image_key] if mask_key is None else [image_key, mask_key]
    channel_wise = bool(options["colour_channel_wise"])
    candidates: list[tuple[float, Transform]] = [
        (options["flip_prob"], RandFlipd(keys=spatial_keys, prob=options["flip_prob"], spatial_axis=0)),
        (options["flip_prob"], RandFlipd(keys=spatial_keys, prob=options["flip_prob"], spatial_axis=1)),
        (options["rotate90_prob"], RandRotate90d(keys=spatial_keys, prob=options["rotate90_prob"], max_k=3)),
        (options["hair_prob"], RandHairsd(keys=image_key, prob=options["hair_prob"], max_hairs=options["max_hairs"])),
        (options["frame_prob"], RandDermoscopeFramed(keys=image_key, prob=options["frame_prob"])),
        (
            options["illumination_prob"],
            RandBiasFieldd(
                keys=image_key,
                degree=2,
                coeff_range=(-options["illumination_coeff"], options["illumination_coeff"]),
                prob=options["illumination_prob"],
            ),
        ),
        (
            options["scale_intensity_prob"],
            RandScaleIntensityd(
                keys=image_key,
                factors=options["scale_intensity_factor"],
                prob=options["scale_intensity_prob"],
                channel_wise=channel_wise,
            ),
        ),
        (
            options["shift_intensity_prob"],
            RandShiftIntensityd(
                keys=image_key,
                offsets=options["shift_intensity_offset"],
                prob=options["shift_intensity_prob"],
                channel_wise=channel_wise,
            ),
        ),
        (
            options["contrast_prob"],
            RandAdjustContrastd(keys=image_key, prob=options["contrast_prob"], gamma=tuple(options["contrast_gamma"])),
        ),
    ]
    return [transform for prob, transform in candidates if prob > 0]


def _normalise(image_key: str, mask_key: str | None, colour_constancy: float | None = None) -> list[Transform]:
    """Return optional colour constancy and ImageNet normalisation of the image, float32 typing of image (and
    mask)."""
    keys = [image_key] if mask_key is None else [image_key, mask_key]
    # after the augmentations: they imitate other cameras and lights, which the constancy then evens out, as it
    # does for a new image at inference
    constancy = [] if colour_constancy is None else [ShadesOfGrayd(keys=image_key, norm_order=colour_constancy)]
    return [
        *constancy,
        NormalizeIntensityd(keys=image_key, subtrahend=IMAGENET_MEAN, divisor=IMAGENET_STD, channel_wise=True),
        EnsureTyped(keys=keys, dtype=torch.float32),
    ]


def _check_size(image_size: Sequence[int] | int) -> tuple[int, int]:
    """Return ``image_size`` as a (W, H) pair of positive ints."""
    size = tuple(ensure_tuple(image_size))
    if len(size) == 1:
        size = size * 2
    if len(size) != 2 or not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in size):
        raise ValueError(f"image_size must be one or two positive ints (W, H), got {image_size!r}.")
    return int(size[0]), int(size[1])


def _check_augment(augment: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return ``DEFAULT_AUGMENT`` updated with ``augment``, validated."""
    unknown = set(augment or {}) - set(DEFAULT_AUGMENT)
    if unknown:
        raise ValueError(f"unknown augment options {sorted(unknown)}; known: {sorted(DEFAULT_AUGMENT)}.")
    options = {**DEFAULT_AUGMENT, **(augment or {})}
    for key in _PROB_KEYS:
        if not 0.0 <= options[key] <= 1.0:
            raise ValueError(f"augment[{key!r}] must be a probability in [0, 1], got {options[key]}.")
    for key in ("scale_intensity_factor", "shift_intensity_offset", "illumination_coeff"):
        if options[key] < 0:
            raise ValueError(f"augment[{key!r}] must be >= 0, got {options[key]}.")
    max_hairs = options["max_hairs"]
    if isinstance(max_hairs, bool) or not isinstance(max_hairs, Integral) or max_hairs < 1:
        raise ValueError(f"augment['max_hairs'] must be a positive int, got {max_hairs!r}.")
    gamma = tuple(options["contrast_gamma"])
    if len(gamma) != 2 or not 0 < gamma[0] <= gamma[1]:
        raise ValueError(f"augment['contrast_gamma'] must be a (low, high) pair with 0 < low <= high, got {gamma}.")
    return options
