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
"""One training step of a deep graph cut network, as a ``SupervisedTrainer`` ``iteration_update``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from ignite.engine import Engine, Events
from monai.engines import SupervisedTrainer
from monai.engines.utils import IterationEvents
from monai.utils import CommonKeys

from bundle.engines.plain_step import check_plain_engine, finish_step
from bundle.maps import FeatureExtractor
from bundle.proxy.dynamic_supervision import DynamicSupervision

__all__ = ["DeepGraphCutIteration"]

logger = logging.getLogger(__name__)

CUT_SHARE = "cut_share"
"""``engine.state.metrics`` key of the share of the step time spent regrowing the supervision (the last epoch)."""


class DeepGraphCutIteration:
    """Train a segmentation network on supervision regrown by graph cuts over its own features (DGCN).

    Every ``update_interval`` iterations, the network's current softmax and node features (``feature_extractor``:
    one pass in eval mode) regrow the batch's labels from their seeds (:py:meth:`DynamicSupervision.update`);
    otherwise the labels last grown (at first, the seeds) are used. Labels are upsampled (nearest) to the image,
    image and labels are flipped together at random, and the loss is ``engine.loss_function(logits, labels)``
    (the balanced seeding loss) plus ``boundary_weight * boundary_loss(logits, images)``.

    Fires MONAI's ``IterationEvents`` and returns ``{"image", "label", "pred": detached logits, "loss"}`` like
    MONAI's own iteration; the network runs through the trainer's ``inferer``. Gradient accumulation and MONAI's
    ``amp`` are not supported (mixed precision: an ``AutocastInferer``). ``attach(trainer)`` puts the cut's share of
    the step time in ``engine.state.metrics`` at each epoch's end and logs it.

    Args:
        supervision: the per-image labels and their seeds' thresholds.
        feature_extractor: node features of the trainer's network on the seeds' grid.
        update_interval: iterations between two regrowings (1: every step).
        boundary_loss: e.g. :py:class:`bundle.losses.CRFBoundaryLoss`; None: seeding loss only.
        boundary_weight: weight of the boundary loss.
        flip_prob: probability of a flip along each spatial axis, drawn per batch.
        image_key: batch key of the (B, C, H, W) images (MetaTensors: their file names key the supervision).
        map_key: batch key of the (B, 1, gh, gw) seed maps on the grid.
    """

    def __init__(
        self,
        supervision: DynamicSupervision,
        feature_extractor: FeatureExtractor,
        update_interval: int = 1,
        boundary_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        boundary_weight: float = 1.0,
        flip_prob: float = 0.5,
        image_key: str = CommonKeys.IMAGE,
        map_key: str = "map",
    ) -> None:
        if isinstance(update_interval, bool) or not isinstance(update_interval, int) or update_interval < 1:
            raise ValueError(f"update_interval must be an int >= 1, got {update_interval!r}.")
        if not 0.0 <= flip_prob <= 1.0:
            raise ValueError(f"flip_prob must be in [0, 1], got {flip_prob}.")
        self.supervision = supervision
        self.feature_extractor = feature_extractor
        self.update_interval = update_interval
        self.boundary_loss = boundary_loss
        self.boundary_weight = boundary_weight
        self.flip_prob = flip_prob
        self.image_key = image_key
        self.map_key = map_key
        self._seconds = {"cut": 0.0, "step": 0.0}

    def attach(self, engine: Engine) -> None:
        engine.add_event_handler(Events.EPOCH_STARTED, self._reset_timing)
        engine.add_event_handler(Events.EPOCH_COMPLETED, self._report_timing)

    def __call__(self, engine: SupervisedTrainer, batchdata: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        check_plain_engine(engine)
        started = time.perf_counter()
        device = engine.state.device
        images = batchdata[self.image_key].to(device)
        keys = [str(name) for name in batchdata[self.image_key].meta["filename_or_obj"]]
        seeds = self.supervision.seeds(batchdata[self.map_key].to(device))
        if (engine.state.iteration - 1) % self.update_interval == 0:
            labels = self._regrown(keys, seeds, images)
        else:
            labels = self.supervision.labels(keys, seeds)
        labels = F.interpolate(labels.float(), size=images.shape[2:], mode="nearest").long()
        images, labels = self._flipped(images.as_tensor() if hasattr(images, "as_tensor") else images, labels)
        engine.state.output = {CommonKeys.IMAGE: images, CommonKeys.LABEL: labels}

        engine.network.train()
        engine.optimizer.zero_grad(set_to_none=engine.optim_set_to_none)
        logits = engine.inferer(images, engine.network)
        engine.fire_event(IterationEvents.FORWARD_COMPLETED)
        loss = engine.loss_function(logits, labels)
        if self.boundary_loss is not None and self.boundary_weight > 0:
            loss = loss + self.boundary_weight * self.boundary_loss(logits, images)
        output = finish_step(engine, loss, logits)
        self._seconds["step"] += time.perf_counter() - started
        return output

    def _regrown(self, keys: list[str], seeds: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        started = time.perf_counter()
        features, logits = self.feature_extractor.extract(images)
        labels = self.supervision.update(keys, seeds, torch.softmax(logits.float(), dim=1), features)
        self._seconds["cut"] += time.perf_counter() - started
        return labels

    def _flipped(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        axes = [axis for axis in (2, 3) if torch.rand(()) < self.flip_prob]
        return (images.flip(axes), labels.flip(axes)) if axes else (images, labels)

    def _reset_timing(self) -> None:
        self._seconds = {"cut": 0.0, "step": 0.0}

    def _report_timing(self, engine: Engine) -> None:
        share = self._seconds["cut"] / max(self._seconds["step"], 1e-9)
        engine.state.metrics[CUT_SHARE] = share
        logger.info("epoch %d: regrowing the supervision took %.1f%% of the step time (%.1f of %.1f s)",
                    engine.state.epoch, 100 * share, self._seconds["cut"], self._seconds["step"])
