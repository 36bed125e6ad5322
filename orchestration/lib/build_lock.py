"""One step at a time on the DuckDB build file, across processes: an OS file lock.

The Dagster pool `idream_warehouse` (limit 1) is what orders the steps of runs on one
warehouse, and what the UI shows as "waiting for pool". This lock is its backstop, kept in
this one place. On the instance's default SQLite storage, Dagster assigns a pool's slots
with a check and then a write that two processes can both pass (a run's step freeing the
slot as another run's step asks for it); Dagster does not support instance concurrency
limits on SQLite officially (https://github.com/dagster-io/dagster/pull/14644). Two steps
then open the build file together and the second fails on DuckDB's own file lock ("Could
not set lock on file"), which is what CI saw once. Each step holds this lock for its turn
on the build copy (`BuildWarehouse.turn`), which makes that rare overlap a short wait.

`flock` locks are released by the kernel when the process ends, so a killed step never
leaves the lock behind.
"""

import fcntl
import os
import time
from pathlib import Path

LOCK_NAME = "build.lock"
# How often a waiting step tries again, and after how long it says in the log that it waits.
POLL_SECONDS = 0.2
SAY_AFTER_SECONDS = 2.0


class BuildLock:
    """The lock file beside the build copy; `hold` blocks until this process has it."""

    def __init__(self, build_dir: Path):
        self.path = build_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def hold(self, say=None) -> None:
        """Take the lock (a no-op when already held), waiting as long as another process
        holds it. `say` receives one message if the wait is long enough to notice."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        started, said = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if say and not said and time.monotonic() - started > SAY_AFTER_SECONDS:
                    say("another run's step is using the build warehouse; waiting for it")
                    said = True
                time.sleep(POLL_SECONDS)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
