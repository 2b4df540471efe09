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
"""The pipeline's workflows chained as ``scripts/run_pipeline.py`` chains them, on a tiny synthetic set.

manifold training -> proxies (attention, + graph cut) -> classifier -> GradCAM proxies -> U-net (and its resume)
-> inference through the ``python -m monai.bundle run`` command line -> Table 1. The stages share their outputs
through module-scoped fixtures, so each runs once whichever tests ask for it.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import torch
from ignite.engine import Events
from monai.bundle import ConfigWorkflow
from monai.data import load_decathlon_datalist
from monai.transforms import LoadImage
from PIL import Image

from bundle.data.datalist import write_full_supervision_datalist
from bundle.data.output_layout import datalist_path
from bundle.evaluation import CentredDiskBaseline, read_mask, segmentation_scores
from bundle.evaluation.run_metrics import read_run_metrics
from bundle.proxy import map_path, mask_path
from tests.integration.conftest import CONFIG_DIR, META_FILE, REPO_ROOT, SyntheticIsic, run_bundle

MANIFOLD_CONFIGS = ["train_manifold.yaml", "cpu_manifold.yaml"]
SELFSUP_CONFIGS = [*MANIFOLD_CONFIGS, "cpu_selfsup.yaml"]
CLASSIFIER_CONFIGS = ["train_classifier.yaml", "cpu_classifier.yaml"]
UNET_CONFIGS = ["train_unet.yaml", "cpu_unet.yaml"]
PROXY_SECTIONS = (("classification", "training"), ("classification", "test"),
                  ("segmentation", "validation"), ("segmentation", "test"))
"""The datalist sections generate_proxy.yaml maps by default (its ``proxy_sources``)."""
PREDICTION_SECTIONS = ("validation", "test")

TINY_COMMON = {"image_size": [32, 32], "num_workers": 0, "cache_rate": 1.0, "batch_size": 8, "val_interval": 1,
               "epoch_length": None}  # one pass over the tiny set per epoch, not the demo's 35 steps
TINY_PRETRAIN = {**TINY_COMMON, "pretrain_steps": 3, "pretrain_batch_size": 4}
TINY_MANIFOLD = {**TINY_COMMON, "run_name": "dcml", "max_epochs": 2, "num_learners": 2, "finetune_epochs": 1,
                 "samples_per_class": 2, "graph_cut_grid": [16, 16]}
TINY_CLASSIFIER = {**TINY_COMMON, "run_name": "gradcam_r10", "depth": 10, "max_epochs": 1}
TINY_UNET = {**TINY_COMMON, "run_name": "dcml", "channels": [8, 16, 32, 64, 128], "max_epochs": 2}
DEEP_GRAPH_CUT_CONFIGS = [*UNET_CONFIGS, "train_deep_graph_cut.yaml", "cpu_deep_graph_cut.yaml"]
# seeds from the attention proxies; a low theta so that an untrained network's cuts are accepted somewhere
TINY_DEEP_GRAPH_CUT = {**{k: v for k, v in TINY_UNET.items() if k != "run_name"}, "seed_source": "dcml",
                       "cut_grid": [8, 8], "cut_theta": 0.5, "max_epochs": 1}


# ---------------------------------------------------------------------------------------------------- helpers


def section_images(datalist_dir: Path, sections: Sequence[tuple[str, str]] = PROXY_SECTIONS) -> list[Path]:
    """The image paths of ``sections`` ((datalist kind, key) pairs), in order."""
    return [Path(item["image"]) for kind, key in sections
            for item in load_decathlon_datalist(str(datalist_path(datalist_dir, kind)), data_list_key=key)]


def mtimes(folder: Path) -> dict[str, int]:
    """File name -> modification time (ns) of every file directly in ``folder``."""
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir() if path.is_file()}


def completed_epochs(checkpoint: Path) -> int:
    """Epochs done according to the trainer state in a ``ResumeCheckpoint`` file (Ignite stores iterations)."""
    trainer = torch.load(checkpoint, map_location="cpu", weights_only=True)["trainer"]
    return trainer["iteration"] // trainer["epoch_length"]


def assert_binary_masks(images: list[Path], out_dir: Path) -> None:
    """Each image has an 8-bit ``<id>_mask.png`` in ``out_dir`` of the image's (W, H), valued in {0, 255}."""
    for image in images:
        mask = mask_path(out_dir, image)
        assert mask.is_file(), f"no mask for {image.name} in {out_dir}"
        with Image.open(image) as source, Image.open(mask) as written:
            assert written.mode == "L"
            assert written.size == source.size, f"{mask.name}: {written.size} != image {source.size}"
            values = set(np.unique(np.asarray(written)).tolist())
        assert values <= {0, 255}, f"{mask.name} holds values {sorted(values)}"


def proxy_run(isic: SyntheticIsic, output_dir: Path, training: list[str], extra: list[str], overrides: dict) -> Path:
    """Run generate_proxy.yaml (plus ``extra``) over the ``training`` configs; return the proxy folder."""
    workflow = run_bundle([*training, "generate_proxy.yaml", *extra], **isic.paths(output_dir), **overrides)
    return Path(workflow.parser.get_parsed_content("proxy_dir"))


def map_inference_run(
    isic: SyntheticIsic, output_dir: Path, training: list[str], extra: list[str], overrides: dict, **options: str
) -> Path:
    """Run inference_attention.yaml over segmentation.json (after ``training``, generate_proxy.yaml and ``extra``);
    return the maps folder."""
    configs = [*training, "generate_proxy.yaml", *extra, "inference_attention.yaml"]
    datalist = str(isic.datalist_dir / "segmentation.json")
    workflow = run_bundle(configs, **isic.paths(output_dir), **overrides, datalist_file=datalist, **options)
    return Path(workflow.parser.get_parsed_content("maps_dir"))


# --------------------------------------------------------------------------------------------- stage fixtures


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pipeline_output")


@pytest.fixture(scope="module")
def pretrained_trunk(tiny_isic: SyntheticIsic, output_dir: Path) -> Path:
    """Pre-train the manifold's trunk without labels (3 contrastive steps); return the trunk file."""
    workflow = run_bundle([*MANIFOLD_CONFIGS, "pretrain_trunk.yaml"], **tiny_isic.paths(output_dir), **TINY_PRETRAIN)
    return Path(workflow.parser.get_parsed_content("selfsup_trunk"))


@pytest.fixture(scope="module")
def manifold_run(tiny_isic: SyntheticIsic, output_dir: Path) -> Path:
    """Train the attention manifold (K=2, last epoch fine-tuned on the full embedding); return its run folder."""
    workflow = run_bundle(MANIFOLD_CONFIGS, **tiny_isic.paths(output_dir), **TINY_MANIFOLD)
    return Path(workflow.parser.get_parsed_content("run_dir"))


@pytest.fixture(scope="module")
def selfsup_manifold_run(tiny_isic: SyntheticIsic, output_dir: Path, pretrained_trunk: Path) -> Path:
    """The same on the pre-trained, frozen trunk (cpu_selfsup.yaml); return its run folder."""
    overrides = {**TINY_MANIFOLD, "run_name": "dcml_selfsup"}
    workflow = run_bundle(SELFSUP_CONFIGS, **tiny_isic.paths(output_dir), **overrides)
    return Path(workflow.parser.get_parsed_content("run_dir"))


@pytest.fixture(scope="module")
def attention_proxy(tiny_isic: SyntheticIsic, output_dir: Path, manifold_run: Path) -> Path:
    return proxy_run(tiny_isic, output_dir, MANIFOLD_CONFIGS, [], TINY_MANIFOLD)


@pytest.fixture(scope="module")
def graph_cut_proxy(tiny_isic: SyntheticIsic, output_dir: Path, manifold_run: Path) -> Path:
    return proxy_run(tiny_isic, output_dir, MANIFOLD_CONFIGS, ["proxy_graphcut.yaml"], TINY_MANIFOLD)


@pytest.fixture(scope="module")
def classifier_run(tiny_isic: SyntheticIsic, output_dir: Path) -> Path:
    workflow = run_bundle(CLASSIFIER_CONFIGS, **tiny_isic.paths(output_dir), **TINY_CLASSIFIER)
    return Path(workflow.parser.get_parsed_content("run_dir"))


@pytest.fixture(scope="module")
def gradcam_proxy(tiny_isic: SyntheticIsic, output_dir: Path, classifier_run: Path) -> Path:
    return proxy_run(tiny_isic, output_dir, CLASSIFIER_CONFIGS, ["proxy_gradcam.yaml"], TINY_CLASSIFIER)


@pytest.fixture(scope="module")
def unet_run(tiny_isic: SyntheticIsic, output_dir: Path, attention_proxy: Path) -> Path:
    """Train the U-net on the attention proxies for 2 epochs; return its run folder."""
    paths = tiny_isic.paths(output_dir)
    workflow = run_bundle(UNET_CONFIGS, **paths, **TINY_UNET, train_datalist=str(attention_proxy / "datalist.json"))
    return Path(workflow.parser.get_parsed_content("run_dir"))


@pytest.fixture(scope="module")
def deep_graph_cut_run(tiny_isic: SyntheticIsic, output_dir: Path, attention_proxy: Path) -> ConfigWorkflow:
    """Train the deep graph cut network from the attention maps' seeds for 1 epoch; return the workflow."""
    return run_bundle(DEEP_GRAPH_CUT_CONFIGS, **tiny_isic.paths(output_dir), **TINY_DEEP_GRAPH_CUT)


@pytest.fixture(scope="module")
def cli_inference(tiny_isic: SyntheticIsic, output_dir: Path, unet_run: Path) -> subprocess.CompletedProcess:
    """Segment the segmentation validation and test images with the U-net, through the command line."""
    overrides = {
        "bundle_root": str(REPO_ROOT),
        "ckpt_path": str(unet_run / "model.pt"),
        "datalist": str(tiny_isic.datalist_dir / "segmentation.json"),
        "datalist_key": list(PREDICTION_SECTIONS),
        "output_dir": str(output_dir / "predictions" / "dcml"),
        "image_size": TINY_UNET["image_size"],
        "channels": TINY_UNET["channels"],
    }
    command = [sys.executable, "-m", "monai.bundle", "run", "--config_file", "configs/inference.yaml"]
    for key, value in overrides.items():
        command += [f"--{key}", value if isinstance(value, str) else repr(value)]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize(
    "configs, workflow_type",
    [
        (["train_manifold.yaml"], "train"),
        (["train_manifold.yaml", "cpu_manifold.yaml", "ml_k1.yaml"], "train"),
        (["train_classifier.yaml", "cpu_classifier.yaml", "classifier_r101.yaml"], "train"),
        (["train_unet.yaml", "cpu_unet.yaml"], "train"),
        (["inference.yaml"], "infer"),
    ],
)
def test_configs_have_the_bundle_properties(
    configs: list[str], workflow_type: str, tiny_isic: SyntheticIsic, tmp_path: Path
) -> None:
    segmentation = tiny_isic.datalist_dir / "segmentation.json"
    full_supervision = write_full_supervision_datalist(segmentation, tmp_path / "full.json")
    workflow = ConfigWorkflow(
        config_file=[str(CONFIG_DIR / name) for name in configs],
        meta_file=str(META_FILE),
        logging_file=False,
        workflow_type=workflow_type,
        **tiny_isic.paths(tmp_path),
        num_workers=0,
        train_datalist=str(full_supervision),  # read by the U-net only
    )
    workflow.initialize()
    assert workflow.check_properties() == []


def test_proxy_generation_before_training_is_refused(tiny_isic: SyntheticIsic, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as raised:  # MONAI wraps errors of config expressions
        run_bundle([*MANIFOLD_CONFIGS, "generate_proxy.yaml"], **tiny_isic.paths(tmp_path), **TINY_MANIFOLD)
    cause = raised.value.__cause__
    assert isinstance(cause, FileNotFoundError) and str(tmp_path / "manifold" / "dcml" / "model.pt") in str(cause)


def test_manifold_training_saves_a_loadable_model(manifold_run: Path) -> None:
    state = torch.load(manifold_run / "model.pt", map_location="cpu", weights_only=True)
    assert any(key.startswith("attention.") for key in state)
    assert completed_epochs(manifold_run / "last.pt") == TINY_MANIFOLD["max_epochs"]
    last = torch.load(manifold_run / "last.pt", map_location="cpu", weights_only=True)
    assert set(last) == {"network", "optimizer", "loss", "trainer", "loader", "recluster", "finetune", "lr_scheduler",
                         "best_model"}
    assert last["lr_scheduler"]["last_epoch"] == TINY_MANIFOLD["max_epochs"]  # stepped once per epoch


def test_pretraining_writes_a_trunk_in_torchvision_names(pretrained_trunk: Path, output_dir: Path) -> None:
    assert pretrained_trunk == output_dir / "pretrain" / "trunk.pt"
    trunk = torch.load(pretrained_trunk, map_location="cpu", weights_only=True)
    assert "conv1.weight" in trunk and "layer2.0.conv1.weight" in trunk and not any("head" in key for key in trunk)
    last = torch.load(pretrained_trunk.parent / "last.pt", map_location="cpu", weights_only=True)
    assert set(last) == {"network", "optimizer", "lr_scheduler", "trainer"}
    steps, epoch_length = last["trainer"]["iteration"], last["trainer"]["epoch_length"]
    assert steps % epoch_length == 0 and 0 <= steps - TINY_PRETRAIN["pretrain_steps"] < epoch_length  # whole epochs


def test_manifold_training_keeps_the_pretrained_trunk_and_learns_the_rest(
    pretrained_trunk: Path, selfsup_manifold_run: Path
) -> None:
    trunk = torch.load(pretrained_trunk, map_location="cpu", weights_only=True)
    model = torch.load(selfsup_manifold_run / "model.pt", map_location="cpu", weights_only=True)
    for key, tensor in trunk.items():
        assert torch.equal(model[f"trunk.{key}"], tensor), key
    last = torch.load(selfsup_manifold_run / "last.pt", map_location="cpu", weights_only=True)
    optimised = last["optimizer"]["state"]
    trunk_shapes = {tuple(tensor.shape) for key, tensor in trunk.items() if key.endswith("conv1.weight")}
    optimised_shapes = {tuple(state["exp_avg"].shape) for state in optimised.values()}
    attention_shape = tuple(model["attention.0.weight"].shape)
    assert attention_shape[2:] == (1, 1) and attention_shape in optimised_shapes
    assert not trunk_shapes & optimised_shapes, "the optimiser holds trunk parameters"


def test_manifold_training_without_its_pretrained_trunk_names_the_file(
    tiny_isic: SyntheticIsic, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError) as raised:  # MONAI wraps errors of config expressions
        run_bundle(SELFSUP_CONFIGS, **tiny_isic.paths(tmp_path), **TINY_MANIFOLD)
    cause = raised.value.__cause__
    assert isinstance(cause, FileNotFoundError) and str(tmp_path / "pretrain" / "trunk.pt") in str(cause)

def test_plain_metric_learning_variant_trains(tiny_isic: SyntheticIsic, output_dir: Path) -> None:
    variant = {key: value for key, value in TINY_MANIFOLD.items()
               if key not in ("run_name", "num_learners", "finetune_epochs")}  # ml_k1.yaml sets these
    workflow = run_bundle([*MANIFOLD_CONFIGS, "ml_k1.yaml"], **tiny_isic.paths(output_dir), **variant)
    run_dir = Path(workflow.parser.get_parsed_content("run_dir"))
    assert run_dir == output_dir / "manifold" / "ml"
    assert workflow.parser.get_parsed_content("network").num_learners == 1
    assert any(key.startswith("embedding.") for key in torch.load(run_dir / "model.pt", weights_only=True))
    last = torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)
    assert last["recluster"]["assignments"].numel() == 0  # one learner: never clustered


def test_attention_proxies_cover_every_image(tiny_isic: SyntheticIsic, attention_proxy: Path) -> None:
    images = section_images(tiny_isic.datalist_dir)
    assert_binary_masks(images, attention_proxy)
    for image in images:
        with Image.open(map_path(attention_proxy, image)) as written, Image.open(image) as source:
            assert written.mode == "I;16" and written.size == source.size
    datalist = json.loads((attention_proxy / "datalist.json").read_text())
    for section, key in (("training", "training"), ("validation", "test")):
        expected = section_images(tiny_isic.datalist_dir, [("classification", key)])
        assert [Path(item["image"]) for item in datalist[section]] == expected
        assert [Path(item["label"]) for item in datalist[section]] == [mask_path(attention_proxy, i) for i in expected]


def test_proxy_generation_resumes(tiny_isic: SyntheticIsic, output_dir: Path, attention_proxy: Path) -> None:
    before = mtimes(attention_proxy)
    proxy_run(tiny_isic, output_dir, MANIFOLD_CONFIGS, [], TINY_MANIFOLD)
    after = mtimes(attention_proxy)
    images = {name: time for name, time in after.items() if name.endswith(".png")}
    assert images == {name: time for name, time in before.items() if name.endswith(".png")}, "finished images redone"

    victim = section_images(tiny_isic.datalist_dir)[3]
    mask_path(attention_proxy, victim).unlink()
    proxy_run(tiny_isic, output_dir, MANIFOLD_CONFIGS, [], TINY_MANIFOLD)
    redone = {name for name, time in mtimes(attention_proxy).items() if after.get(name) != time}
    expected = {mask_path(attention_proxy, victim).name, map_path(attention_proxy, victim).name, "datalist.json"}
    assert redone == expected


def test_proxy_generation_names_an_image_changed_since_preparation(
    tiny_isic: SyntheticIsic, output_dir: Path, manifold_run: Path, tmp_path: Path
) -> None:
    datalists = tmp_path / "datalists"
    shutil.copytree(tiny_isic.datalist_dir, datalists)
    classification = json.loads((datalists / "classification.json").read_text())
    victim = tmp_path / "changed.jpg"
    victim.write_bytes(b"")  # e.g. a sync tool emptied the file after prepare
    classification["training"][0]["image"] = str(victim)
    (datalists / "classification.json").write_text(json.dumps(classification))
    proxy_dir = tmp_path / "proxy"
    with pytest.raises(SystemExit) as raised:  # one message, not a traceback
        run_bundle([*MANIFOLD_CONFIGS, "generate_proxy.yaml"], **{**tiny_isic.paths(output_dir),
                   "datalist_dir": str(datalists)}, **TINY_MANIFOLD, proxy_dir=str(proxy_dir))
    assert str(raised.value).splitlines()[1] == f"{victim}: image file is empty (0 bytes)"
    assert not proxy_dir.exists() or list(proxy_dir.iterdir()) == []


def test_graph_cut_proxies_cover_every_image(tiny_isic: SyntheticIsic, output_dir: Path, graph_cut_proxy: Path) -> None:
    assert graph_cut_proxy == output_dir / "proxy" / "dcml_graphcut"
    assert_binary_masks(section_images(tiny_isic.datalist_dir), graph_cut_proxy)
    assert (graph_cut_proxy / "datalist.json").is_file()


def test_gradcam_proxies_cover_every_image(
    tiny_isic: SyntheticIsic, output_dir: Path, classifier_run: Path, gradcam_proxy: Path
) -> None:
    state = torch.load(classifier_run / "model.pt", map_location="cpu", weights_only=True)
    assert state["fc.weight"].shape[0] == 7
    assert gradcam_proxy == output_dir / "proxy" / "gradcam_r10"
    assert_binary_masks(section_images(tiny_isic.datalist_dir), gradcam_proxy)


def test_attention_inference_writes_float_maps_of_a_datalist(
    tiny_isic: SyntheticIsic, output_dir: Path, attention_proxy: Path
) -> None:
    maps_dir = map_inference_run(tiny_isic, output_dir, MANIFOLD_CONFIGS, [], TINY_MANIFOLD, map_format="nii.gz")
    assert maps_dir == output_dir / "maps" / "dcml"
    images = section_images(tiny_isic.datalist_dir, [("segmentation", "test")])
    assert sorted(p.name for p in maps_dir.iterdir()) == sorted(
        name for image in images for name in (map_path(maps_dir, image, "nii.gz").name, mask_path(maps_dir, image).name)
    )
    assert_binary_masks(images, maps_dir)
    for image in images:
        values = LoadImage(image_only=True)(str(map_path(maps_dir, image, "nii.gz"))).numpy()  # (W, H)
        with Image.open(image) as source, Image.open(mask_path(maps_dir, image)) as mask:
            assert values.dtype == np.float32 and values.shape == source.size
            np.testing.assert_array_equal(np.asarray(mask).T > 0, values > 0.5)  # the mask is the map at T
        with Image.open(map_path(attention_proxy, image)) as proxy_map:  # the same map as the proxies' 16-bit one
            np.testing.assert_allclose(np.asarray(proxy_map).T / 65535, values, atol=1e-4)
        assert 0.0 <= values.min() and values.max() <= 1.0


def test_map_inference_names_bad_images_and_writes_nothing(
    tiny_isic: SyntheticIsic, output_dir: Path, manifold_run: Path, tmp_path: Path
) -> None:
    good = section_images(tiny_isic.datalist_dir, [("segmentation", "test")])[0]
    (tmp_path / "empty.jpg").write_bytes(b"")
    datalist = tmp_path / "mine.json"
    datalist.write_text(json.dumps({"test": [{"image": str(good)}, {"image": "empty.jpg"}, {"image": "gone.png"}]}))
    maps_dir = tmp_path / "maps"
    with pytest.raises(SystemExit) as raised:  # one message, not a traceback
        run_bundle([*MANIFOLD_CONFIGS, "generate_proxy.yaml", "inference_attention.yaml"],
                   **tiny_isic.paths(output_dir), **TINY_MANIFOLD, datalist_file=str(datalist), maps_dir=str(maps_dir))
    message = str(raised.value)
    assert f"{tmp_path / 'empty.jpg'}: image file is empty" in message and str(tmp_path / "gone.png") in message
    assert str(good) not in message
    assert not maps_dir.exists() or list(maps_dir.iterdir()) == []


def test_gradcam_inference_writes_16_bit_maps(tiny_isic: SyntheticIsic, output_dir: Path, classifier_run: Path) -> None:
    maps_dir = map_inference_run(
        tiny_isic, output_dir, CLASSIFIER_CONFIGS, ["proxy_gradcam.yaml"], TINY_CLASSIFIER, datalist_key="validation"
    )
    assert maps_dir == output_dir / "maps" / "gradcam_r10"
    images = section_images(tiny_isic.datalist_dir, [("segmentation", "validation")])
    assert_binary_masks(images, maps_dir)
    for image in images:
        with Image.open(map_path(maps_dir, image)) as written, Image.open(image) as source:
            assert written.mode == "I;16" and written.size == source.size
    assert not (maps_dir / "datalist.json").exists()


def test_unet_trains_and_resumes(
    tiny_isic: SyntheticIsic, output_dir: Path, attention_proxy: Path, unet_run: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = torch.load(unet_run / "model.pt", map_location="cpu", weights_only=True)
    assert state["model.0.conv.unit0.conv.weight"].shape[0] == TINY_UNET["channels"][0]
    assert completed_epochs(unet_run / "last.pt") == TINY_UNET["max_epochs"]

    caplog.set_level(logging.INFO)
    more_epochs = TINY_UNET["max_epochs"] + 1
    run_bundle(UNET_CONFIGS, **tiny_isic.paths(output_dir), **{**TINY_UNET, "max_epochs": more_epochs},
               train_datalist=str(attention_proxy / "datalist.json"))
    assert f"at epoch {TINY_UNET['max_epochs']}" in caplog.text  # ResumeCheckpoint's "resumed from ..."
    completed = [r.getMessage() for r in caplog.records if r.name.endswith("SupervisedTrainer")]
    assert [m.split(" ")[0] for m in completed if "Complete" in m] == [f"Epoch[{more_epochs}]"]
    assert completed_epochs(unet_run / "last.pt") == more_epochs
    best_score_memory = torch.load(unet_run / "last.pt", map_location="cpu", weights_only=True)["best_model"]
    assert [len(kept) for kept in best_score_memory.values()] == [1]  # restored by the next resume


def test_deep_graph_cut_grows_its_supervision_beyond_the_seeds(
    tiny_isic: SyntheticIsic, deep_graph_cut_run: ConfigWorkflow
) -> None:
    parser = deep_graph_cut_run.parser
    run_dir = Path(parser.get_parsed_content("run_dir"))
    assert run_dir.name == "dcml_deep_graph_cut"
    state = torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)["supervision"]
    training = [item["image"] for item in load_decathlon_datalist(
        str(datalist_path(tiny_isic.datalist_dir, "classification")), data_list_key="training")]
    assert sorted(state["keys"]) == sorted(training)  # every image's labels regrown in the epoch
    supervision = parser.get_parsed_content("supervision")
    dataset = parser.get_parsed_content("train#dataset")
    seeds = torch.stack([supervision.seeds(dataset[index]["map"][None])[0] for index in range(len(dataset))])
    keys = [str(dataset[index]["image"].meta["filename_or_obj"]) for index in range(len(dataset))]
    labels = supervision.labels(keys, seeds)
    assert (labels != 255).sum() > (seeds != 255).sum()  # grown beyond the seeds
    assert torch.equal(labels[seeds != 255], seeds[seeds != 255])
    unet = parser.get_parsed_content("network_def")
    unet.load_state_dict(torch.load(run_dir / "model.pt", map_location="cpu", weights_only=True))  # a plain U-net


def test_deep_graph_cut_resumes_with_the_supervision_it_saved(
    tiny_isic: SyntheticIsic, output_dir: Path, deep_graph_cut_run: ConfigWorkflow
) -> None:
    run_dir = Path(deep_graph_cut_run.parser.get_parsed_content("run_dir"))
    saved = torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)["supervision"]
    overrides = {**TINY_DEEP_GRAPH_CUT, "max_epochs": 2}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO_ROOT)
        workflow = ConfigWorkflow(config_file=[str(CONFIG_DIR / name) for name in DEEP_GRAPH_CUT_CONFIGS],
                                  meta_file=str(META_FILE), logging_file=False, workflow_type=None,
                                  **tiny_isic.paths(output_dir), **overrides)
        workflow.initialize()
        restored = {}
        trainer, supervision = (workflow.parser.get_parsed_content(key) for key in ("train#trainer", "supervision"))
        trainer.add_event_handler(Events.STARTED, lambda _: restored.update(supervision.state_dict()))
        workflow.run()
        workflow.finalize()
    assert restored["keys"] == saved["keys"] and torch.equal(restored["labels"], saved["labels"])
    assert completed_epochs(run_dir / "last.pt") == 2


def test_inference_command_line(
    tiny_isic: SyntheticIsic, output_dir: Path, cli_inference: subprocess.CompletedProcess
) -> None:
    log = cli_inference.stdout + cli_inference.stderr
    assert cli_inference.returncode == 0, log[-3000:]
    assert "Cannot find the metadata" not in log and " - ERROR - " not in log
    assert "Setting logging properties based on config: configs/logging.conf" in log
    images = section_images(tiny_isic.datalist_dir, [("segmentation", key) for key in PREDICTION_SECTIONS])
    assert_binary_masks(images, output_dir / "predictions" / "dcml")


@pytest.mark.usefixtures("attention_proxy", "graph_cut_proxy", "gradcam_proxy", "cli_inference")
def test_evaluation_writes_table_and_figure(tiny_isic: SyntheticIsic, output_dir: Path) -> None:
    rows = [["DCML + Attention", "dcml", "dcml", "manifold/dcml"],
            ["DCML + Attention + graph cut", "dcml_graphcut", None, None],
            ["GradCAM R10", "gradcam_r10", None, "classifier/gradcam_r10"]]
    run_bundle(["evaluate.yaml"], **tiny_isic.paths(output_dir), method_rows=rows, figure_images=2)

    eval_dir = output_dir / "evaluation"
    with open(eval_dir / "table1.csv", newline="") as stream:
        table = list(csv.DictReader(stream))
    baselines = ["Centred disk (label-free)", "Otsu threshold (label-free)"]
    assert list(dict.fromkeys(row["method"] for row in table)) == baselines + [row[0] for row in rows]
    counts = {key: len(load_decathlon_datalist(str(tiny_isic.datalist_dir / "segmentation.json"), data_list_key=key))
              for key in PREDICTION_SECTIONS}
    assert all(int(row["n"]) == counts[row["split"]] for row in table)
    cells = {(row["method"], row["kind"]) for row in table}
    assert ("DCML + Attention", "unet") in cells and ("GradCAM R10", "unet") not in cells
    assert all(0.0 <= float(row["mean"]) <= 1.0 for row in table)
    markdown = (eval_dir / "table1.md").read_text()
    assert all(row[0] in markdown for row in rows)
    manifold, classifier = (read_run_metrics(output_dir / run) for run in ("manifold/dcml", "classifier/gradcam_r10"))
    table_rows = {line.split(" | ")[0].lstrip("| "): line for line in markdown.splitlines() if line.startswith("| ")}
    assert table_rows["DCML + Attention"].endswith(
        f" | 1-NN {manifold['val_recall_at_1']:.2f} / {manifold['val_balanced_recall_at_1']:.2f} |")
    assert table_rows["GradCAM R10"].endswith(
        f" | {classifier['val_accuracy']:.2f} / {classifier['val_balanced_accuracy']:.2f} |")
    assert table_rows["DCML + Attention + graph cut"].endswith(" | - |")
    disk = CentredDiskBaseline(radius_fraction=0.3)  # evaluate.yaml's disk_radius_fraction
    items = load_decathlon_datalist(str(tiny_isic.datalist_dir / "segmentation.json"), data_list_key="validation")
    by_hand = np.mean([segmentation_scores(disk(read_mask(i["mask"])), read_mask(i["mask"]))["dice"] for i in items])
    disk_row = next(row for row in table if row["method"] == baselines[0] and row["split"] == "validation"
                    and row["metric"] == "dice")
    assert float(disk_row["mean"]) == pytest.approx(by_hand, abs=1e-6)
    with Image.open(eval_dir / "figure.png") as figure:
        columns = 1 + len(rows) + 1 + 1  # image, every init-map folder, the one U-net folder, ground truth
        assert figure.format == "PNG" and figure.width == columns * 128 and figure.height > 2 * 128


def tensorboard_images(run_dir: Path) -> dict[str, list[tuple[int, int, int]]]:
    """Image tag -> (step, height, width) of each image TensorBoard holds for the run."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    images: dict[str, list[tuple[int, int, int]]] = {}
    for events in sorted(run_dir.glob("events.out.tfevents.*")):
        accumulator = EventAccumulator(str(events), size_guidance={"images": 0})
        accumulator.Reload()
        for tag in accumulator.Tags()["images"]:
            images.setdefault(tag, []).extend((e.step, e.height, e.width) for e in accumulator.Images(tag))
    return images


def test_each_validation_shows_the_image_its_proxy_and_prediction_in_tensorboard(unet_run: Path) -> None:
    images = tensorboard_images(unet_run)  # input (RGB), label = the held-out proxy, predicted lesion channel
    assert set(images) == {"input_0_CHW", "input_1_HW_0", "output_HW_0"}
    size = tuple(TINY_UNET["image_size"])
    for tag, shown in images.items():
        assert {step for step, *_ in shown} >= set(range(1, TINY_UNET["max_epochs"] + 1)), tag  # every validation
        assert {tuple(hw) for _, *hw in shown} == {size}


def test_each_manifold_validation_shows_an_image_and_its_attention_map(manifold_run: Path) -> None:
    images = tensorboard_images(manifold_run)
    assert set(images) == {"input_0_CHW", "output_HW_0"}  # no pixel label: the image and its attention map
    assert sorted(step for step, *_ in images["output_HW_0"]) == list(range(1, TINY_MANIFOLD["max_epochs"] + 1))
    assert {tuple(hw) for _, *hw in images["input_0_CHW"]} == {tuple(TINY_MANIFOLD["image_size"])}
    assert all(height < TINY_MANIFOLD["image_size"][0] for _, height, _ in images["output_HW_0"])  # the trunk's grid
