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
"""Networks: the truncated ResNet trunk, the attention-manifold network, the GradCAM baselines' classifier, the
contrastive pre-training network and local pretrained-weight loading."""

from __future__ import annotations

from .attention_manifold_net import AttentionManifoldNet
from .contrastive_net import ContrastiveNet
from .pretrained import load_checkpoint, load_resnet_weights
from .resnet_classifier import ResNetClassifier
from .resnet_trunk import ResNetTrunk

__all__ = [
    "AttentionManifoldNet",
    "ContrastiveNet",
    "ResNetClassifier",
    "ResNetTrunk",
    "load_checkpoint",
    "load_resnet_weights",
]
