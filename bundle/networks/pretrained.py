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
"""Local weight loading: ImageNet ResNet weights (torchvision layout) into a MONAI ResNet or a trunk of it, and a
network's own checkpoint."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import torch
import torch.nn as nn

__all__ = ["load_checkpoint", "load_resnet_weights"]

logger = logging.getLogger(__name__)

# Keys under which training scripts commonly nest the state dict.
NESTED_STATE_KEYS = ("state_dict", "model")
# Prefix added by DataParallel / DistributedDataParallel.
WRAPPER_PREFIX = "module."


def load_resnet_weights(module: nn.Module, path: str | os.PathLike, strict_shapes: bool = True) -> list[str]:
    """Copy the tensors of a local ResNet checkpoint into ``module`` where names and shapes match.

    MONAI's ``ResNet`` uses torchvision's module names (``conv1``, ``bn1``, ``layer{i}.{j}.conv{k}``/``bn{k}``,
    ``layer{i}.0.downsample.0``/``.1``, ``fc``), so torchvision keys map one to one once wrapper prefixes
    (``module.``) are removed. Keys the module does not have (e.g. ``fc``, or ``layer4`` for a trunk cut
    at ``layer3``) are skipped. Nothing is ever downloaded.

    Args:
        module: the network to fill, e.g. a ``ResNetTrunk``.
        path: a file saved with ``torch.save``: a state dict, or a dict holding one under "state_dict" or "model".
        strict_shapes: if True, a key present in both with different shapes raises; otherwise it is skipped.

    Returns:
        the module keys that were loaded, in the module's state-dict order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a checkpoint, holds no key of ``module``, or (``strict_shapes``) a shape differs.
    """
    path = Path(path)
    checkpoint = _strip_wrapper_prefix(_read_state_dict(path))
    target = module.state_dict()
    common = [key for key in target if key in checkpoint]
    mismatched = [key for key in common if checkpoint[key].shape != target[key].shape]
    if mismatched and strict_shapes:
        raise ValueError(f"{path}: shapes differ from the module for {len(mismatched)} keys, e.g. {mismatched[:3]}.")
    loaded = [key for key in common if key not in mismatched]
    if not loaded:
        raise ValueError(f"{path}: none of its {len(checkpoint)} keys match the module's names and shapes.")
    module.load_state_dict({key: checkpoint[key] for key in loaded}, strict=False)
    logger.info(
        "Loaded %d of %d module tensors from %s (%d with other shapes skipped).",
        len(loaded),
        len(target),
        path,
        len(mismatched),
    )
    return loaded


def load_checkpoint(module: nn.Module, path: str | os.PathLike) -> nn.Module:
    """Load every tensor of ``module`` from its own checkpoint at ``path`` (``weights_only``) and return ``module``.

    The checkpoint may nest its state dict under "state_dict" or "model" and carry ``module.`` prefixes.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a checkpoint, or its keys or shapes are not exactly the module's.
    """
    path = Path(path)
    checkpoint = _strip_wrapper_prefix(_read_state_dict(path))
    try:
        module.load_state_dict(checkpoint, strict=True)
    except RuntimeError as err:
        raise ValueError(f"{path} does not fit {type(module).__name__}: {err}") from err
    return module


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Return the tensors of the checkpoint at ``path``, unwrapping a nested state dict."""
    if not path.is_file():
        raise FileNotFoundError(f"Pretrained weights file not found: {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch.load signals a non-checkpoint by KeyError, UnpicklingError, EOFError, ...
        raise ValueError(f"{path} is not a readable torch checkpoint: {err}") from err
    for key in NESTED_STATE_KEYS:
        if isinstance(checkpoint, Mapping) and isinstance(checkpoint.get(key), Mapping):
            checkpoint = checkpoint[key]
            break
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f"{path} holds a {type(checkpoint).__name__}, not a state dict.")
    return {str(key): value for key, value in checkpoint.items() if isinstance(value, torch.Tensor)}


def _strip_wrapper_prefix(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drop leading ``module.`` prefixes (possibly repeated) from every key."""
    stripped = {}
    for key, value in state.items():
        while key.startswith(WRAPPER_PREFIX):
            key = key[len(WRAPPER_PREFIX):]
        stripped[key] = value
    return stripped
