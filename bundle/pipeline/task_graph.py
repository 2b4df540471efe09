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
"""Running tasks that depend on each other, up to ``jobs`` at a time, each as soon as what it needs is done."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

__all__ = ["Task", "run_task_graph"]


@dataclass(frozen=True)
class Task:
    """A unit of work: ``run()`` once every task of ``needs`` (keys of the same graph) has finished."""

    run: Callable[[], object]
    needs: frozenset[Hashable] = field(default_factory=frozenset)


def run_task_graph(tasks: Mapping[Hashable, Task], jobs: int = 1) -> None:
    """Run ``tasks`` (key -> task, in a preferred order) with at most ``jobs`` running at once in threads.

    Ready tasks start in the mapping's order. When one fails, no new task starts, the running ones finish and the
    first failure is raised. With ``jobs=1`` this is the mapping's order, when it lists every task after its needs.

    Raises:
        ValueError: ``jobs`` < 1, a task needs a key that is not in ``tasks``, or the needs form a cycle.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}.")
    unknown = {need for task in tasks.values() for need in task.needs} - set(tasks)
    if unknown:
        raise ValueError(f"tasks need unknown keys: {sorted(map(str, unknown))}.")
    pending, done, running = dict(tasks), set(), {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            ready = [key for key, task in pending.items() if task.needs <= done]
            for key in ready[: jobs - len(running)]:
                running[pool.submit(pending.pop(key).run)] = key
            if not running:
                raise ValueError(f"the needs of {sorted(map(str, pending))} form a cycle.")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            failed = _first_failure(finished)
            if failed is not None:
                wait(running)
                raise failed
            done |= {running.pop(future) for future in finished}


def _first_failure(futures: set[Future]) -> BaseException | None:
    return next((future.exception() for future in futures if future.exception() is not None), None)
