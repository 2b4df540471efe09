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
"""One process of a ``torchrun`` training run by the multi-process tests: the bundle's workflow as ``python -m
monai.bundle run`` runs it, then what this rank holds, saved to ``<out>/rank<r>.pt`` for the test to compare.

    torchrun --standalone --nproc_per_node 2 tests/integration/multi_process_worker.py CONFIGS_JSON OVERRIDES_JSON OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from monai.bundle import ConfigWorkflow

REPO_ROOT = Path(__file__).resolve().parents[2]


def main(configs: list[str], overrides: dict, out: Path) -> None:
    workflow = ConfigWorkflow(
        config_file=[str(REPO_ROOT / "configs" / name) for name in configs],
        meta_file=str(REPO_ROOT / "configs" / "metadata.json"),
        logging_file=False,
        workflow_type=None,
        **overrides,
    )
    workflow.initialize()
    workflow.run()
    rank = torch.distributed.get_rank()
    loader = workflow.parser.get_parsed_content("train#dataloader")
    torch.save({"assignments": torch.from_numpy(loader.assignments), "epoch_length": len(loader),
                "recluster": workflow.parser.get_parsed_content("train#handlers#0").state_dict()},
               out / f"rank{rank}.pt")
    workflow.finalize()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3]))
