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
"""One training step of divide-and-conquer metric learning, as a ``SupervisedTrainer`` ``iteration_update``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from monai.engines import SupervisedTrainer
from monai.engines.utils import IterationEvents
from monai.utils import CommonKeys, convert_to_tensor

from bundle.engines.plain_step import check_plain_engine, finish_step
from bundle.metric_learning import CLUSTER_KEY
from bundle.utils import unwrap_module


class ManifoldIteration:
    """Train the learner owning the batch's cluster on its slice of the embedding.

    Pass an instance as ``SupervisedTrainer(iteration_update=...)``. The trainer's ``network``, called through the
    trainer's ``inferer``, returns ``(embedding (B, d), attention (B, 1, h, w))`` and provides ``learner_slices()``;
    its ``loss_function`` is called as ``loss(embedding_slice (B, d_k), labels (B,), learner)`` (a
    ``DivideAndConquerLoss``). All samples of a batch come from one cluster (``ClusterBatchLoader``), whose id picks
    the learner.

    Like MONAI's own iteration, the step fires ``IterationEvents`` (``FORWARD_COMPLETED``, ``LOSS_COMPLETED``,
    ``BACKWARD_COMPLETED``, ``MODEL_COMPLETED``) so decollation, post-processing and handlers keep working, and
    returns ``{"image", "label", "pred": detached embedding, "loss": detached scalar}`` (a list of per-sample
    dictionaries once the trainer decollates). Gradient accumulation and MONAI's ``amp`` are not supported (mixed
    precision: an ``AutocastInferer``).

    Args:
        image_key: batch key of the (B, C, H, W) images.
        label_key: batch key of the (B,) integer class labels.
        cluster_key: batch key of the (B,) cluster ids.
    """

    def __init__(
        self, image_key: str = CommonKeys.IMAGE, label_key: str = CommonKeys.LABEL, cluster_key: str = CLUSTER_KEY
    ) -> None:
        self.image_key = image_key
        self.label_key = label_key
        self.cluster_key = cluster_key

    def __call__(self, engine: SupervisedTrainer, batchdata: Mapping[str, Any]) -> Any:
        check_plain_engine(engine)
        device, non_blocking = engine.state.device, engine.non_blocking
        images = batchdata[self.image_key].to(device, non_blocking=non_blocking)
        labels = convert_to_tensor(batchdata[self.label_key], track_meta=False).to(device, non_blocking=non_blocking)
        if labels.numel() == len(images):  # (B,) or (B, 1) class ids; anything else is refused by the loss
            labels = labels.reshape(len(images)).long()
        learner = self._learner_of(batchdata[self.cluster_key])
        engine.state.output = {CommonKeys.IMAGE: images, CommonKeys.LABEL: labels}

        engine.network.train()
        engine.optimizer.zero_grad(set_to_none=engine.optim_set_to_none)
        embedding, _ = engine.inferer(images, engine.network)
        engine.fire_event(IterationEvents.FORWARD_COMPLETED)
        loss = engine.loss_function(self._learner_embedding(engine.network, embedding, learner), labels, learner)
        return finish_step(engine, loss, embedding)

    @staticmethod
    def _learner_of(clusters: torch.Tensor) -> int:
        """The single cluster id shared by every sample of the batch."""
        cluster_ids = torch.unique(torch.as_tensor(clusters))
        if len(cluster_ids) != 1:
            raise ValueError(f"a batch must come from one cluster, got cluster ids {cluster_ids.tolist()}.")
        return int(cluster_ids[0])

    @staticmethod
    def _learner_embedding(network: torch.nn.Module, embedding: torch.Tensor, learner: int) -> torch.Tensor:
        """(B, d_k) slice of ``embedding`` owned by ``learner``; the whole embedding when one learner is active."""
        slices = unwrap_module(network).learner_slices()
        if not 0 <= learner < len(slices):
            raise ValueError(f"cluster id {learner} has no learner: the network has {len(slices)} learner(s).")
        return embedding if len(slices) == 1 else embedding[:, slices[learner]]
