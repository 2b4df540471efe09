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
"""Evaluation: retrieval metrics, segmentation scores, label-free baselines, Table 1 and its figure."""

from __future__ import annotations

from .centred_disk import CentredDiskBaseline
from .dice_strip_plot import write_dice_strip_plot
from .equal_area_masks import EqualAreaMasks, top_area_mask
from .gathered_epoch_metric import GatheredEpochMetric
from .normalized_mutual_info import NormalizedMutualInfo
from .otsu_threshold import OtsuBaseline
from .recall_at_k import RecallAtK
from .segmentation_metrics import evaluate_folder, read_mask, segmentation_scores
from .table1_evaluation import Table1Evaluation
from .table1_report import Table1Report

__all__ = [
    "CentredDiskBaseline",
    "EqualAreaMasks",
    "GatheredEpochMetric",
    "NormalizedMutualInfo",
    "OtsuBaseline",
    "RecallAtK",
    "Table1Evaluation",
    "Table1Report",
    "evaluate_folder",
    "read_mask",
    "segmentation_scores",
    "top_area_mask",
    "write_dice_strip_plot",
]
