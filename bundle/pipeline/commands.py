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
"""The command lines of the pipeline's stages: ``python -m monai.bundle run`` with merged configs, as a user would
type them, and the digest of the configs they read."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["bundle_command", "configs_digest", "printable_command"]


def bundle_command(configs: list[str], nproc: int | None = None, **overrides: object) -> list[str]:
    """A ``python -m monai.bundle run`` command line for ``configs`` (merged in order) and id overrides; with
    ``nproc``, the same run as ``nproc`` processes of one machine under ``torchrun`` (``torch.distributed.run``)."""
    files = "[" + ",".join(f"'configs/{c}'" for c in configs) + "]"
    launcher = [sys.executable]
    if nproc is not None:
        launcher += ["-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", str(nproc)]
    command = [*launcher, "-m", "monai.bundle", "run", "--config_file", files]
    for key, value in overrides.items():
        command += [f"--{key}", value if isinstance(value, str) else repr(value)]
    return command


def configs_digest(command: Sequence[str], root: str | os.PathLike) -> str:
    """SHA-256 over the contents of the config files (``configs/*.yaml`` under ``root``) a command names (the
    digest of nothing for commands without configs)."""
    digest = hashlib.sha256()
    for path in sorted(set(re.findall(r"configs/[\w.-]+\.yaml", " ".join(command)))):
        digest.update((Path(root) / path).read_bytes())
    return digest.hexdigest()


def printable_command(command: Sequence[str]) -> str:
    """The command as a user would type it: ``python`` for this interpreter, lists of configs in double quotes."""
    words = ["python" if word == sys.executable else word for word in command]
    return " ".join(f'"{word}"' if word.startswith("[") else shlex.quote(word) for word in words)
