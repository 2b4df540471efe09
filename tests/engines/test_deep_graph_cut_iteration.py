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
"""Tests of the deep graph cut training step inside MONAI's SupervisedTrainer."""

from __future__ import annotations

import pytest
import torch
from monai.data import DataLoader, Dataset, MetaTensor
from monai.engines import SupervisedTrainer
from monai.networks.nets import UNet

from bundle.engines.autocast_inferer import AutocastInferer
from bundle.engines.deep_graph_cut_iteration import CUT_SHARE, DeepGraphCutIteration
from bundle.losses import BalancedSeedingLoss, CRFBoundaryLoss
from bundle.maps import FeatureExtractor
from bundle.proxy import DynamicSupervision, GraphCutRefiner
from bundle.proxy.dynamic_supervision import IGNORE_INDEX

GRID = (8, 8)


def dataset(num_images: int = 4) -> Dataset:
    """32x32 images with a bright square lesion off the centre (so that flips move it), and maps on the 8x8 grid
    that are high on its centre and low far from it."""
    items = []
    for index in range(num_images):
        image = torch.zeros(3, 32, 32)
        image[:, 4:20, 4:20] = 1.0
        lesion_map = torch.full((1, *GRID), 0.3)
        lesion_map[:, 2:4, 2:4], lesion_map[:, 7, :], lesion_map[:, :, 7] = 0.9, 0.0, 0.0
        items.append({"image": MetaTensor(image, meta={"filename_or_obj": f"image_{index}.jpg"}), "map": lesion_map})
    return Dataset(items)


class CountingSupervision(DynamicSupervision):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.updates = 0

    def update(self, keys, seeds, probs, features):
        self.updates += 1
        return super().update(keys, seeds, probs, features)


def training(update_interval: int = 1, theta: float = 0.7, boundary: bool = False, flip_prob: float = 0.5,
             **trainer_kwargs):
    torch.manual_seed(0)
    network = UNet(2, 3, 2, channels=(4, 8, 16), strides=(2, 2), num_res_units=0)
    supervision = CountingSupervision(refiner=GraphCutRefiner(num_neighbors=4), theta=theta)
    extractor = FeatureExtractor(network, layers=("model.0", "model.1.submodule.0"), grid_size=GRID,
                                 include_image=True)
    smoother = (lambda probs, images: probs.flip(1)) if boundary else None  # any fixed target will do
    iteration = DeepGraphCutIteration(supervision, extractor, update_interval=update_interval,
                                      boundary_loss=CRFBoundaryLoss(smoother) if boundary else None,
                                      flip_prob=flip_prob)
    trainer = SupervisedTrainer(
        device=torch.device("cpu"), max_epochs=2, train_data_loader=DataLoader(dataset(), batch_size=2),
        network=network, optimizer=torch.optim.Adam(network.parameters(), 1e-2), loss_function=BalancedSeedingLoss(),
        iteration_update=iteration, train_handlers=[iteration], decollate=False, **trainer_kwargs,
    )
    return trainer, supervision


@pytest.mark.parametrize("interval, updates", [(1, 4), (2, 2), (3, 2)])
def test_labels_are_regrown_every_interval_iterations(interval, updates):
    trainer, supervision = training(update_interval=interval)
    trainer.run()  # 2 epochs of 2 batches: iterations 1..4
    assert supervision.updates == updates
    assert 0.0 < trainer.state.metrics[CUT_SHARE] < 1.0


def test_the_supervision_grows_beyond_the_seeds_and_trains_on_it():
    trainer, supervision = training(theta=0.5)
    trainer.run()
    keys = [f"image_{index}.jpg" for index in range(4)]
    maps = torch.stack([item["map"] for item in dataset().data])
    seeds, labels = supervision.seeds(maps), supervision.labels(keys, supervision.seeds(maps))
    assert torch.equal(labels[seeds != IGNORE_INDEX], seeds[seeds != IGNORE_INDEX])  # seeds keep their labels
    assert (labels[seeds == IGNORE_INDEX] != IGNORE_INDEX).any()  # and labels grew beyond them
    output = trainer.state.output
    assert output["pred"].shape == (2, 2, 32, 32) and output["label"].shape == (2, 1, 32, 32)
    assert torch.isfinite(output["loss"])


def test_image_and_labels_are_flipped_together():
    trainer, _ = training(flip_prob=1.0)
    trainer.run()
    output = trainer.state.output
    lesion = output["label"] == 1
    assert lesion.any() and torch.all(output["image"][:, :1][lesion] == 1.0)  # lesion labels stay on the square


def test_the_boundary_loss_adds_to_the_seeding_loss():
    plain, _ = training()
    plain.run()
    with_boundary, _ = training(boundary=True)
    with_boundary.run()
    assert with_boundary.state.output["loss"] > plain.state.output["loss"]


def test_the_forward_runs_through_the_trainers_inferer():
    trainer, _ = training(inferer=AutocastInferer("bfloat16"))
    dtypes = []
    trainer.network.register_forward_hook(lambda module, args, output: dtypes.append(output.dtype))
    trainer.run()
    assert torch.bfloat16 in dtypes  # the training forward (the regrowing pass extracts features in float32)
    assert trainer.state.output["pred"].dtype == torch.float32 and torch.isfinite(trainer.state.output["loss"])


def test_bad_arguments_are_refused():
    supervision, extractor = DynamicSupervision(), None
    with pytest.raises(ValueError, match="update_interval"):
        DeepGraphCutIteration(supervision, extractor, update_interval=0)
    with pytest.raises(ValueError, match="flip_prob"):
        DeepGraphCutIteration(supervision, extractor, flip_prob=2.0)
