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
"""Tests for loading torchvision-layout ResNet weights from a local file."""

from __future__ import annotations

import pytest
import torch
from monai.networks.nets import ResNet

from bundle.networks import AttentionManifoldNet, ResNetTrunk, load_resnet_weights

BN_KEYS = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def torchvision_resnet18_keys() -> set[str]:
    """The state-dict keys of torchvision's ``resnet18``, written out from its architecture."""
    keys = {"conv1.weight", "fc.weight", "fc.bias"} | {f"bn1.{k}" for k in BN_KEYS}
    for stage in range(1, 5):
        for block in range(2):
            prefix = f"layer{stage}.{block}"
            keys |= {f"{prefix}.conv1.weight", f"{prefix}.conv2.weight"}
            keys |= {f"{prefix}.bn{i}.{k}" for i in (1, 2) for k in BN_KEYS}
        if stage > 1:
            keys |= {f"layer{stage}.0.downsample.0.weight"} | {f"layer{stage}.0.downsample.1.{k}" for k in BN_KEYS}
    return keys


def fake_imagenet_resnet(widen_factor: float = 0.25) -> dict[str, torch.Tensor]:
    """A randomly initialised 2D ResNet-18 state dict in torchvision layout (with layer4 and fc)."""
    resnet = ResNet(
        block="basic",
        layers=[2, 2, 2, 2],
        block_inplanes=[64, 128, 256, 512],
        spatial_dims=2,
        shortcut_type="B",
        widen_factor=widen_factor,
        bias_downsample=False,
        num_classes=1000,
    )
    state = resnet.state_dict()
    for key in state:
        if key.endswith("running_var"):  # make buffers distinguishable from a fresh module's
            state[key] = torch.rand_like(state[key]) + 0.5
    return state


def test_monai_resnet_uses_torchvision_names():
    assert set(fake_imagenet_resnet()) == torchvision_resnet18_keys()


@pytest.mark.parametrize(
    "wrap",
    [
        lambda state: state,
        lambda state: {"state_dict": {f"module.{k}": v for k, v in state.items()}},
        lambda state: {"model": state, "epoch": 90},
    ],
    ids=["plain", "nested_data_parallel", "model_key"],
)
def test_loads_every_trunk_tensor_and_skips_the_rest(tmp_path, wrap):
    state = fake_imagenet_resnet()
    torch.save(wrap(state), tmp_path / "resnet18.pth")
    trunk = ResNetTrunk(depth=18, widen_factor=0.25)
    loaded = load_resnet_weights(trunk, tmp_path / "resnet18.pth")
    assert loaded == list(trunk.state_dict())
    for key, value in trunk.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert not any(key.startswith(("fc", "layer4")) for key in loaded)


def test_shape_mismatch_raises_or_is_skipped(tmp_path):
    state = fake_imagenet_resnet()
    torch.save(state, tmp_path / "rgb.pth")
    trunk = ResNetTrunk(depth=18, widen_factor=0.25, in_channels=1)
    with pytest.raises(ValueError, match="conv1.weight"):
        load_resnet_weights(trunk, tmp_path / "rgb.pth")
    conv1_before = trunk.conv1.weight.clone()
    loaded = load_resnet_weights(trunk, tmp_path / "rgb.pth", strict_shapes=False)
    assert "conv1.weight" not in loaded and len(loaded) == len(trunk.state_dict()) - 1
    assert torch.equal(trunk.conv1.weight, conv1_before)
    assert torch.equal(trunk.layer1[0].conv1.weight, state["layer1.0.conv1.weight"])


def test_attention_net_loads_its_trunk(tmp_path):
    state = fake_imagenet_resnet()
    torch.save(state, tmp_path / "resnet18.pth")
    net = AttentionManifoldNet(depth=18, widen_factor=0.25, pretrained_path=tmp_path / "resnet18.pth")
    assert torch.equal(net.trunk.layer3[1].bn2.running_var, state["layer3.1.bn2.running_var"])


@pytest.mark.parametrize(
    "content, error",
    [
        [None, FileNotFoundError],
        [b"not a checkpoint", ValueError],
        [torch.zeros(3), ValueError],
        [{"head.weight": torch.zeros(3)}, ValueError],
    ],
)
def test_unusable_files_raise_naming_the_file(tmp_path, content, error):
    path = tmp_path / "weights.pth"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        torch.save(content, path)
    with pytest.raises(error, match="weights.pth"):
        load_resnet_weights(ResNetTrunk(depth=10, widen_factor=0.25), path)
