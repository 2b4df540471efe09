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
"""Image and mask validation that reports every problem, each with the file it concerns.

Images are fully decoded (a header check misses truncated JPEGs); masks must be 8-bit, binary 0/255 and the
size of their image. Checks run in a thread pool because PIL releases the GIL while decoding.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bundle.data.image_conversion import PIL_SUFFIXES, SIXTEEN_BIT_MODES, displayed_size, to_rgb

__all__ = [
    "DataProblem",
    "DataValidationError",
    "check_image",
    "check_items",
    "check_mask",
    "checked_items",
    "raise_if_problems",
    "require_valid_items",
    "validate_items",
]

logger = logging.getLogger(__name__)

MASK_VALUES: frozenset[int] = frozenset({0, 255})
MAX_PIXELS = Image.MAX_IMAGE_PIXELS
"""Largest image accepted by default (PIL's decompression-bomb limit, ~89.5 Mpx), checked before decoding."""
_MAX_LISTED_VALUES = 6


@dataclass(frozen=True)
class DataProblem:
    """One problem found in the input data.

    Attributes:
        path: the file (or folder, or CSV) concerned.
        problem: what is wrong, in words a user can act on.
    """

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class DataValidationError(ValueError):
    """Raised when input data has problems; the message lists every one, ``path: problem`` per line.

    Args:
        problems: the problems found, in the order they should be reported (must not be empty).
    """

    def __init__(self, problems: Sequence[DataProblem]) -> None:
        if not problems:
            raise ValueError("DataValidationError needs at least one problem.")
        self.problems: tuple[DataProblem, ...] = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} data problem(s) found:\n{lines}")


def raise_if_problems(problems: Sequence[DataProblem]) -> None:
    """Raise :class:`DataValidationError` listing ``problems`` if there are any."""
    if problems:
        raise DataValidationError(problems)


class _TooLarge(ValueError):
    """An image whose header announces more pixels than allowed; raised before its pixels are decoded."""


class _Unconvertible(ValueError):
    """A decoded image that :func:`to_rgb` refuses (its intensity range is unknown)."""


def check_image(
    path: str | os.PathLike, min_size: int = 0, max_pixels: int | None = MAX_PIXELS
) -> tuple[tuple[int, int] | None, list[DataProblem]]:
    """Decode one image completely, convert it as the loading chain will, and check its size.

    PIL images go through :func:`bundle.data.image_conversion.to_rgb` (EXIF orientation; 16-bit, palette, CMYK and
    other modes to 8-bit RGB), so an image it cannot convert (32-bit float, out-of-range integers) is refused here.

    Args:
        path: the image file.
        min_size: smallest accepted width and height in pixels (0 turns the check off).
        max_pixels: largest accepted width x height, judged from the header before any decoding (a decompression
            bomb is refused without being decoded); None turns the check off.

    Returns:
        ``(size, problems)``: size as displayed (width, height), or None when the image cannot be decoded.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        return None, [DataProblem(where, "image file not found")]
    if path.stat().st_size == 0:
        return None, [DataProblem(where, "image file is empty (0 bytes)")]
    try:
        size = _decode_size(path, max_pixels)
    except (_TooLarge, _Unconvertible) as err:
        return None, [DataProblem(where, str(err))]
    except Exception as err:  # PIL, ITK and nibabel raise many types for a corrupt file
        return None, [DataProblem(where, f"image cannot be decoded ({type(err).__name__}: {err})")]
    if min(size) < min_size:
        return size, [DataProblem(where, f"image is {size[0]}x{size[1]} px, smaller than min_size {min_size}")]
    return size, []


def check_mask(path: str | os.PathLike, image_size: tuple[int, int] | None) -> list[DataProblem]:
    """Check that a mask is an 8-bit 0/255 image of the image's size.

    Args:
        path: the mask file.
        image_size: (width, height) of its image, or None to skip the size comparison.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        return [DataProblem(where, "mask file not found")]
    if path.stat().st_size == 0:
        return [DataProblem(where, "mask file is empty (0 bytes)")]
    try:
        with Image.open(path) as mask:
            mask.load()
            mode, size = mask.mode, mask.size
            values = np.unique(np.asarray(mask)) if mode == "L" else None
    except Exception as err:  # PIL raises many types for a corrupt file
        return [DataProblem(where, f"mask cannot be decoded ({type(err).__name__}: {err})")]
    problems = []
    if image_size is not None and size != tuple(image_size):
        problems.append(
            DataProblem(where, f"mask size {size[0]}x{size[1]} differs from image size {image_size[0]}x{image_size[1]}")
        )
    if mode in SIXTEEN_BIT_MODES:
        problems.append(DataProblem(where, f"mask is 16-bit (mode {mode}); expected 8-bit 0/255"))
    elif mode != "L":
        problems.append(DataProblem(where, f"mask has mode {mode}; expected 8-bit grayscale (mode L) 0/255"))
    elif values is not None and not set(values.tolist()) <= MASK_VALUES:
        shown = ", ".join(str(v) for v in values[:_MAX_LISTED_VALUES].tolist())
        more = ", ..." if len(values) > _MAX_LISTED_VALUES else ""
        problems.append(DataProblem(where, f"mask is not binary (values {shown}{more}); expected 0/255"))
    return problems


def check_items(
    items: Sequence[Mapping[str, str]],
    image_key: str = "image",
    mask_key: str = "mask",
    min_size: int = 0,
    num_workers: int | None = None,
    max_pixels: int | None = MAX_PIXELS,
) -> list[list[DataProblem]]:
    """Check the image (and mask, when the item has one) of every item, in parallel.

    Args:
        items: dicts holding an image path under ``image_key`` and optionally a mask path under ``mask_key``.
        image_key: key of the image path.
        mask_key: key of the mask path; items without it get only the image check.
        min_size: smallest accepted image width and height (0 turns the check off).
        num_workers: threads used; None uses the CPU count.
        max_pixels: see :func:`check_image`.

    Returns:
        one list of problems per item, aligned with ``items`` (empty for a valid item).
    """
    if min_size < 0:
        raise ValueError(f"min_size must be >= 0, got {min_size}.")
    if num_workers is not None and num_workers < 1:
        raise ValueError(f"num_workers must be >= 1 or None, got {num_workers}.")

    def check(item: Mapping[str, str]) -> list[DataProblem]:
        size, problems = check_image(item[image_key], min_size, max_pixels)
        if mask_key in item:
            problems += check_mask(item[mask_key], size)
        return problems

    workers = num_workers or os.cpu_count() or 1
    if workers == 1 or len(items) < 2:
        return [check(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check, items))


def validate_items(
    items: Sequence[Mapping[str, str]],
    min_size: int = 0,
    num_workers: int | None = None,
    max_pixels: int | None = MAX_PIXELS,
) -> tuple[list[Mapping[str, str]], list[DataProblem]]:
    """Split ``items`` into the valid ones and the problems of the others (see :func:`check_items`).

    Returns:
        ``(valid_items, problems)``, both in the order of ``items``.
    """
    per_item = check_items(items, min_size=min_size, num_workers=num_workers, max_pixels=max_pixels)
    valid = [item for item, problems in zip(items, per_item) if not problems]
    return valid, [problem for problems in per_item for problem in problems]


def require_valid_items(
    items: Sequence[Mapping[str, str]], min_size: int = 0, num_workers: int | None = None
) -> list[Mapping[str, str]]:
    """Return ``items`` as a list if every image (and mask) passes :func:`check_items`.

    Raises:
        DataValidationError: listing every problem with its file, before any output is written.
    """
    _, problems = validate_items(items, min_size=min_size, num_workers=num_workers)
    raise_if_problems(problems)
    return list(items)


def checked_items(items: Sequence[Mapping[str, str]], min_size: int = 0) -> list[Mapping[str, str]]:
    """Return ``items`` as a list if every image (and mask) passes :func:`check_items`; for config expressions.

    Raises:
        SystemExit: with one message listing every problem, ``path: problem`` per line (any other error of a
            config expression reaches the user inside a traceback of MONAI's config parser).
    """
    try:
        return require_valid_items(items, min_size=min_size)
    except DataValidationError as error:
        raise SystemExit(f"{error}\nNothing was written for these files.") from None


def _decode_size(path: Path, max_pixels: int | None = None) -> tuple[int, int]:
    """Decode the whole image, convert it with ``to_rgb`` and return its displayed (width, height); raises on a
    corrupt or truncated file, ``_TooLarge`` before decoding a PIL image above ``max_pixels`` and
    ``_Unconvertible`` for an image ``to_rgb`` refuses."""
    if not path.name.lower().endswith(PIL_SUFFIXES):
        return _decode_size_with_monai(path)
    with Image.open(path) as image:  # reads the header only
        size = image.size
        if max_pixels is not None and size[0] * size[1] > max_pixels:
            raise _TooLarge(f"image is {size[0]}x{size[1]} px, above max_pixels {max_pixels}: refused before decoding")
        # A reduced-scale JPEG decode still reads the whole entropy-coded stream, so truncation is caught,
        # at a fraction of the cost of a full-resolution decode.
        image.draft(None, (1, 1))
        image.load()
        try:
            to_rgb(image)
        except ValueError as err:
            raise _Unconvertible(str(err)) from None
        return displayed_size(image, size)


def _decode_size_with_monai(path: Path) -> tuple[int, int]:
    """Decode a non-PIL image (NIfTI, NRRD, MetaImage) with MONAI and return its first two spatial sizes; raises
    on NaN or infinite values, which would make every output of the network NaN."""
    from monai.transforms import LoadImage  # imported lazily: only medical formats need it

    array = LoadImage(image_only=True)(str(path))
    if not np.isfinite(np.asarray(array)).all():
        raise ValueError("the image holds NaN or infinite values")
    # MONAI returns spatial axes in ITK order (W, H, ...), which is already (width, height).
    return int(array.shape[0]), int(array.shape[1])
