#!/usr/bin/env python
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
"""Export the model-zoo release of a pipeline run: ``<dest>/skin_lesion_wss/`` and ``skin_lesion_wss_v<version>.zip``.

    python scripts/export_bundle.py                                  # after `make demo` (output/, CPU profile)
    python scripts/export_bundle.py --output_dir runs/paper --profile paper --dest dist

Install and run the zip elsewhere (this project need not be installed there):

    python -m monai.bundle download --name skin_lesion_wss \
        --url file://$PWD/dist/skin_lesion_wss_v<version>.zip --bundle_dir ~/bundles
    python -m monai.bundle run --config_file ~/bundles/skin_lesion_wss/configs/inference.yaml \
        --input_dir imgs --output_dir masks
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bundle.export import export_bundle
from bundle.pipeline import PROFILES, release_checkpoints

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output_dir", type=Path, default=ROOT / "output", help="the pipeline run's output folder")
    parser.add_argument("--profile", choices=PROFILES, default="cpu", help="the configuration it was trained with")
    parser.add_argument("--dest", type=Path, default=ROOT / "dist", help="where the folder and the zip are written")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    try:
        archive = export_bundle(ROOT, release_checkpoints(args.output_dir), args.dest, args.profile)
    except (FileNotFoundError, RuntimeError) as error:
        raise SystemExit(f"export_bundle: {error}") from None
    print(f"{archive} ({archive.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
