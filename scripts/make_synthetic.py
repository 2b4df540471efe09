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
"""Write the synthetic dermoscopy-like data set in the ISIC 2018 layout.

Example::

    python scripts/make_synthetic.py --out_dir data/synthetic --num_classification 700 --num_segmentation 160
"""

from __future__ import annotations

import json
import logging

import fire

from bundle.data.synthetic import SyntheticConfig, SyntheticDermoscopyGenerator

logger = logging.getLogger("make_synthetic")


def make_synthetic(
    out_dir: str = "data/synthetic",
    num_classification: int = 700,
    num_segmentation: int = 160,
    seed: int = 0,
    min_width: int = 160,
    max_width: int = 224,
    aspect_ratio: float = 0.75,
    min_per_class: int = 16,
    jpeg_quality: int = 92,
    num_workers: int = 2,
) -> dict:
    """Generate (or complete) the synthetic set under ``out_dir``; log and return the summary."""
    config = SyntheticConfig(
        num_classification=num_classification,
        num_segmentation=num_segmentation,
        seed=seed,
        min_width=min_width,
        max_width=max_width,
        aspect_ratio=aspect_ratio,
        min_per_class=min_per_class,
        jpeg_quality=jpeg_quality,
    )
    summary = SyntheticDermoscopyGenerator(config).write(out_dir, num_workers=num_workers)
    logger.info("classification images per class: %s", summary["classification_counts"])
    logger.info("segmentation images per class: %s", summary["segmentation_counts"])
    logger.info("%d generated, %d kept, %.1f s", summary["generated"], summary["kept"], summary["elapsed_s"])
    return summary


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    fire.Fire(make_synthetic, serialize=lambda summary: json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
