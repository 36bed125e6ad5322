"""The build lock: one process at a time on the build copy, released by the kernel when the
holding process ends, however it ends."""

import subprocess
import sys
import textwrap
import time

from orchestration.lib import build_lock
from orchestration.lib.build_lock import BuildLock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.lib.build_lock import BuildLock
    BuildLock(Path(sys.argv[1])).hold()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def _holder(build_dir, seconds: float) -> subprocess.Popen:
    """Another process holding the lock for `seconds`, returned once it holds it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(build_dir), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_step_waits_while_another_process_holds_the_lock_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(build_lock, "SAY_AFTER_SECONDS", 0.1)
    holder = _holder(tmp_path, 1.5)
    said = []
    started = time.monotonic()
    lock = BuildLock(tmp_path)
    lock.hold(said.append)
    waited = time.monotonic() - started
    holder.wait()
    assert lock.held
    assert waited > 0.5, "took the lock while another process held it"
    assert said == ["another run's step is using the build warehouse; waiting for it"]
    lock.release()
    assert not lock.held


def test_a_killed_holder_leaves_no_lock_behind(tmp_path):
    holder = _holder(tmp_path, 600)
    holder.kill()
    holder.wait()
    lock = BuildLock(tmp_path)
    started = time.monotonic()
    lock.hold()
    assert time.monotonic() - started < 1.0
    lock.release()


def test_holding_twice_in_one_process_does_not_wait_and_release_lets_another_in(tmp_path):
    lock = BuildLock(tmp_path)
    lock.hold()
    lock.hold()  # a second step of an in-process run: already held, no wait
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR);"
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            str(lock.path),
        ],
        capture_output=True,
    )
    assert check.returncode != 0, "another process took the lock while it was held"
    lock.release()
    _holder(tmp_path, 0).wait()
