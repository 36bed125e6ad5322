"""The quality checks' process (orchestration/lib/quality/worker.py): a check run there
returns or raises exactly as it would in the run's process, and the process never outlives
the run or hangs it. The functions it runs are defined here, at module level, so that the
spawned process can import them by name."""

import os
import subprocess
import sys

import pytest

from orchestration.lib.quality import worker as quality_worker
from orchestration.lib.quality.worker import QualityWorker, WorkerDied
from tests.conftest import PROJECT_ROOT

LIGHT = ("json",)  # these tests do not need GX imported in the worker


def where_and_what(label: str, rows: list[int]) -> dict:
    return {"pid": os.getpid(), "label": label, "total": sum(rows)}


def imported(module: str) -> bool:
    return module in sys.modules


def fails(message: str) -> None:
    raise ValueError(message)


class Unpicklable(Exception):
    def __init__(self, message, handle):
        super().__init__(message)
        self.handle = handle


def fails_unpicklably(message: str) -> None:
    raise Unpicklable(message, lambda: None)


def dies(code: int) -> None:
    os._exit(code)


def draws_a_progress_bar() -> bool:
    import tqdm

    tqdm.tqdm(disable=True).close()  # as GX does, progress bars off
    return True


@pytest.fixture
def worker_of():
    started = []

    def start(function, preload=LIGHT):
        started.append(QualityWorker(function, preload))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def test_calls_run_in_another_process_and_return_their_value(worker_of):
    worker = worker_of(where_and_what)
    first = worker.call("raw_participants", [1, 2, 3])
    second = worker.call("marts", [4])
    assert first == {"pid": first["pid"], "label": "raw_participants", "total": 6}
    assert second["total"] == 4 and second["pid"] == first["pid"] != os.getpid()


def test_the_preloaded_modules_are_imported_before_the_first_call(worker_of):
    # The point of the worker: GX is imported while the run does other things.
    worker = worker_of(imported, preload=("great_expectations",))
    assert worker.call("great_expectations") is True


def test_an_error_is_raised_in_the_run_with_the_workers_traceback(worker_of):
    worker = worker_of(fails)
    with pytest.raises(ValueError, match="cohort 7 has no roster") as raised:
        worker.call("cohort 7 has no roster")
    note = "\n".join(raised.value.__notes__)
    assert "raised in the quality-check process" in note and "in fails" in note
    # The worker is still usable after a failed call.
    with pytest.raises(ValueError, match="again"):
        worker.call("again")


def test_an_error_that_cannot_be_sent_arrives_as_its_type_and_message(worker_of):
    worker = worker_of(fails_unpicklably)
    with pytest.raises(RuntimeError, match="Unpicklable: no handle"):
        worker.call("no handle")


def test_a_worker_that_dies_mid_check_fails_the_check_instead_of_hanging(worker_of):
    worker = worker_of(dies)
    with pytest.raises(WorkerDied, match="exit code 3"):
        worker.call(3)


def test_stop_ends_the_process_whether_busy_importing_or_idle(worker_of):
    importing = worker_of(where_and_what, preload=("great_expectations",))
    idle = worker_of(where_and_what)
    idle.call("warm", [1])
    for worker in (importing, idle):
        worker.stop()
        assert not worker._process.is_alive()


def test_a_stopped_worker_leaves_no_semaphore_for_the_resource_tracker_to_warn_of():
    # Regression: tqdm's first bar made a multiprocessing lock in the worker; terminating it
    # left the semaphore, and every `idream run` ended with a resource_tracker warning.
    script = (
        "from orchestration.lib.quality.worker import QualityWorker\n"
        "from tests.unit.test_quality_worker import draws_a_progress_bar\n"
        "worker = QualityWorker(draws_a_progress_bar, ('json',))\n"
        "assert worker.call() is True\n"
        "worker.stop()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert "leaked" not in completed.stderr, completed.stderr


def test_suites_run_in_the_runs_worker_only_for_the_length_of_the_run(monkeypatch):
    calls = []
    monkeypatch.setattr(quality_worker, "_run_suite", lambda *args: calls.append(args) or "here")
    monkeypatch.setattr(quality_worker, "QualityWorker", FakeWorker)
    assert quality_worker.run_suite("raw_participants", None, "run-1") == "here"
    with quality_worker.for_this_run():
        assert quality_worker.run_suite("raw_participants", None, "run-2") == "in the worker"
        current = quality_worker._current
    assert current.stopped and quality_worker._current is None
    assert calls == [("raw_participants", None, "run-1")]


class FakeWorker:
    def __init__(self):
        self.stopped = False

    def call(self, *args):
        return "in the worker"

    def stop(self):
        self.stopped = True
