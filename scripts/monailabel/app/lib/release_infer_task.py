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
"""MONAI Label inference task for one model of the skin_lesion_wss release, on MONAI Label's ``BundleInferTask``."""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from fastapi import HTTPException
from monai.transforms import SqueezeDimd
from monailabel.interfaces.tasks.infer_v2 import InferType
from monailabel.tasks.infer.bundle import BundleConstants, BundleInferTask


class ReleaseConstants(BundleConstants):
    """MONAI Label's bundle file names, with this model's config and weights instead of the defaults."""

    def __init__(self, config_file: str, model_file: str) -> None:
        self.config_file = config_file
        self.model_file = model_file

    def configs(self) -> Sequence[str]:
        return [self.config_file]

    def model_pytorch(self) -> str:
        return self.model_file


class ReleaseInferTask(BundleInferTask):
    """One model of the release (its config under ``configs/``, its weights under ``models/``) as a 2D task.

    Each request's image is checked first (``bundle.data.validation.check_image``, the check every entry point of
    the bundle uses): an unknown image id answers 404, an image that cannot be read correctly 422, both with the
    file and the problem, and the server goes on. The label is a PNG (0 background, 1 lesion) of the image's size.

    Args:
        path: the unzipped release folder.
        conf: the server's ``--conf`` pairs.
        config_file: the model's config, e.g. ``inference.yaml``.
        model_file: its weights under ``models/``, e.g. ``model.pt``.
        description: shown by ``GET /info/``.
    """

    def __init__(self, path: str, conf: dict[str, str], config_file: str, model_file: str, description: str) -> None:
        super().__init__(path, conf, const=ReleaseConstants(config_file, model_file), type=InferType.SEGMENTATION)
        if not self.is_valid():
            raise ValueError(f"{path}: no release model ({config_file} and models/{model_file}) found.")
        self.description = description
        # a bundle's every models/*.pt is offered by default: this task's weights only, its label as 8-bit PNG
        self._config.update({"model_filename": [model_file], "result_extension": ".png", "result_dtype": "uint8"})

    def __call__(self, request: dict[str, Any], callbacks: Any = None) -> tuple[Any, dict]:
        _check_request_image(request.get("image"))
        return super().__call__(request, callbacks)

    def post_transforms(self, data: Any = None) -> Sequence[Callable]:
        """The bundle's postprocessing and MONAI Label's restore, then the channel dropped: a (W, H) label."""
        return [*super().post_transforms(data), SqueezeDimd(keys="pred", dim=0)]


def _check_request_image(image: Any) -> None:
    """Raise an HTTP 404 for an image file that is not there, a 422 naming the problem for one that cannot be read."""
    from bundle.data.validation import check_image  # the release's package: on sys.path once the app started

    if not isinstance(image, str):
        return  # an array passed in-process: nothing to check on disk
    if not image or not os.path.exists(image):
        raise HTTPException(status_code=404, detail=f"image {image!r}: no such file")
    _, problems = check_image(image)
    if problems:
        raise HTTPException(status_code=422, detail="; ".join(str(problem) for problem in problems))
