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
"""Profiles of the pipeline: which override file each base config takes in the small CPU configuration, and which
multi-process overrides each training takes under ``torchrun``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CPU_OVERRIDES",
    "CPU_VARIANT_OVERRIDES",
    "MULTI_PROCESS_OVERRIDES",
    "PROFILES",
    "with_processes",
    "with_profile",
]

PROFILES = ("cpu", "paper")
CPU_OVERRIDES = {
    "train_classifier.yaml": "cpu_classifier.yaml",
    "train_manifold.yaml": "cpu_manifold.yaml",
    "train_unet.yaml": "cpu_unet.yaml",
    "inference.yaml": "cpu_unet.yaml",
}
CPU_VARIANT_OVERRIDES = {
    "classifier_r101.yaml": "cpu_classifier_r101.yaml",
    "train_deep_graph_cut.yaml": "cpu_deep_graph_cut.yaml",
}
"""Variants whose paper values the CPU profile replaces in turn, merged right after the variant."""


def with_profile(configs: Sequence[str], profile: str) -> list[str]:
    """Insert the CPU override right after the base config, before variant overrides (e.g. K=1 after K=4), and a
    variant's own CPU override right after that variant.

    Raises:
        ValueError: ``profile`` is not one of ``PROFILES``.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}.")
    if profile != "cpu":
        return list(configs)
    base, *variants = configs
    variants = [name for variant in variants for name in (variant, CPU_VARIANT_OVERRIDES.get(variant)) if name]
    return [base, *([CPU_OVERRIDES[base]] if base in CPU_OVERRIDES else []), *variants]


MULTI_PROCESS_OVERRIDES = {
    "train_classifier.yaml": ("multi_gpu_train.yaml", "multi_gpu_classifier.yaml"),
    "train_manifold.yaml": ("multi_gpu_train.yaml",),
    "train_unet.yaml": ("multi_gpu_train.yaml",),
    "pretrain_trunk.yaml": ("multi_gpu_pretrain.yaml",),
}
"""What a training appends to run as several processes, keyed by the config that names its trainer (the label-free
pre-training is an override of the manifold's configs with a trainer of its own)."""


def with_processes(configs: Sequence[str]) -> list[str]:
    """``configs`` with the multi-process overrides of the training they define appended.

    Raises:
        ValueError: no config of ``configs`` defines a training.
    """
    trainer = "pretrain_trunk.yaml" if "pretrain_trunk.yaml" in configs else configs[0]
    if trainer not in MULTI_PROCESS_OVERRIDES:
        raise ValueError(f"{list(configs)} define no training of {sorted(MULTI_PROCESS_OVERRIDES)}.")
    return [*configs, *MULTI_PROCESS_OVERRIDES[trainer]]
