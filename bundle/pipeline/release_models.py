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
"""The trained models a pipeline run hands to the bundle: the U-net of ``models/model.pt`` and its attention source."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["RELEASE_MANIFOLD", "RELEASE_UNET", "release_checkpoints"]

RELEASE_UNET = "dcml_graphcut"  # the U-net trained on DCML + attention + graph-cut proxies
RELEASE_MANIFOLD = "dcml"  # the attention manifold whose maps made those proxies


def release_checkpoints(output_dir: str | os.PathLike) -> dict[str, Path]:
    """The release's checkpoints in a pipeline's ``output_dir``, by their file name under the bundle's ``models/``."""
    output_dir = Path(output_dir)
    return {
        "model.pt": output_dir / "unet" / RELEASE_UNET / "model.pt",
        "attention.pt": output_dir / "manifold" / RELEASE_MANIFOLD / "model.pt",
    }
