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
"""Baking configs: the merge ``monai.bundle run`` makes of several files, written out as one self-contained file.

MONAI Label reads one config file per task, without override files. Baking merges the files in order (later ids
override earlier ones, ``#`` paths included, as ``--config_file "[...]"`` does) and keeps only the top-level ids
reachable from the given roots, so a training config's unused sections do not travel with an inference config.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from monai.bundle import ConfigParser

from bundle.utils.atomic import atomic_path

__all__ = ["ENTRY_IDS", "bake_config", "merge_overrides", "referenced_ids", "write_config"]

class _Dumper(yaml.SafeDumper):
    """Block style, except lists of plain values (``[64, 64]``), as the repository's configs are written."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.SequenceNode:
    flow = all(not isinstance(value, (dict, list)) for value in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)

ENTRY_IDS = ("initialize", "run", "finalize")  # written last, as a config reads top-down
# "@id" or "@id#sub#path" inside a value or an expression; "@" after a word character (an e-mail) is not one
_REFERENCE = re.compile(r"(?<![\w@])@([A-Za-z_]\w*)")


def referenced_ids(config: Mapping[str, Any], roots: Iterable[str]) -> list[str]:
    """The top-level ids of ``config`` reachable from ``roots`` through ``@`` references, in ``config``'s order.

    Args:
        config: a merged, unparsed config (top-level id -> content).
        roots: ids to start from; those absent from ``config`` are ignored.
    """
    wanted = {root for root in roots if root in config}
    pending = list(wanted)
    while pending:
        for found in _REFERENCE.findall(yaml.safe_dump(config[pending.pop()])):
            if found in config and found not in wanted:
                wanted.add(found)
                pending.append(found)
    return [key for key in config if key in wanted]


def bake_config(files: Sequence[str | os.PathLike], roots: Iterable[str]) -> dict[str, Any]:
    """Merge ``files`` in order as ``monai.bundle run`` does and keep the ids reachable from ``roots``.

    Raises:
        ValueError: a reference in the kept ids points to no id of the merged config.
    """
    merged = ConfigParser.load_config_files([str(f) for f in files])
    order = sorted(referenced_ids(merged, roots), key=lambda key: key in ENTRY_IDS)  # stable: entries go last
    kept = {key: merged[key] for key in order}
    found = {ref for value in kept.values() for ref in _REFERENCE.findall(yaml.safe_dump(value))}
    dangling = sorted(found - set(merged))
    if dangling:
        raise ValueError(f"{', '.join(map(str, files))}: references to undefined ids {dangling}.")
    return kept


def merge_overrides(files: Sequence[str | os.PathLike]) -> dict[str, Any]:
    """Merge override files into one, later ids replacing earlier ones, keys kept as written (``a#b`` stays a key:
    parsing would nest it, and a nested ``a`` would replace the whole section of the config it overrides)."""
    merged: dict[str, Any] = {}
    for file in files:
        merged.update(yaml.safe_load(Path(file).read_text()) or {})
    return merged


def write_config(path: str | os.PathLike, config: Mapping[str, Any], header: str) -> Path:
    """Write ``config`` as YAML (ids in order) under a ``#`` comment ``header``, atomically; return the path."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump(dict(config), Dumper=_Dumper, sort_keys=False, width=120, default_flow_style=False)
    with atomic_path(path) as tmp:
        tmp.write_text(comment + body)
    return Path(path)
