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
"""Running the pipeline's stages make-style: skipped when done with the same command and configs, resumed when
interrupted, their stale outputs moved aside otherwise."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from bundle.pipeline.commands import configs_digest, printable_command
from bundle.utils import write_json_atomic

__all__ = ["Pipeline"]

logger = logging.getLogger("run_pipeline")


class Pipeline:
    """Runs stages (commands run in ``root``, outputs under ``output_dir``) in order, make-style: a stage is
    skipped when it completed with the same command and config contents after every stage it depends on.
    Otherwise it runs: an interrupted run of the same command resumes from its outputs; outputs of any other run
    (other configs, older inputs) are first moved to ``.stale/``. ``threads``: the CPU threads each command may
    use (``OMP_NUM_THREADS``), for stages run side by side; None leaves the environment as it is."""

    def __init__(self, output_dir: Path, root: Path, threads: int | None = None) -> None:
        self.output_dir = output_dir
        self.root = root
        self.env = os.environ | ({"OMP_NUM_THREADS": str(threads)} if threads else {})
        self.marker_dir = output_dir / ".stages"
        self.timings: dict[str, float] = {}

    def marker(self, name: str) -> Path:
        """The record of a completed stage: its fingerprint and duration."""
        return self.marker_dir / f"{name}.json"

    def started(self, name: str) -> Path:
        """The record of a stage run in progress (left behind if interrupted): its fingerprint."""
        return self.marker_dir / f"{name}.started.json"

    def is_done(self, name: str, fingerprint: dict, after: Sequence[str]) -> bool:
        """Completed with ``fingerprint``, and later than every stage in ``after``."""
        marker = self.marker(name)
        if not marker.is_file():
            return False
        recorded = {k: v for k, v in json.loads(marker.read_text()).items() if k != "seconds"}
        finished = marker.stat().st_mtime
        return recorded == fingerprint and all(
            self.marker(dep).is_file() and self.marker(dep).stat().st_mtime <= finished for dep in after
        )

    def stage(self, name: str, command: list[str], after: Sequence[str] = (), outputs: Sequence[Path] = ()) -> None:
        """Run ``command`` as stage ``name`` unless done; ``after``: stages whose outputs it reads; ``outputs``:
        the folders it writes (and resumes from)."""
        printable = printable_command(command)
        # a stage is done for this exact command AND these config contents: editing a config reruns its stages
        fingerprint = {"command": command, "configs": configs_digest(command, self.root)}
        if self.is_done(name, fingerprint, after):
            logger.info("[skip] %s (done)", name)
            return
        started = self.started(name)
        resumable = started.is_file() and json.loads(started.read_text()) == fingerprint
        if not resumable:  # outputs of another configuration or of older inputs must not be resumed
            self._retire(name, outputs)
        write_json_atomic(started, fingerprint)
        log = self.output_dir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        logger.info("[run ] %s: %s (log: %s)", name, printable, log)
        start = time.perf_counter()
        with open(log, "w") as stream:
            result = subprocess.run(command, cwd=self.root, env=self.env, stdout=stream, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-30:])
            raise SystemExit(f"{tail}\nstage '{name}' failed (exit {result.returncode}), log: {log}\n"
                             f"rerun to resume; command: {printable}")
        self.timings[name] = round(time.perf_counter() - start, 1)
        write_json_atomic(self.marker(name), {**fingerprint, "seconds": self.timings[name]})
        started.unlink()

    def _retire(self, name: str, outputs: Sequence[Path]) -> None:
        """Move a stage's outdated outputs to ``.stale/<name>/`` (replacing older ones) and forget its marker."""
        existing = [folder for folder in outputs if folder.exists()]
        stale = self.output_dir / ".stale" / name
        if existing:
            shutil.rmtree(stale, ignore_errors=True)
            stale.mkdir(parents=True)
        for folder in existing:
            folder.rename(stale / folder.name)
            logger.info("[old ] %s: moved %s to %s", name, folder, stale)
        self.marker(name).unlink(missing_ok=True)
