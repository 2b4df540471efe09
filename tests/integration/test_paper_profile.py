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
"""One epoch of every training in the paper's configuration (no CPU override) on the tiny set.

Only run length, batch and loader settings are overridden: architecture, input size (224 px), K and the rest are
the paper's, so a config the CPU demo never runs still builds, trains, validates and saves a checkpoint that loads
into its own network with ``weights_only=True``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from monai.bundle import ConfigParser
from scipy.ndimage import gaussian_filter

from bundle.data.datalist import load_datalist, write_full_supervision_datalist
from bundle.data.output_layout import datalist_path, map_path, mask_path, proxy_dir
from bundle.proxy import write_proxy_datalist
from bundle.utils import read_pil_array, save_png_atomic
from tests.integration.conftest import CONFIG_DIR, SyntheticIsic, run_bundle

SEED_SOURCE = "true_masks"
"""A proxy folder whose maps are the tiny set's true masks, blurred: the deep graph cut network's seeds."""
ONE_EPOCH = {"max_epochs": 1, "val_interval": 1, "batch_size": 8, "num_workers": 0, "cache_rate": 0.0}

# configs -> (overrides beyond ONE_EPOCH, the checkpoint's file under the output folder, a paper-size weight and
# its shape, proof the paper's network was built)
TRAININGS = {
    "classifier_r50": (["train_classifier.yaml"], {"run_name": "r50"}, "classifier/r50/model.pt",
                       ("trunk.layer4.2.conv3.weight", (2048, 512, 1, 1))),
    "classifier_r101": (["train_classifier.yaml", "classifier_r101.yaml"], {"run_name": "r101"},
                        "classifier/r101/model.pt", ("trunk.layer3.22.conv3.weight", (1024, 256, 1, 1))),
    "manifold_dcml": (["train_manifold.yaml"], {"run_name": "dcml", "finetune_epochs": 0, "samples_per_class": 2},
                      "manifold/dcml/model.pt", ("embedding.weight", (128, 1024))),
    "manifold_ml": (["train_manifold.yaml", "ml_k1.yaml"], {"finetune_epochs": 0, "samples_per_class": 2},
                    "manifold/ml/model.pt", ("embedding.weight", (128, 1024))),
    "pretrain_trunk": (["train_manifold.yaml", "pretrain_trunk.yaml"], {"pretrain_steps": 1, "pretrain_batch_size": 4},
                       "pretrain/trunk.pt", ("layer3.5.conv3.weight", (1024, 256, 1, 1))),
    "unet": (["train_unet.yaml"], {"run_name": "full_supervision"}, "unet/full_supervision/model.pt",
             ("model.0.conv.unit0.conv.weight", (32, 3, 3, 3))),
    "deep_graph_cut": (["train_unet.yaml", "train_deep_graph_cut.yaml"], {"seed_source": SEED_SOURCE},
                       f"unet/{SEED_SOURCE}_deep_graph_cut/model.pt",
                       ("model.0.conv.unit0.conv.weight", (32, 3, 3, 3))),
}


def write_seed_maps(isic: SyntheticIsic, folder: Path) -> None:
    """A proxy folder of the classification images: their true masks, blurred, as 16-bit maps, and the masks."""
    folder.mkdir(parents=True)
    classification = datalist_path(isic.datalist_dir, "classification")
    for item in (item for key in ("training", "test") for item in load_datalist(classification, key)):
        mask = read_pil_array(item["mask"], mode="L", kind="mask") > 127
        blurred = gaussian_filter(mask.astype(float), sigma=3)
        save_png_atomic((blurred * 65535).astype(np.uint16), map_path(folder, item["image"]))
        save_png_atomic(mask.astype(np.uint8) * 255, mask_path(folder, item["image"]))
    write_proxy_datalist(folder, isic.datalist_dir, {"training": [("classification", "training")],
                                                     "validation": [("classification", "test")]})


@pytest.mark.parametrize("name", sorted(TRAININGS))
def test_paper_configuration_trains_one_epoch(tiny_isic: SyntheticIsic, tmp_path: Path, name: str) -> None:
    configs, overrides, checkpoint, (key, shape) = TRAININGS[name]
    if configs == ["train_unet.yaml"]:
        pairs = write_full_supervision_datalist(datalist_path(tiny_isic.datalist_dir, "segmentation"),
                                                tmp_path / "pairs.json")
        overrides = {**overrides, "train_datalist": str(pairs)}
    if "seed_source" in overrides:
        write_seed_maps(tiny_isic, proxy_dir(tmp_path / "output", SEED_SOURCE))
    workflow = run_bundle(configs, **tiny_isic.paths(tmp_path / "output"), **ONE_EPOCH, **overrides)
    assert workflow.parser.get_parsed_content("image_size") == [224, 224]
    state = torch.load(tmp_path / "output" / checkpoint, map_location="cpu", weights_only=True)
    assert tuple(state[key].shape) == shape
    if name != "pretrain_trunk":  # the trunk file holds torchvision names, loaded by the manifold as pretrained_path
        parser = ConfigParser()
        parser.read_config([str(CONFIG_DIR / config) for config in configs])
        parser.get_parsed_content("network_def").load_state_dict(state)
