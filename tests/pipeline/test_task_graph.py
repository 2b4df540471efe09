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
"""Tests for running dependent tasks side by side."""

from __future__ import annotations

import threading

import pytest

from bundle.pipeline.task_graph import Task, run_task_graph


class Recorder:
    """Tasks that log their start and end, and the most that ran at once."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def task(self, key: str, needs: tuple[str, ...] = (), fail: bool = False, wait: threading.Event | None = None):
        def run() -> None:
            with self.lock:
                self.events.append(f"start {key}")
                self.running += 1
                self.most = max(self.most, self.running)
            if wait is not None:
                assert wait.wait(timeout=10), f"{key} waited in vain"
            with self.lock:
                self.running -= 1
                self.events.append(f"end {key}")
            if fail:
                raise SystemExit(f"{key} failed")

        return Task(run, frozenset(needs))


def test_one_job_runs_in_the_given_order():
    recorder = Recorder()
    tasks = {"a": recorder.task("a"), "b": recorder.task("b", ("a",)), "c": recorder.task("c")}
    run_task_graph(tasks, jobs=1)
    assert recorder.events == ["start a", "end a", "start b", "end b", "start c", "end c"] and recorder.most == 1


def test_independent_tasks_run_at_once_and_a_task_waits_for_its_needs():
    recorder, both_started = Recorder(), threading.Event()
    # "a" ends only once "b" has started: the graph must run them at the same time or the test times out
    tasks = {"a": recorder.task("a", wait=both_started), "b": Task(both_started.set),
             "c": recorder.task("c", ("a", "b"))}
    run_task_graph(tasks, jobs=2)
    assert recorder.events == ["start a", "end a", "start c", "end c"]


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_never_more_than_jobs_at_once(jobs):
    recorder = Recorder()
    run_task_graph({str(i): recorder.task(str(i)) for i in range(6)}, jobs=jobs)
    assert recorder.most <= jobs and len(recorder.events) == 12


def test_a_failure_stops_new_tasks_lets_running_ones_end_and_is_raised():
    recorder, release = Recorder(), threading.Event()
    tasks = {"slow": recorder.task("slow", wait=release), "boom": recorder.task("boom", fail=True),
             "after_boom": recorder.task("after_boom", ("boom",)), "later": recorder.task("later")}
    threading.Timer(0.2, release.set).start()
    with pytest.raises(SystemExit, match="boom failed"):
        run_task_graph(tasks, jobs=2)
    assert "end slow" in recorder.events and not any("after_boom" in e or "later" in e for e in recorder.events)


@pytest.mark.parametrize(
    "tasks, message",
    [({"a": Task(print, frozenset({"x"}))}, "unknown keys: \\['x'\\]"),
     ({"a": Task(print, frozenset({"b"})), "b": Task(print, frozenset({"a"}))}, "form a cycle")],
)
def test_bad_graphs_are_refused(tasks, message):
    with pytest.raises(ValueError, match=message):
        run_task_graph(tasks, jobs=2)


def test_jobs_must_be_positive():
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        run_task_graph({}, jobs=0)
