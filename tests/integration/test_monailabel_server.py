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
"""A real MONAI Label server (MONAI Label's own environment) serving the release: models, masks, bad requests,
labels and a fine-tune that the next inference uses."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import requests
import torch
from PIL import Image

from bundle.data.datalist import load_datalist
from bundle.evaluation.centred_disk import CentredDiskBaseline
from bundle.evaluation.segmentation_metrics import segmentation_scores
from tests.integration.conftest import REPO_ROOT, Release, monailabel_python

APP = REPO_ROOT / "scripts" / "monailabel" / "app"
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 300


@dataclass(frozen=True)
class Server:
    """A running server: its URL, its studies (image id -> image path, true mask path) and its release folder."""

    url: str
    studies: dict[str, tuple[Path, Path]]
    release: Path
    log: Path

    def infer(self, model: str, image_id: str) -> np.ndarray:
        """The (H, W) label ``POST /infer/<model>?image=<id>`` returns."""
        answer = requests.post(f"{self.url}/infer/{model}", params={"image": image_id, "output": "image"},
                               timeout=REQUEST_TIMEOUT_S)
        assert answer.status_code == 200, answer.text
        return np.asarray(Image.open(io.BytesIO(answer.content)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"MONAI Label exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"{url}/info/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(f"MONAI Label did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``monailabel start_server`` on 127.0.0.1 and a free port with the segmentation test images as studies;
    stopped (its whole process group) at the end, whatever the tests did."""
    python = monailabel_python()
    root = tmp_path_factory.mktemp("monailabel")
    studies_dir, masks = root / "studies", {}
    studies_dir.mkdir()
    for item in load_datalist(release.isic.datalist_dir / "segmentation.json", "test"):
        image = Path(shutil.copy(item["image"], studies_dir))
        masks[image.stem] = (image, Path(item["mask"]))
    release_dir = Path(shutil.copytree(release.folder, root / "skin_lesion_wss"))  # fine-tuning writes into it
    port, log = free_port(), root / "server.log"
    command = [str(python.parent / "monailabel"), "start_server", "--app", str(APP), "--studies", str(studies_dir),
               "--conf", "bundle", str(release_dir), "--conf", "sam2", "false",
               "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "w") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "MONAILABEL_PYEXE": str(python)}, cwd=root)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process, log)
        yield Server(url=url, studies=masks, release=release_dir, log=log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_info_lists_both_models_and_the_trainer(server: Server) -> None:
    info = requests.get(f"{server.url}/info/", timeout=30).json()
    assert set(info["models"]) == {"lesion", "attention"}
    assert info["models"]["lesion"]["labels"] == {"lesion": 1} and info["models"]["lesion"]["dimension"] == 2
    assert set(info["trainers"]) == {"lesion"}


def test_lesion_masks_have_the_image_size_and_beat_the_centred_disk(server: Server) -> None:
    disk, model_dice, disk_dice = CentredDiskBaseline(), [], []
    for image_id, (image, mask) in server.studies.items():
        predicted = server.infer("lesion", image_id)
        truth = np.asarray(Image.open(mask)) > 127
        assert predicted.shape == truth.shape, f"{image_id}: {predicted.shape} != {truth.shape}"
        assert set(np.unique(predicted).tolist()) <= {0, 1}
        model_dice.append(segmentation_scores(predicted == 1, truth)["dice"])
        disk_dice.append(segmentation_scores(disk(truth), truth)["dice"])
    assert np.mean(model_dice) > np.mean(disk_dice), f"model {np.mean(model_dice):.3f}, disk {np.mean(disk_dice):.3f}"


def test_attention_proposal_has_the_image_size(server: Server) -> None:
    image_id, (image, _) = next(iter(server.studies.items()))
    proposal = server.infer("attention", image_id)
    with Image.open(image) as source:
        assert proposal.shape == (source.height, source.width)
    assert set(np.unique(proposal).tolist()) <= {0, 1}


def float_tiff() -> bytes:
    stream = io.BytesIO()
    Image.fromarray(np.zeros((40, 30), np.float32)).save(stream, format="TIFF")
    return stream.getvalue()


@pytest.mark.parametrize(
    "params, upload, status, message",
    [
        ({"image": "ISIC_9999999"}, None, 404, "image id 'ISIC_9999999': no such image in the datastore"),
        ({}, ("notes.png", b"not an image\n"), 422, "image cannot be decoded"),
        ({}, ("empty.jpg", b""), 422, "image file is empty (0 bytes)"),
        ({}, ("float.tif", float_tiff()), 422, "image mode F (32-bit float) has no known intensity range"),
    ],
    ids=["unknown-id", "not-an-image", "empty-file", "float-tiff"],
)
def test_bad_requests_get_a_clear_4xx_and_the_server_keeps_serving(
    server: Server, params: dict, upload: tuple[str, bytes] | None, status: int, message: str
) -> None:
    files = {"file": upload} if upload else None
    answer = requests.post(f"{server.url}/infer/lesion", params=params, files=files, timeout=REQUEST_TIMEOUT_S)
    assert answer.status_code == status and message in answer.json()["detail"], answer.text
    assert requests.get(f"{server.url}/info/", timeout=30).status_code == 200


def test_saved_labels_fine_tune_the_model_the_next_inference_uses(server: Server) -> None:
    """PUT two corrected masks, train one epoch: a new models/model.pt, and /infer answers with it."""
    labelled = list(server.studies.items())[:2]
    for image_id, (_, mask) in labelled:
        with open(mask, "rb") as stream:
            answer = requests.put(f"{server.url}/datastore/label", params={"image": image_id, "tag": "final"},
                                  files={"label": (mask.name, stream)}, timeout=REQUEST_TIMEOUT_S)
        assert answer.status_code == 200, answer.text
    model = server.release / "models" / "model.pt"
    before_weights, before_mtime = torch.load(model, weights_only=True), model.stat().st_mtime_ns
    probe_id = labelled[0][0]
    server.infer("lesion", probe_id)  # the server holds the old model from here on
    answer = requests.post(f"{server.url}/train/lesion", params={"run_sync": "true"},
                           json={"max_epochs": 1, "val_split": 0.0}, timeout=REQUEST_TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    assert model.stat().st_mtime_ns != before_mtime
    after_weights = torch.load(model, weights_only=True)
    assert any(not torch.equal(after_weights[key], before_weights[key]) for key in before_weights)
    server.infer("lesion", probe_id)
    assert "Reload model from cache" in server.log.read_text()
