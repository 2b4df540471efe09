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
"""Every check of an inference run before any work: its output folder, its images and their output names."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from bundle.data.datalist import write_problems_report
from bundle.data.image_files import inference_items
from bundle.data.output_layout import PROBLEMS_REPORT, mask_path, output_folder_problem, remove_stale
from bundle.data.validation import MAX_PIXELS, DataProblem, DataValidationError, validate_items

__all__ = ["checked_inference_items"]

logger = logging.getLogger(__name__)


def checked_inference_items(
    input_dir: str | os.PathLike | None,
    datalist: str | os.PathLike | None,
    key: str | Sequence[str],
    output_dir: str | os.PathLike,
    skip_bad: bool = False,
    min_size: int = 0,
    max_pixels: int | None = MAX_PIXELS,
) -> list[dict]:
    """The images to segment (see ``inference_items``), once every check has passed.

    Checks, in order: the output folder takes files (else nothing else is looked at); every image decodes fully
    and is readable by the loading chain (``check_image``); no two images write the same ``<id>_mask.png``.
    Only then is the output folder created, and temporary files an interrupted run left in it removed.

    Args:
        input_dir, datalist, key: where the images are (``inference_items``).
        output_dir: the output folder.
        skip_bad: segment the good images and list the bad ones in ``<output_dir>/problems.json``, instead of
            stopping.
        min_size: smallest accepted width and height.
        max_pixels: largest accepted width x height, judged before decoding (decompression bombs).

    Raises:
        SystemExit: with one message listing every problem, ``path: problem`` per line (a config expression's
            other errors would reach the user as a traceback of MONAI's config parser).
    """
    folder_problem = output_folder_problem(output_dir)
    if folder_problem is not None:
        raise SystemExit(str(DataValidationError([folder_problem])))
    try:
        items = inference_items(input_dir, datalist, key)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(str(error)) from None
    valid, problems = validate_items(items, min_size=min_size, max_pixels=max_pixels)
    valid, collisions = _without_collisions(valid, output_dir)
    problems = [*problems, *collisions]
    if problems and not skip_bad:
        raise SystemExit(f"{DataValidationError(problems)}\nNothing was written; --skip_bad segments the others.")
    if not valid:
        raise SystemExit(f"{DataValidationError(problems)}\nNo image is left to segment.")
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    if problems:
        report = write_problems_report(Path(output_dir) / PROBLEMS_REPORT, problems)
        logger.warning("%d image(s) left out, listed in %s", len(problems), report)
    remove_stale(output_dir)
    return valid


def _without_collisions(items: list[dict], output_dir: str | os.PathLike) -> tuple[list[dict], list[DataProblem]]:
    """Drop the images whose mask name another image also has (``case7.jpg`` and ``case7.png``), naming both."""
    by_output: dict[Path, list[str]] = defaultdict(list)
    for item in items:
        by_output[mask_path(output_dir, item["image"])].append(str(item["image"]))
    clashing = {output: images for output, images in by_output.items() if len(images) > 1}
    problems = [DataProblem(image, f"writes {output.name}, as does {', '.join(sorted(set(images) - {image}))}")
                for output, images in clashing.items() for image in images]
    colliding = {image for images in clashing.values() for image in images}
    return [item for item in items if str(item["image"]) not in colliding], problems
