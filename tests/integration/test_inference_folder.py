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
"""``configs/inference.yaml`` on a folder of mixed images, as a user (or MONAI Label) points it at one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from monai.networks.nets import UNet
from PIL import Image

from tests.data.fixtures import write_exif_rotated
from tests.integration.conftest import REPO_ROOT, run_bundle

SMALL_UNET = {"image_size": [32, 32], "channels": [8, 16, 32, 64, 128]}

# file name -> (PIL mode, (width, height))
FOLDER_IMAGES: dict[str, tuple[str, tuple[int, int]]] = {
    "lesion_a.jpg": ("RGB", (61, 45)),
    "lesion_b.JPEG": ("RGB", (40, 52)),
    "lesion_c.png": ("RGB", (33, 33)),
    "grey.png": ("L", (50, 37)),
    "with_alpha.png": ("RGBA", (29, 64)),
}


def write_image(path: Path, mode: str, size: tuple[int, int], seed: int) -> None:
    """A random noise image of ``size`` (width, height) in PIL ``mode``, format from the suffix."""
    width, height = size
    channels = len(mode)  # "L" 1, "RGB" 3, "RGBA" 4
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    Image.fromarray(array[..., 0] if channels == 1 else array, mode=mode).save(path)


@pytest.fixture
def bundle_root(tmp_path: Path) -> Path:
    """A bundle root holding ``models/model.pt``: a randomly initialised small U-net's weights."""
    torch.manual_seed(0)
    network = UNet(spatial_dims=2, in_channels=3, out_channels=2, channels=SMALL_UNET["channels"],
                   strides=[2, 2, 2, 2], num_res_units=2)
    (tmp_path / "models").mkdir()
    torch.save(network.state_dict(), tmp_path / "models" / "model.pt")
    return tmp_path


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for seed, (name, (mode, size)) in enumerate(FOLDER_IMAGES.items()):
        write_image(folder / name, mode, size, seed)
    (folder / "notes.txt").write_text("not an image\n")
    return folder


def test_one_mask_per_image_at_its_size(bundle_root: Path, image_folder: Path, tmp_path: Path) -> None:
    output_dir = tmp_path / "masks"
    run_bundle(["inference.yaml"], bundle_root=str(bundle_root), input_dir=str(image_folder),
               output_dir=str(output_dir), **SMALL_UNET)
    expected = {f"{Path(name).stem}_mask.png": size for name, (_, size) in FOLDER_IMAGES.items()}
    assert {path.name for path in output_dir.iterdir()} == set(expected)
    for name, size in expected.items():
        with Image.open(output_dir / name) as mask:
            assert mask.mode == "L"
            assert mask.size == size, f"{name}: {mask.size} != {size}"
            assert set(np.unique(np.asarray(mask)).tolist()) <= {0, 255}


def test_converted_images_are_segmented_as_displayed(bundle_root: Path, image_folder: Path, tmp_path: Path) -> None:
    """A 16-bit copy of an 8-bit image (values x 257) gets exactly its mask; a JPEG stored sideways with an EXIF
    orientation gets a mask of its displayed size."""
    with Image.open(image_folder / "grey.png") as grey:
        Image.fromarray(np.asarray(grey).astype(np.uint16) * 257).save(image_folder / "deep.png")
    write_exif_rotated(image_folder / "sideways.jpg", (44, 30), orientation=6)
    output_dir = tmp_path / "masks"
    run_bundle(["inference.yaml"], bundle_root=str(bundle_root), input_dir=str(image_folder),
               output_dir=str(output_dir), **SMALL_UNET)
    with Image.open(output_dir / "grey_mask.png") as eight, Image.open(output_dir / "deep_mask.png") as sixteen:
        assert np.array_equal(np.asarray(eight), np.asarray(sixteen))
    with Image.open(output_dir / "sideways_mask.png") as sideways:
        assert sideways.size == (30, 44)


def test_folder_without_images_is_refused(bundle_root: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here\n")
    with pytest.raises(SystemExit, match=f"{empty}: no image files"):  # a message, not a traceback
        run_bundle(["inference.yaml"], bundle_root=str(bundle_root), input_dir=str(empty),
                   output_dir=str(tmp_path / "masks"), **SMALL_UNET)


def test_cli_names_every_bad_image_without_a_traceback(bundle_root: Path, image_folder: Path, tmp_path: Path) -> None:
    """``python -m monai.bundle run`` on a folder with a zero-byte and a 32-bit float image: exit 1, one message
    naming both, nothing written; with --skip_bad the good images are segmented and the bad ones listed."""
    (image_folder / "zero.png").write_bytes(b"")
    Image.fromarray(np.zeros((40, 30), np.float32)).save(image_folder / "float.tif")
    output_dir = tmp_path / "masks"
    config = str(REPO_ROOT / "configs" / "inference.yaml")
    command = [sys.executable, "-m", "monai.bundle", "run", "--config_file", config,
               "--bundle_root", str(bundle_root), "--input_dir", str(image_folder), "--output_dir", str(output_dir),
               "--image_size", "[32,32]", "--channels", "[8,16,32,64,128]"]
    stopped = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert f"{image_folder / 'zero.png'}: image file is empty" in stopped.stderr
    assert f"{image_folder / 'float.tif'}: image mode F (32-bit float) has no known intensity range" in stopped.stderr
    assert not output_dir.exists()
    skipped = subprocess.run([*command, "--skip_bad", "true"], capture_output=True, text=True, cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr[-2000:]
    expected = {f"{Path(name).stem}_mask.png" for name in FOLDER_IMAGES} | {"problems.json"}
    assert {path.name for path in output_dir.iterdir()} == expected


def test_rerun_after_kill_completes_with_no_stray_files(bundle_root: Path, tmp_path: Path) -> None:
    """SIGKILL an inference run of 30 images once its first masks are written; the rerun completes: every mask
    opens at its image's size and no temporary file is left."""
    images = tmp_path / "many"
    images.mkdir()
    sizes = {f"case{index:02d}.png": (120 + index, 90 + 2 * index) for index in range(30)}
    for seed, (name, size) in enumerate(sizes.items()):
        write_image(images / name, "RGB", size, seed)
    output_dir = tmp_path / "masks"
    config = str(REPO_ROOT / "configs" / "inference.yaml")
    command = [sys.executable, "-m", "monai.bundle", "run", "--config_file", config,
               "--bundle_root", str(bundle_root), "--input_dir", str(images), "--output_dir", str(output_dir),
               "--image_size", "[32,32]", "--channels", "[8,16,32,64,128]", "--batch_size", "1"]
    running = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    while running.poll() is None and not any(output_dir.glob("*_mask.png")):
        time.sleep(0.01)
    running.send_signal(signal.SIGKILL)
    running.wait()
    finished = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert sorted(path.name for path in output_dir.iterdir()) == sorted(f"{Path(n).stem}_mask.png" for n in sizes)
    for name, size in sizes.items():
        with Image.open(output_dir / f"{Path(name).stem}_mask.png") as mask:
            assert mask.size == size
