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

"""skin_lesion_wss: weakly supervised skin lesion segmentation from image-level labels.

Configs write ``$import bundle`` and then ``bundle.<subpackage>.<name>``, as MONAI configs do with ``monai``. The
subpackages are imported on first access, so a workflow pays only for those its config uses.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.13.0"  # equal to pyproject.toml and configs/metadata.json (tests/test_metadata.py)

__all__ = [
    "data",
    "engines",
    "evaluation",
    "export",
    "handlers",
    "losses",
    "maps",
    "metric_learning",
    "networks",
    "pipeline",
    "proxy",
    "transforms",
    "utils",
]


def __getattr__(name: str) -> ModuleType:
    """Import subpackage ``name`` on first access (PEP 562)."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
