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
"""Names fixed by the ISIC 2018 challenge layout (Task 1 segmentation, Task 3 classification)."""

from __future__ import annotations

ISIC_CLASSES: tuple[str, ...] = ("MEL", "NV", "BCC", "AKIEC", "BKL", "DF", "VASC")
"""Task 3 diagnosis columns, in the order of the ground-truth CSV."""

TASK3_INPUT_DIR = "ISIC2018_Task3_Training_Input"
TASK3_GT_DIR = "ISIC2018_Task3_Training_GroundTruth"
TASK3_GT_CSV = "ISIC2018_Task3_Training_GroundTruth.csv"
TASK1_INPUT_DIR = "ISIC2018_Task1-2_Training_Input"
TASK1_GT_DIR = "ISIC2018_Task1_Training_GroundTruth"
TASK1_MASK_SUFFIX = "_segmentation.png"

IMAGE_SUFFIXES: tuple[str, ...] = (
    ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"
)
"""File endings read as images; anything else in an input folder (ATTRIBUTION.txt, LICENSE.txt) is ignored."""
