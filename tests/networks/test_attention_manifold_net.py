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
"""Tests for the attention-manifold network: shapes, one-pass outputs, learner slices, frozen BN, export."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from bundle.networks import AttentionManifoldNet

SMALL = {"depth": 10, "widen_factor": 0.25}

# [kwargs, input_shape, (embedding_shape, attention_shape)]
SHAPE_CASES = [
    [{"depth": 10}, (2, 3, 64, 64), ((2, 128), (2, 1, 4, 4))],
    [{"depth": 18, "widen_factor": 0.5, "embedding_dim": 32}, (2, 3, 96, 96), ((2, 32), (2, 1, 6, 6))],
    [{"depth": 34, "widen_factor": 0.25, "num_learners": 4}, (1, 3, 128, 128), ((1, 128), (1, 1, 8, 8))],
    [{"depth": 50, "widen_factor": 0.25, "num_learners": 8}, (2, 3, 64, 96), ((2, 128), (2, 1, 4, 6))],
    [{"depth": 101, "widen_factor": 0.25, "attention_channels": (16,)}, (1, 3, 96, 96), ((1, 128), (1, 1, 6, 6))],
    [{**SMALL, "in_channels": 1, "embedding_dim": 10}, (2, 1, 64, 64), ((2, 10), (2, 1, 4, 4))],
    [{**SMALL, "spatial_dims": 3, "embedding_dim": 16}, (1, 3, 32, 32, 32), ((1, 16), (1, 1, 2, 2, 2))],
    [{"depth": 18, "widen_factor": 0.25, "last_layer": "layer2"}, (2, 3, 128, 128), ((2, 128), (2, 1, 16, 16))],
    [{**SMALL, "last_layer": "layer4", "num_learners": 2}, (1, 3, 64, 64), ((1, 128), (1, 1, 2, 2))],
]


@pytest.mark.parametrize("kwargs, input_shape, expected_shapes", SHAPE_CASES)
def test_shapes_and_attention_range(kwargs, input_shape, expected_shapes):
    net = AttentionManifoldNet(**kwargs).eval()
    with torch.no_grad():
        embedding, attention = net(torch.rand(input_shape))
    assert (tuple(embedding.shape), tuple(attention.shape)) == expected_shapes
    assert attention.min() >= 0.0 and attention.max() <= 1.0


@pytest.mark.parametrize("last_layer, channels", [["layer1", 16], ["layer2", 32], ["layer3", 64]])
def test_last_layer_sets_the_attention_and_embedding_inputs(last_layer, channels):
    net = AttentionManifoldNet(**SMALL, last_layer=last_layer)
    assert net.trunk.last_layer == last_layer and net.trunk.out_channels == channels
    assert net.attention[0].in_channels == channels and net.embedding.in_features == channels


def test_embedding_and_attention_come_from_one_trunk_pass():
    net = AttentionManifoldNet(**SMALL).eval()
    trunk_outputs = []
    net.trunk.register_forward_hook(lambda module, args, output: trunk_outputs.append(output))
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        embedding, attention = net(x)
        assert len(trunk_outputs) == 1
        features = trunk_outputs[0]
        assert torch.allclose(attention, net.attention(features))
        pooled = (features * attention).mean(dim=(2, 3))
        assert torch.allclose(embedding, F.normalize(net.embedding(pooled), dim=1), atol=1e-6)
        assert torch.allclose(net.pooled_features(x), F.normalize(pooled, dim=1), atol=1e-6)


@pytest.mark.parametrize(
    "embedding_dim, num_learners, expected_lengths",
    [
        [128, 1, [128]],
        [128, 3, [43, 43, 42]],
        [128, 4, [32] * 4],
        [128, 8, [16] * 8],
        [10, 4, [3, 3, 3, 1]],
    ],
)
def test_each_learner_slice_has_unit_norm(embedding_dim, num_learners, expected_lengths):
    net = AttentionManifoldNet(**SMALL, embedding_dim=embedding_dim, num_learners=num_learners).eval()
    slices = net.learner_slices()
    assert [s.stop - s.start for s in slices] == expected_lengths
    assert slices[0].start == 0 and slices[-1].stop == embedding_dim
    with torch.no_grad():
        embedding, _ = net(torch.rand(3, 3, 64, 64))
    for s in slices:
        assert torch.allclose(embedding[:, s].norm(dim=1), torch.ones(3), atol=1e-5)
    if num_learners > 1:  # the whole vector then has norm sqrt(K), not 1
        assert torch.allclose(embedding.norm(dim=1), torch.full((3,), num_learners**0.5), atol=1e-4)


def test_switching_to_one_learner_normalises_the_whole_embedding():
    net = AttentionManifoldNet(**SMALL, num_learners=8).eval()
    net.num_learners = 1
    assert net.learner_slices() == [slice(0, 128)]
    with torch.no_grad():
        embedding, _ = net(torch.rand(2, 3, 64, 64))
    assert torch.allclose(embedding.norm(dim=1), torch.ones(2), atol=1e-5)


@pytest.mark.parametrize("bad_value", [0, -1, 129, 100])
def test_bad_num_learners_after_construction_is_rejected_and_keeps_state(bad_value):
    net = AttentionManifoldNet(**SMALL, num_learners=4)
    with pytest.raises(ValueError):
        net.num_learners = bad_value
    assert net.num_learners == 4 and len(net.learner_slices()) == 4


@pytest.mark.parametrize("freeze_bn, stats_change", [[True, False], [False, True]])
def test_freeze_bn_keeps_running_stats_and_affine_fixed(freeze_bn, stats_change):
    net = AttentionManifoldNet(**SMALL, freeze_bn=freeze_bn).train()
    before = net.trunk.bn1.running_mean.clone()
    net(torch.rand(2, 3, 64, 64) * 5.0)
    assert net.training and net.attention.training
    assert net.trunk.bn1.training is not freeze_bn
    assert net.trunk.layer3[0].bn2.weight.requires_grad is not freeze_bn
    assert (not torch.equal(before, net.trunk.bn1.running_mean)) is stats_change


def test_freeze_trunk_trains_only_attention_and_embedding():
    net = AttentionManifoldNet(**SMALL, freeze_trunk=True).train()
    trunk_before = {name: t.clone() for name, t in net.trunk.state_dict().items()}
    optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.1)
    embedding, attention = net(torch.rand(4, 3, 64, 64) * 5.0)
    (embedding.sum() + attention.sum()).backward()
    optimizer.step()
    assert net.freeze_bn and not net.trunk.bn1.training and net.attention.training
    assert not any(p.requires_grad for p in net.trunk.parameters())
    assert all(p.grad is not None for p in [*net.attention.parameters(), *net.embedding.parameters()])
    for name, tensor in net.trunk.state_dict().items():  # weights and running statistics
        assert torch.equal(tensor, trunk_before[name]), name

def test_pooled_features_shape_and_norm():
    net = AttentionManifoldNet(**SMALL).eval()
    with torch.no_grad():
        pooled = net.pooled_features(torch.rand(3, 3, 64, 64))
    assert pooled.shape == (3, net.trunk.out_channels)
    assert torch.allclose(pooled.norm(dim=1), torch.ones(3), atol=1e-5)


@pytest.mark.parametrize("export", [torch.jit.trace, torch.jit.script])
def test_torchscript_export_matches_eager(export):
    net = AttentionManifoldNet(**SMALL, num_learners=3).eval()
    x = torch.rand(2, 3, 64, 64)
    exported = export(net, x) if export is torch.jit.trace else export(net)
    with torch.no_grad():
        for eager, scripted in zip(net(x), exported(x)):
            assert torch.allclose(eager, scripted, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"depth": 42},
        {"num_learners": 0},
        {"num_learners": 129},
        {"embedding_dim": 10, "num_learners": 8},  # ceil(10/8)=2: only five learners would get dimensions
        {"embedding_dim": 0},
        {"dropout": -0.1},
        {"dropout": 1.0},
        {"attention_channels": (128, 0)},
        {"attention_kernel_size": 0},
        {"attention_kernel_size": 2},  # even: the map would not keep the feature grid's size
    ],
)
def test_ill_options(kwargs):
    with pytest.raises(ValueError):
        AttentionManifoldNet(**{**SMALL, **kwargs})


@pytest.mark.parametrize("kernel_size, reach", [[1, 0], [3, 3]])  # three convolutions: 3 cells each way with 3x3
def test_attention_kernel_size_sets_how_far_a_feature_moves_the_map(kernel_size: int, reach: int) -> None:
    torch.manual_seed(0)
    net = AttentionManifoldNet(**SMALL, attention_kernel_size=kernel_size).eval()
    features = torch.rand(1, net.trunk.out_channels, 9, 9)
    changed = features.clone()
    changed[..., 4, 4] += 1.0
    with torch.no_grad():
        moved = (net.attention(changed) - net.attention(features)).abs()[0, 0] > 0
    rows, cols = torch.nonzero(moved, as_tuple=True)
    assert moved[4, 4] and (rows - 4).abs().max() == reach and (cols - 4).abs().max() == reach


@pytest.mark.parametrize("pooling, scale_changes_features", [("mean", True), ("attention", False)])
def test_pooling_by_hand_and_level_of_the_attention(pooling: str, scale_changes_features: bool) -> None:
    torch.manual_seed(0)
    net = AttentionManifoldNet(**SMALL, pooling=pooling).eval()
    images = torch.randn(2, 3, 64, 64)
    features = net.trunk(images)
    attention = net.attention(features)
    weighted = (features * attention).sum(dim=(2, 3))
    expected = weighted / attention.sum(dim=(2, 3)) if pooling == "attention" else weighted / features[0, 0].numel()
    pooled, _ = net._attentive_pooling(images)
    assert torch.allclose(pooled, expected, atol=1e-5)
    # a tenth of the attention everywhere (same ranking, lower level): plain average pooling scales with it,
    # the attention-weighted mean does not move
    net.attention = torch.nn.Sequential(net.attention, _Scale(0.1))
    shrunk, _ = net._attentive_pooling(images)
    assert torch.allclose(shrunk, pooled * (0.1 if scale_changes_features else 1.0), atol=1e-5)


class _Scale(torch.nn.Module):
    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor


def test_unknown_pooling_is_rejected() -> None:
    with pytest.raises(ValueError, match="pooling"):
        AttentionManifoldNet(**SMALL, pooling="max")
