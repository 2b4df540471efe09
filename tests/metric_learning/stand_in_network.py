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
"""A tiny network with the AttentionManifoldNet interface and a tiny labelled image set, shared by DCML tests."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from monai.data import Dataset
from torch import nn


class StandInManifoldNet(nn.Module):
    """Conv features, a sigmoid attention map, attention-weighted pooling and a linear embedding split in learners.

    ``pooled_features_modes`` records ``self.training`` at every ``pooled_features`` call.
    """

    def __init__(self, in_channels: int = 3, features: int = 8, embedding_dim: int = 8, num_learners: int = 2) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, features, 3, padding=1)
        self.attention = nn.Conv2d(features, 1, 1)
        self.fc = nn.Linear(features, embedding_dim)
        self.embedding_dim = embedding_dim
        self.num_learners = num_learners
        self.pooled_features_modes: list[bool] = []

    def learner_slices(self) -> list[slice]:
        size = math.ceil(self.embedding_dim / self.num_learners)
        return [slice(k * size, min((k + 1) * size, self.embedding_dim)) for k in range(self.num_learners)]

    def pooled_features(self, x: torch.Tensor) -> torch.Tensor:
        self.pooled_features_modes.append(self.training)
        return F.normalize(F.relu(self.conv(x)).mean(dim=(2, 3)), dim=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = F.relu(self.conv(x))
        attention = torch.sigmoid(self.attention(features))
        embedding = self.fc((features * attention).mean(dim=(2, 3)))
        embedding = torch.cat([F.normalize(embedding[:, s], dim=1) for s in self.learner_slices()], dim=1)
        return embedding, attention


def make_labelled_images(num_classes: int = 4, per_class: int = 8, size: int = 8, seed: int = 0) -> Dataset:
    """A MONAI Dataset of ``{"image": (3, size, size), "label": int, "index": int}``, classes told apart by colour."""
    generator = torch.Generator().manual_seed(seed)
    colours = torch.rand(num_classes, 3, 1, 1, generator=generator)
    data = []
    for index in range(num_classes * per_class):
        label = index % num_classes
        noise = 0.1 * torch.randn(3, size, size, generator=generator)
        data.append({"image": colours[label] + noise, "label": label, "index": index})
    return Dataset(data)
