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
"""Shared fixtures of the integration tests: a tiny synthetic ISIC set, an in-process bundle runner and a release
of a U-net trained on it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from monai.bundle import ConfigParser, ConfigWorkflow

from bundle.data.datalist import as_segmentation_pairs, load_datalist
from bundle.data.isic_reader import prepare_isic
from bundle.data.synthetic import SyntheticConfig, SyntheticDermoscopyGenerator
from bundle.export import export_bundle
from bundle.utils import write_json_atomic

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "configs"
META_FILE = CONFIG_DIR / "metadata.json"

TINY_SET = SyntheticConfig(
    num_classification=56, num_segmentation=12, min_width=48, max_width=64, min_per_class=4, seed=0
)
"""56 classification images (every class at least 4 times) and 12 segmentation images, 48-64 px wide."""

@dataclass(frozen=True)
class SyntheticIsic:
    """A synthetic set in the ISIC 2018 layout and the datalists ``prepare_isic`` wrote for it."""

    isic_dir: Path
    datalist_dir: Path

    def paths(self, output_dir: Path) -> dict[str, str]:
        """The path ids ``scripts/run_pipeline.py`` overrides for every stage, with ``output_dir`` as output."""
        return {
            "bundle_root": str(REPO_ROOT),
            "dataset_dir": str(self.isic_dir),
            "datalist_dir": str(self.datalist_dir),
            "output_dir": str(output_dir),
        }


def make_synthetic_isic(root: Path, config: SyntheticConfig) -> SyntheticIsic:
    """Write the synthetic set ``config`` under ``root/isic`` and its datalists under ``root/datalists``."""
    isic = SyntheticIsic(isic_dir=root / "isic", datalist_dir=root / "datalists")
    SyntheticDermoscopyGenerator(config).write(isic.isic_dir, num_workers=1)
    prepare_isic(isic.isic_dir, isic.datalist_dir, seed=0, num_workers=1)
    return isic


@pytest.fixture(scope="session", autouse=True)
def single_torch_thread() -> Iterator[None]:
    """Tiny convolutions run faster on one thread than on two contended ones (other jobs share the 2 cores)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def tiny_isic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticIsic:
    """The tiny synthetic set shared by every integration test."""
    return make_synthetic_isic(tmp_path_factory.mktemp("tiny_isic"), TINY_SET)


def run_bundle(configs: Sequence[str], **overrides: Any) -> ConfigWorkflow:
    """Run ``configs`` (file names under ``configs/``, merged in order) as ``python -m monai.bundle run`` does.

    Runs from the repository root with the bundle's metadata; the logging file is left out because
    ``logging.config.fileConfig`` would replace the handlers pytest captures logs with.

    Returns:
        the finished workflow, whose ``parser`` gives access to the objects it built.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO_ROOT)
        workflow = ConfigWorkflow(
            config_file=[str(CONFIG_DIR / name) for name in configs],
            meta_file=str(META_FILE),
            logging_file=False,
            workflow_type=None,
            **overrides,
        )
        workflow.initialize()
        workflow.run()
        workflow.finalize()
    return workflow


@dataclass(frozen=True)
class Release:
    """A model-zoo release exported from a U-net trained on ``isic`` (attention weights untrained)."""

    archive: Path
    folder: Path
    isic: SyntheticIsic


def monailabel_python() -> Path:
    """MONAI Label's environment (``make monailabel-env``), from $MONAILABEL_PYTHON or the repository's default."""
    python = Path(os.environ.get("MONAILABEL_PYTHON", REPO_ROOT / ".venv-monailabel" / "bin" / "python"))
    if not python.exists():
        pytest.skip(f"MONAI Label's environment is missing ({python}): `make monailabel-env` builds it")
    return python


def untrained_weights(configs: Sequence[str], path: Path) -> Path:
    """Save the randomly initialised ``network_def`` of ``configs`` (merged) to ``path``."""
    parser = ConfigParser()
    parser.read_config([str(CONFIG_DIR / name) for name in configs])
    torch.manual_seed(0)
    torch.save(parser.get_parsed_content("network_def").state_dict(), path)
    return path


@pytest.fixture(scope="session")
def release(tiny_isic: SyntheticIsic, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The release of a CPU-profile U-net trained on the true masks of the tiny set's classification images."""
    root = tmp_path_factory.mktemp("release")
    pairs = write_json_atomic(root / "pairs.json", {
        "training": as_segmentation_pairs(load_datalist(tiny_isic.datalist_dir / "classification.json", "training")),
        "validation": as_segmentation_pairs(load_datalist(tiny_isic.datalist_dir / "segmentation.json", "validation")),
    })
    run_bundle(["train_unet.yaml", "cpu_unet.yaml"], **tiny_isic.paths(root / "output"), run_name="release",
               train_datalist=str(pairs), max_epochs=30, val_interval=30, batch_size=8, num_workers=0,
               epoch_length=None)
    checkpoints = {
        "model.pt": root / "output" / "unet" / "release" / "model.pt",
        "attention.pt": untrained_weights(["train_manifold.yaml", "cpu_manifold.yaml"], root / "attention.pt"),
    }
    archive = export_bundle(REPO_ROOT, checkpoints, root / "dist", profile="cpu")
    return Release(archive=archive, folder=root / "dist" / "skin_lesion_wss", isic=tiny_isic)
