"""A process of its own for one run's quality checks, started as the run starts.

Great Expectations takes about 3 s to import, a sixth of a run on the sample, and all of it
falls before the first check. `idream run` starts this process before it loads Dagster, so
the import happens on the second core while Dagster loads and ingest reads the files; the
checks then run here one at a time, in the order Dagster asks for them, exactly as they
would in the run's own process. A run launched from the UI or a schedule has no worker and
runs its checks in the Dagster process.

The process is the run's: it inherits the run's environment and output streams (so what
it prints is the run's output), and it ends with the run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Callable, Iterator

from orchestration.lib.quality.results import SuiteResult
from orchestration.settings import Settings

# Seconds to wait for the process to end once it has been told to, or has died.
STOP_TIMEOUT = 5.0
# The process's first message: its imports are done.
READY = "ready"


def _run_suite(name: str, settings: Settings, run_id: str) -> SuiteResult:
    from orchestration.lib.quality.runner import run_suite

    return run_suite(name, settings, run_id)


class WorkerDied(RuntimeError):
    pass


class QualityWorker:
    """Calls `function` (a module-level function, so that it can be sent by name) in a
    spawned process that imported `preload` first. Requests are answered in order."""

    def __init__(
        self,
        function: Callable[..., object] = _run_suite,
        preload: tuple[str, ...] = ("great_expectations", "orchestration.lib.quality.runner"),
    ):
        # spawn, not fork: the run's process has threads (Dagster's), which fork would copy
        # in whatever state they were.
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, function, preload), name="idream-quality", daemon=True
        )
        self._process.start()
        child.close()
        self._ready = False

    def call(self, *args: object) -> object:
        try:
            if not self._ready:
                self._ready = self._connection.recv() == READY
            self._connection.send(args)
            ok, value, remote = self._connection.recv()
        except (EOFError, OSError) as error:
            self._process.join(STOP_TIMEOUT)
            raise WorkerDied(
                f"the quality-check process ended during a check (exit code "
                f"{self._process.exitcode}); see the run's output above"
            ) from error
        if ok:
            return value
        value.add_note(f"raised in the quality-check process:\n{remote}")
        raise value

    def stop(self) -> None:
        """End the process. It is idle between calls, so it is terminated rather than
        asked to exit: an interpreter that imported GX takes most of a second to exit."""
        self._process.terminate()
        self._process.join(STOP_TIMEOUT)
        self._connection.close()


def _serve(connection, function: Callable[..., object], preload: tuple[str, ...]) -> None:
    import importlib
    import threading

    import tqdm

    # GX makes tqdm bars (disabled ones too), and tqdm's first bar creates a lock shared
    # between processes, a named semaphore that outlives a terminated process: the
    # resource tracker would warn of it when the run ends. This process has one thread.
    tqdm.tqdm.set_lock(threading.RLock())
    for module in preload:
        importlib.import_module(module)
    connection.send(READY)
    while True:
        try:
            request = connection.recv()
        except EOFError:  # the run's process has gone
            return
        try:
            connection.send((True, function(*request), None))
        except Exception as error:  # sent back, raised in the run
            connection.send((False, _picklable(error), traceback.format_exc()))


def _picklable(error: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # any failure to round-trip: a plain copy
        return RuntimeError(f"{type(error).__name__}: {error}")


_current: QualityWorker | None = None


@contextlib.contextmanager
def for_this_run() -> Iterator[None]:
    """A worker for the length of one run, used by `run_suite`."""
    global _current
    _current = QualityWorker()
    try:
        yield
    finally:
        worker, _current = _current, None
        worker.stop()


def run_suite(name: str, settings: Settings, run_id: str) -> SuiteResult:
    """One suite, in the run's worker when it has one, else in this process."""
    if _current is None:
        return _run_suite(name, settings, run_id)
    return _current.call(name, settings, run_id)
