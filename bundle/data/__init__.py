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
"""Data: ISIC 2018 reading and validation, the synthetic set, splits, datalists, class-balanced sampling, the
checked inputs of inference and where every stage writes."""

from __future__ import annotations

from .class_balance import class_balanced_sampler
from .datalist import as_segmentation_pairs, load_datalist, write_full_supervision_datalist
from .generic_importer import import_labelled_folder
from .image_files import image_id, inference_items, list_image_files
from .inference_inputs import checked_inference_items
from .isic_reader import prepare_isic
from .output_layout import map_path, mask_path
from .validation import DataProblem, DataValidationError

__all__ = [
    "DataProblem",
    "DataValidationError",
    "as_segmentation_pairs",
    "class_balanced_sampler",
    "checked_inference_items",
    "image_id",
    "import_labelled_folder",
    "inference_items",
    "list_image_files",
    "load_datalist",
    "map_path",
    "mask_path",
    "prepare_isic",
    "write_full_supervision_datalist",
]
