"""Turns on a programme's build warehouse, across processes: one step at a time on the
DuckDB build file (an OS file lock), one run at a time on a programme's build schemas on
PostgreSQL (an advisory lock).

## DuckDB

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

## PostgreSQL
On the team warehouse no pool orders the steps (defs/resources.py, `build_pool`): each
programme builds in schemas of its own, so runs of different programmes go at once. Runs of
one programme share its build schemas, and take turns by `ProgrammeBuildLock`, a session
advisory lock keyed by the programme, held on a connection of its own from the run's start
to its end (`BuildWarehouse`): whole runs, not steps, since a run's steps read what its
earlier steps built. Unlike the flock it holds across hosts (runs started on two machines,
or by the daemon's run workers), and the server releases it when the connection ends, a
killed run's included.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.lib.postgres import WarehouseUrl

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


# The advisory lock's first key: the project's build turns, whichever programme. Locks taken
# with two int4 keys are a key space of their own, apart from the one bigint key of the
# publish lock (lib/postgres_layout.py, PUBLISH_LOCK); any fixed number.
BUILD_LOCK_CLASS = 0x1D7EA015
# A killed run's waiting server process notices its client is gone within this, and stops
# waiting (the idle connection of a run that holds the lock notices at once).
CLIENT_CHECK = "1s"


def programme_lock_key(programme_id: str) -> int:
    """The advisory lock's second key: the programme, as a stable 32-bit number. Two ids
    with the same number would only take turns, never build at once."""
    digest = hashlib.sha256(programme_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class ProgrammeBuildLock:
    """A programme's build schemas on the PostgreSQL team warehouse, one run at a time:
    `hold` blocks until this process has the programme's advisory lock."""

    def __init__(self, url: WarehouseUrl, programme_id: str):
        self.url = url
        self.programme_id = programme_id
        self._connection = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    def hold(self, say=None) -> None:
        """Take the lock (a no-op when already held), waiting as long as another run of
        the programme holds it. `say` receives one message if it has to wait."""
        from orchestration.lib.postgres import connect

        if self._connection is not None:
            return
        key = [BUILD_LOCK_CLASS, programme_lock_key(self.programme_id)]
        connection = connect(
            self.url,
            autocommit=True,
            application_name=f"idream build turn {self.programme_id}"[:63],
        )
        try:
            connection.execute(
                "select set_config('client_connection_check_interval', %s, false)",
                [CLIENT_CHECK],
            )
            if not connection.execute("select pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
                if say:
                    say(
                        f"another run of programme {self.programme_id} is using its build "
                        "schemas; waiting for it"
                    )
                connection.execute("select pg_advisory_lock(%s, %s)", key)
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def release(self) -> None:
        if self._connection is not None:
            # Closing the session releases its advisory locks.
            self._connection.close()
            self._connection = None
