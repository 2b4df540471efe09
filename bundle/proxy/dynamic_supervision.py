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
"""The dynamic supervision of a deep graph cut network: seeds regrown by graph cuts over the network's features."""

from __future__ import annotations

from collections.abc import Sequence

import ignite.distributed as idist
import numpy as np
import torch
import torch.nn.functional as F

from bundle.proxy.graph_cut_refiner import GraphCutRefiner, batch_nearest_neighbors

__all__ = ["DynamicSupervision", "seed_labels"]

IGNORE_INDEX = 255
"""The label of unlabelled pixels."""


def seed_labels(maps: torch.Tensor, fg_threshold: float, bg_threshold: float) -> torch.Tensor:
    """Seeds of a batch of lesion maps: 1 where ``map > fg_threshold``, 0 where ``map < bg_threshold``, else
    ``IGNORE_INDEX``.

    Args:
        maps: (B, 1, H, W) maps in [0, 1].

    Returns:
        (B, 1, H, W) uint8 labels.
    """
    if not 0.0 <= bg_threshold < fg_threshold <= 1.0:
        raise ValueError(f"thresholds must satisfy 0 <= bg < fg <= 1, got bg={bg_threshold}, fg={fg_threshold}.")
    labels = torch.full(maps.shape, IGNORE_INDEX, dtype=torch.uint8, device=maps.device)
    labels[maps > fg_threshold] = 1
    labels[maps < bg_threshold] = 0
    return labels


class DynamicSupervision:
    """Per-image labels (0 background, 1 lesion, ``IGNORE_INDEX`` unlabelled) on the graph-cut grid, after Feng et
    al., "Deep graph cut network for weakly-supervised semantic segmentation".

    An image starts with its seeds. Each ``update`` cuts between the image's seeds over the network's current node
    features, unlabelled pixels weighed by its current softmax (``GraphCutRefiner.cut``); a cut label is accepted
    where the softmax gives it more than ``theta``, other pixels stay unlabelled, seeds keep their label. DGCN cuts
    once per class present; with two classes the background cut is the lesion cut with the terminals swapped, the
    same partition, so one cut is made. The labels are state: ``state_dict`` / ``load_state_dict`` resume them.

    Args:
        refiner: the graph (K neighbours, seed capacity); its thresholds and gating are not used here.
        theta: softmax probability a cut label needs to be accepted.
        fg_threshold: map value above which a pixel is a lesion seed (:py:meth:`seeds`).
        bg_threshold: map value below which a pixel is a background seed.

    Example::

        supervision = DynamicSupervision(GraphCutRefiner(num_neighbors=9), theta=0.7)
        seeds = supervision.seeds(maps)                             # (B, 1, gh, gw) maps on the grid
        labels = supervision.labels(keys, seeds)                    # the seeds the first time
        labels = supervision.update(keys, seeds, probs, features)   # regrown from the seeds
    """

    def __init__(
        self,
        refiner: GraphCutRefiner | None = None,
        theta: float = 0.7,
        fg_threshold: float = 0.7,
        bg_threshold: float = 0.1,
    ) -> None:
        if not 0.0 <= theta <= 1.0:
            raise ValueError(f"theta must be in [0, 1], got {theta}.")
        seed_labels(torch.zeros(1), fg_threshold, bg_threshold)  # checks the thresholds
        self.refiner = refiner or GraphCutRefiner()
        self.theta = theta
        self.fg_threshold = fg_threshold
        self.bg_threshold = bg_threshold
        self._labels: dict[str, torch.Tensor] = {}

    def seeds(self, maps: torch.Tensor) -> torch.Tensor:
        """(B, 1, gh, gw) uint8 seed labels of (B, 1, gh, gw) maps in [0, 1] (see :py:func:`seed_labels`)."""
        return seed_labels(maps, self.fg_threshold, self.bg_threshold)

    def labels(self, keys: Sequence[str], seeds: torch.Tensor) -> torch.Tensor:
        """The current labels of ``keys`` (their seeds where never updated).

        Args:
            keys: one name per image (e.g. its file).
            seeds: (B, 1, gh, gw) seed labels on the grid.

        Returns:
            (B, 1, gh, gw) uint8 labels on the device of ``seeds``.
        """
        self._check(keys, seeds)
        current = [self._labels.get(key, seed[0].cpu()) for key, seed in zip(keys, seeds)]
        return torch.stack(current)[:, None].to(seeds.device)

    def update(
        self, keys: Sequence[str], seeds: torch.Tensor, probs: torch.Tensor, features: torch.Tensor
    ) -> torch.Tensor:
        """Regrow and store the labels of ``keys`` from their seeds.

        Args:
            keys: one name per image.
            seeds: (B, 1, gh, gw) seed labels.
            probs: (B, 2, H, W) current softmax (background, lesion), averaged over each grid cell here.
            features: (B, C, gh, gw) current node features.

        Returns:
            (B, 1, gh, gw) uint8 new labels on the device of ``seeds``.
        """
        self._check(keys, seeds)
        grid = tuple(seeds.shape[2:])
        if probs.ndim != 4 or probs.shape[:2] != (len(keys), 2):
            raise ValueError(f"probs must be (B, 2, H, W) with B={len(keys)}, got shape {tuple(probs.shape)}.")
        if features.ndim != 4 or features.shape[0] != len(keys) or tuple(features.shape[2:]) != grid:
            raise ValueError(f"features must be (B, C, {grid[0]}, {grid[1]}), got shape {tuple(features.shape)}.")
        lesion = _on_grid(probs[:, 1:2].detach().float(), grid)[:, 0].clamp(0.0, 1.0).cpu().numpy()
        seed_np, feature_np = seeds[:, 0].cpu().numpy(), features.detach().float().cpu().numpy()
        k = min(self.refiner.num_neighbors, grid[0] * grid[1] - 1)
        neighbors = batch_nearest_neighbors(features, k).cpu().numpy()  # the whole batch's KNN at once
        for key, seed, prob, feature, near in zip(keys, seed_np, lesion, feature_np, neighbors):
            self._labels[key] = torch.from_numpy(self._regrown(seed, prob, feature, near))
        return self.labels(keys, seeds)

    def _regrown(self, seed: np.ndarray, prob: np.ndarray, features: np.ndarray, neighbors: np.ndarray) -> np.ndarray:
        cut = self.refiner.cut(prob, features, seed == 1, seed == 0, neighbors)
        accepted = np.where(cut, prob > self.theta, 1.0 - prob > self.theta)
        labels = np.where(accepted, cut.astype(np.uint8), np.uint8(IGNORE_INDEX)).astype(np.uint8)
        labels[seed == 1], labels[seed == 0] = 1, 0
        return labels

    def state_dict(self) -> dict:
        """``{"keys": [...], "labels": (N, gh, gw) uint8}``: loadable with ``torch.load(weights_only=True)``.

        Under ``torchrun`` every process must call it: the labels of all processes are first gathered into each
        (``synchronize``), so the saved state holds every image whichever process regrew it.
        """
        self.synchronize()
        keys = sorted(self._labels)
        labels = torch.stack([self._labels[key] for key in keys]) if keys else torch.zeros(0, dtype=torch.uint8)
        return {"keys": keys, "labels": labels}

    def synchronize(self) -> None:
        """Gather the labels of every process into each (an image regrown by several: the lowest rank's labels)."""
        if idist.get_world_size() == 1:
            return
        merged: dict[str, torch.Tensor] = {}
        for labels in reversed(idist.all_gather(self._labels)):
            merged.update(labels)
        self._labels = merged

    def load_state_dict(self, state: dict) -> None:
        keys, labels = list(state["keys"]), state["labels"]
        if len(keys) != len(labels):
            raise ValueError(f"state holds {len(keys)} keys and {len(labels)} label maps.")
        self._labels = {key: label.to(torch.uint8).cpu() for key, label in zip(keys, labels)}

    @staticmethod
    def _check(keys: Sequence[str], seeds: torch.Tensor) -> None:
        if seeds.ndim != 4 or seeds.shape[1] != 1 or seeds.shape[0] != len(keys):
            raise ValueError(f"seeds must be (B, 1, gh, gw) with B={len(keys)} keys, got shape {tuple(seeds.shape)}.")


def _on_grid(maps: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    if tuple(maps.shape[2:]) == grid:
        return maps
    return F.adaptive_avg_pool2d(maps, grid)  # each grid cell: the mean of the pixels it covers
