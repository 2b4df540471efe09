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
"""MONAI Label app serving the skin_lesion_wss release: lesion masks, attention-map proposals, U-net fine-tuning.

    monailabel start_server --app scripts/monailabel/app --studies <images> \
        --conf bundle <unzipped release>/skin_lesion_wss --host 127.0.0.1 --port 8000

(`make monailabel` does this with MONAI Label's own environment and the release of the last pipeline run.)
Models: ``lesion`` (the U-net of ``models/model.pt``), ``attention`` (the manifold's attention map at T, from
``models/attention.pt``); trainer ``lesion`` fine-tunes the U-net on the datastore's saved labels through the
release's ``configs/train.yaml`` and writes ``models/model.pt``, which the next ``/infer/lesion`` loads.
``--conf skip_trainers true`` serves without training.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from fastapi import HTTPException
from lib.release_infer_task import ReleaseInferTask  # the app's own tasks: MONAI Label puts the app folder on sys.path
from monailabel.interfaces.app import MONAILabelApp
from monailabel.interfaces.tasks.infer_v2 import InferTask
from monailabel.interfaces.tasks.strategy import Strategy
from monailabel.interfaces.tasks.train import TrainTask
from monailabel.tasks.activelearning.first import First
from monailabel.tasks.activelearning.random import Random
from monailabel.tasks.train.bundle import BundleTrainTask
from monailabel.utils.others.generic import strtobool

logger = logging.getLogger(__name__)

# model name -> (config, weights under models/, description)
MODELS = {
    "lesion": ("inference.yaml", "model.pt", "Skin lesion mask (U-net trained from image-level labels only)"),
    "attention": ("inference_attention.yaml", "attention.pt", "Attention-map proposal of the manifold, at T"),
}


class MyApp(MONAILabelApp):
    """The release at ``--conf bundle <folder>`` (default ``<app>/model/skin_lesion_wss``) as two models."""

    def __init__(self, app_dir: str, studies: str, conf: dict[str, str]) -> None:
        self.release = os.path.realpath(conf.get("bundle", os.path.join(app_dir, "model", "skin_lesion_wss")))
        metadata_file = os.path.join(self.release, "configs", "metadata.json")
        if not os.path.isfile(metadata_file):
            raise FileNotFoundError(f"{self.release}: not an unzipped skin_lesion_wss release (no {metadata_file}).")
        with open(metadata_file) as stream:
            metadata = json.load(stream)
        sys.path.insert(0, self.release)  # the release's `bundle` package checks each request's image
        super().__init__(
            app_dir=app_dir,
            studies=studies,
            conf=conf,
            name=f"{metadata['name']} {metadata['version']}",
            description=metadata["description"],
            version=metadata["version"],
        )

    def infer(self, request: dict[str, Any], datastore: Any = None) -> dict[str, Any]:
        """MONAI Label's inference, after a 404 naming an image id the datastore does not hold."""
        image = request.get("image")
        store = datastore or self.datastore()
        if isinstance(image, str) and not (os.path.exists(image) or store.get_image_uri(image)):
            raise HTTPException(status_code=404, detail=f"image id {image!r}: no such image in the datastore")
        return super().infer(request, datastore)

    def init_infers(self) -> dict[str, InferTask]:
        return {name: ReleaseInferTask(self.release, self.conf, *spec) for name, spec in MODELS.items()}

    def init_trainers(self) -> dict[str, TrainTask]:
        if strtobool(self.conf.get("skip_trainers", "false")):
            return {}
        return {"lesion": BundleTrainTask(self.release, self.conf)}

    def init_strategies(self) -> dict[str, Strategy]:
        return {"first": First(), "random": Random()}
