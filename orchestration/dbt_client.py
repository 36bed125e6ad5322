"""`idream-dbt`: the dbt executable dagster-dbt runs, which hands the command to the run's
dbt server when there is one (`dbt_server.py`) and is plain dbt otherwise.

dagster-dbt starts its dbt executable as a subprocess and reads dbt's JSON log from its
output. This client is that subprocess: it sends its arguments, working directory and
environment to the server, writes what the server's dbt prints as it comes, and exits with
dbt's exit code, so dagster-dbt cannot tell it from dbt. It imports nothing but the
standard library (a few tens of milliseconds). With no server, or for a command the server
leaves to plain dbt, it becomes the dbt beside this interpreter (`exec`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

# The run's server socket, set by `dbt_server.for_this_run` for the processes it starts.
SERVER_VARIABLE = "IDREAM_DBT_SERVER"
# The server's last line: this byte, then dbt's exit code. dbt never prints a NUL.
EXIT_MARK = b"\0"
# ... or, as its only line, this: the command is not one it runs (see `dbt_server.serves`).
PLAIN = b"plain"


def main() -> int:
    args = sys.argv[1:]
    connection = _connect(os.environ.get(SERVER_VARIABLE))
    code = None
    if connection is not None:
        request = {"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}
        with connection:
            connection.sendall(json.dumps(request).encode() + b"\n")
            code = _relay(connection.makefile("rb"), sys.stdout.buffer)
    if code is None:
        dbt = str(Path(sys.executable).with_name("dbt"))
        os.execv(dbt, [dbt, *args])
    return code


def _connect(address: str | None) -> socket.socket | None:
    if not address:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(address)
    except OSError:  # the run's server has gone: plain dbt does the same work
        connection.close()
        return None
    return connection


def _relay(lines, out) -> int | None:
    """Copy each line as it arrives (dagster-dbt streams dbt's events as they happen);
    dbt's exit code, or None when the server leaves the command to plain dbt."""
    for line in lines:
        if line.startswith(EXIT_MARK):
            status = line[len(EXIT_MARK) :].strip()
            return None if status == PLAIN else int(status)
        out.write(line)
        out.flush()
    # The server died mid-command; dbt's "unhandled error" code.
    out.write(b"idream-dbt: the dbt server ended before dbt did\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
