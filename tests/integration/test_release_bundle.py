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
"""The release zip as model-zoo's CI and a new user meet it: schema, network shape, TorchScript, and download and
inference in MONAI Label's environment, where this project is not installed."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from monai.bundle import ConfigParser
from PIL import Image

from bundle import __version__
from bundle.data.datalist import load_datalist
from tests.integration.conftest import Release, monailabel_python

SCHEMA = Path(__file__).resolve().parents[1] / "export" / "meta_schema_20240725.json"
NUM_IMAGES = 5


def monai_bundle(python: Path, *args: str, cwd: Path, nproc: int | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m monai.bundle <args>`` in ``cwd`` (with ``nproc``: as that many torchrun processes); fail the
    test with its output if it fails."""
    launcher = [] if nproc is None else ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc)]
    result = subprocess.run([str(python), *launcher, "-m", "monai.bundle", *args], cwd=cwd, capture_output=True,
                            text=True)
    assert result.returncode == 0, f"monai.bundle {args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_zip_holds_the_bundle_folder_with_regular_files(release: Release) -> None:
    with zipfile.ZipFile(release.archive) as archive:
        names = set(archive.namelist())
        links = [info.filename for info in archive.infolist() if (info.external_attr >> 16) & 0o170000 == 0o120000]
    assert release.archive.name == f"skin_lesion_wss_v{__version__}.zip"
    expected = {"LICENSE", "configs/metadata.json", "configs/inference.yaml", "configs/inference_attention.yaml",
                "configs/train.yaml", "configs/multi_gpu_train.yaml", "configs/logging.conf", "models/model.pt",
                "models/model.ts", "models/attention.pt", "docs/README.md", "docs/data_license.txt",
                "bundle/__init__.py"}
    assert {f"skin_lesion_wss/{name}" for name in expected} <= names
    assert all(name.startswith("skin_lesion_wss/") for name in names) and not links


@pytest.mark.parametrize("config", ["inference.yaml", "inference_attention.yaml", "train.yaml"])
def test_release_configs_stand_alone(release: Release, config: str) -> None:
    """No `initialize` (it would import the bundle before it is on sys.path) and the profile's constants baked."""
    content = ConfigParser.load_config_file(release.folder / "configs" / config)
    assert "initialize" not in content and "run" in content
    assert content["image_size"] == ([128, 128] if config == "inference_attention.yaml" else [64, 64])


def test_metadata_and_network_pass_model_zoo_checks(release: Release) -> None:
    monai_bundle(Path(sys.executable), "verify_metadata", "--meta_file", "configs/metadata.json",
                 "--filepath", str(SCHEMA), cwd=release.folder)
    monai_bundle(Path(sys.executable), "verify_net_in_out", "network_def", "--meta_file", "configs/metadata.json",
                 "--config_file", "configs/inference.yaml", "--device", "cpu", cwd=release.folder)


def test_torchscript_equals_the_eager_model_on_real_images(release: Release) -> None:
    parser = ConfigParser()
    parser.read_config(str(release.folder / "configs" / "inference.yaml"))
    parser["bundle_root"] = str(release.folder)
    parser["input_dir"] = str(release.isic.isic_dir / "ISIC2018_Task1-2_Training_Input")
    eager = parser.get_parsed_content("network_def")
    eager.load_state_dict(torch.load(release.folder / "models" / "model.pt", map_location="cpu", weights_only=True))
    scripted = torch.jit.load(release.folder / "models" / "model.ts", map_location="cpu")
    preprocessing = parser.get_parsed_content("preprocessing")
    items = parser.get_parsed_content("dataset#data")
    batch = torch.stack([preprocessing(item)["image"].as_tensor() for item in items])
    with torch.no_grad():
        difference = (scripted.eval()(batch) - eager.eval()(batch)).abs().max().item()
    assert difference <= 1e-5


@pytest.fixture(scope="module")
def downloaded(release: Release, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(work folder, bundle folder, folder of 5 JPEGs): the zip downloaded with MONAI's CLI in MONAI Label's
    environment, from a folder outside the repository."""
    work = tmp_path_factory.mktemp("elsewhere")
    python = monailabel_python()
    monai_bundle(python, "download", "--name", "skin_lesion_wss", "--url", release.archive.as_uri(),
                 "--bundle_dir", str(work / "bundles"), cwd=work)
    images = work / "images"
    images.mkdir()
    for item in load_datalist(release.isic.datalist_dir / "segmentation.json", "test")[:NUM_IMAGES]:
        Image.open(item["image"]).save(images / Path(item["image"]).name)
    return work, work / "bundles" / "skin_lesion_wss", images


def test_project_is_not_installed_in_the_foreign_environment(downloaded: tuple[Path, Path, Path]) -> None:
    work, _, _ = downloaded
    found = subprocess.run([str(monailabel_python()), "-c", "import bundle"], cwd=work, capture_output=True)
    assert found.returncode != 0


@pytest.mark.parametrize("torchscript", [False, True])
def test_downloaded_bundle_segments_a_folder(downloaded: tuple[Path, Path, Path], torchscript: bool) -> None:
    work, bundle_dir, images = downloaded
    masks = work / f"masks_ts{torchscript}"
    monai_bundle(monailabel_python(), "run", "--config_file", str(bundle_dir / "configs" / "inference.yaml"),
                 "--input_dir", str(images), "--output_dir", str(masks), "--use_torchscript", str(torchscript).lower(),
                 cwd=work)
    for image in sorted(images.iterdir()):
        with Image.open(image) as source, Image.open(masks / f"{image.stem}_mask.png") as mask:
            assert mask.size == source.size and set(np.unique(np.asarray(mask)).tolist()) <= {0, 255}
    if torchscript:
        eager = work / "masks_tsFalse"
        for mask in masks.iterdir():
            assert np.array_equal(np.asarray(Image.open(mask)), np.asarray(Image.open(eager / mask.name)))


def test_downloaded_bundle_maps_attention(downloaded: tuple[Path, Path, Path]) -> None:
    work, bundle_dir, images = downloaded
    maps = work / "maps"
    monai_bundle(monailabel_python(), "run", "--config_file", str(bundle_dir / "configs" / "inference_attention.yaml"),
                 "--input_dir", str(images), "--output_dir", str(maps), cwd=work)
    for image in images.iterdir():
        with Image.open(image) as source, Image.open(maps / f"{image.stem}_map.png") as attention:
            assert attention.size == source.size and attention.mode.startswith("I")  # 16-bit map
        assert (maps / f"{image.stem}_mask.png").is_file()


def fine_tune(work: Path, bundle_dir: Path, release: Release, configs: list[str], pairs: int,
              nproc: int | None = None) -> tuple[dict, dict]:
    """Fine-tune the downloaded release with ``configs`` on ``pairs`` true-mask pairs (half of them to validate)
    for one epoch; return the model's weights before and after."""
    items = [{"image": item["image"], "label": item["mask"]}
             for item in load_datalist(release.isic.datalist_dir / "segmentation.json", "validation")[:pairs]]
    datalist = work / f"pairs_{pairs}.json"
    datalist.write_text(json.dumps({"training": items, "validation": items[: pairs // 2]}))
    model = bundle_dir / "models" / "model.pt"
    before = torch.load(model, map_location="cpu", weights_only=True)
    files = "[" + ",".join(f"'{bundle_dir / 'configs' / name}'" for name in configs) + "]"
    monai_bundle(monailabel_python(), "run", "--config_file", files, "--finetune_datalist", str(datalist),
                 "--max_epochs", "1", cwd=work, nproc=nproc)
    return before, torch.load(model, map_location="cpu", weights_only=True)


def test_downloaded_bundle_fine_tunes_from_pairs(downloaded: tuple[Path, Path, Path], release: Release) -> None:
    """train.yaml on a datalist of {image, label} pairs replaces models/model.pt with weights that load."""
    work, bundle_dir, _ = downloaded
    before, after = fine_tune(work, bundle_dir, release, ["train.yaml"], pairs=2)
    assert after.keys() == before.keys()
    assert any(not torch.equal(after[key], before[key]) for key in before)
    assert not [path.name for path in (bundle_dir / "models").iterdir() if path.name.startswith(".")]  # no temporary


def test_downloaded_bundle_fine_tunes_as_two_processes(downloaded: tuple[Path, Path, Path], release: Release) -> None:
    """The release's multi_gpu_train.yaml over train.yaml, as MONAI Label's multi-GPU trainer runs them (Gloo here)."""
    work, bundle_dir, _ = downloaded
    before, after = fine_tune(work, bundle_dir, release, ["train.yaml", "multi_gpu_train.yaml"], pairs=4, nproc=2)
    assert after.keys() == before.keys()  # the plain U-net, saved once by rank 0
    assert any(not torch.equal(after[key], before[key]) for key in before)
