"""A dbt that has already started: a process that imports dbt and parses the project while
the run ingests, then runs the run's dbt commands at once.

A dbt command's process spends about 4 s before it touches the warehouse, on the sample or
at x1000 alike: 2.5 s importing dbt, 1 s loading its parsed project, and the rest
validating its configuration. Every run starts this server as it begins (`idream run`
before it loads Dagster, the dbt resource for runs Dagster launches itself), on the second
core. dagster-dbt still runs a dbt executable and reads its JSON log (the
`idream-dbt` client, `dbt_client.py`); the client hands the command here, and a child
forked from this warmed-up process runs it as the `dbt` executable would, given the parsed
project, its output written straight back to the client.

One child per command: it inherits the imports and the parsed project, gets the client's
environment and working directory, and exits when dbt is done, so dbt-duckdb's connection
(which outlives a programmatic dbt invocation) can never keep the warehouse locked after
the command. Only commands that run the graph with the parse-relevant options (--vars,
--target, the project and profiles folders) the project was parsed with are served; the
client runs any other as plain dbt.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import multiprocessing.util
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from orchestration.dbt_client import EXIT_MARK, PLAIN, SERVER_VARIABLE
from orchestration.lib.dbt_target import dbt_arguments, target_dir
from orchestration.settings import DBT_PROJECT_DIR, Settings

# Seconds to wait for the server to end once it has been told to.
STOP_TIMEOUT = 5.0
# A DBT_ENV_CUSTOM_ENV_ variable, set for the commands the server runs (see `_run_command`).
SERVED_MARK = "DBT_ENV_CUSTOM_ENV_IDREAM_DBT"
# Added to the server's nice value (see `_serve`).
SERVER_NICENESS = 10
# Commands that run the parsed graph without parsing again.
SERVED_COMMANDS = ("build", "run", "test", "seed")


def parse_options(args: list[str], cwd: str, env: dict[str, str]) -> dict[str, str | None]:
    """What a parsed project depends on: the command's project, profiles, profile, target
    and vars, each from its option, else its environment variable, else dbt's default."""
    given = dict(itertools.pairwise(args))
    return {
        "project": given.get("--project-dir") or env.get("DBT_PROJECT_DIR") or cwd,
        "profiles": given.get("--profiles-dir") or env.get("DBT_PROFILES_DIR") or cwd,
        "profile": given.get("--profile") or env.get("DBT_PROFILE"),
        "target": given.get("--target") or env.get("DBT_TARGET"),
        "vars": given.get("--vars"),
    }


def serves(request: dict, parsed_with: dict) -> bool:
    """Whether a command can run on the parsed project: one that runs the graph, with the
    parse-relevant options it was parsed with. Anything else runs as plain dbt: a command
    that parses must not parse in a forked child (dbt's static parser, a Rust library,
    waits forever for a thread pool that stayed in the server)."""
    args = request["args"]
    command = next((arg for arg in args if not arg.startswith("-")), None)
    return command in SERVED_COMMANDS and (
        parse_options(args, request["cwd"], request["env"]) == parsed_with
    )


class DbtServer:
    # The socket is in a folder only this user can enter (mkdtemp): a command's request
    # carries its environment, and with it an encrypted warehouse's key.
    def __init__(self, project_dir: Path, parse_args: list[str], parse_env: dict[str, str]):
        # A short folder of its own: a socket's path has a limit of about 100 bytes.
        self._folder = tempfile.mkdtemp(prefix="idream-dbt-")
        self.address = os.path.join(self._folder, "socket")
        # Listening before the server has started: a command sent while it imports and
        # parses waits in the socket's queue instead of finding no server there.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.address)
        listener.listen()
        # spawn, not fork: the run's process has Dagster's threads.
        context = multiprocessing.get_context("spawn")
        # Its other end stays here: when this process dies, even by SIGKILL, the server
        # sees the end of this pipe and exits instead of waiting for commands forever.
        run_alive, self._alive = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve,
            args=(listener, run_alive, str(project_dir), parse_args, parse_env),
            name="idream-dbt",
            daemon=True,
        )
        self._process.start()
        listener.close()  # the server has its own copies
        run_alive.close()

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(STOP_TIMEOUT)
        self._alive.close()
        shutil.rmtree(self._folder, ignore_errors=True)


@contextlib.contextmanager
def for_this_run(project_dir: Path, parse_args: list[str], target_dir: Path) -> Iterator[None]:
    """A server for one run; the dbt executables this process starts find it through
    IDREAM_DBT_SERVER. `parse_args` are the run's parse-relevant dbt arguments."""
    parse_env = {
        "DBT_PROJECT_DIR": str(project_dir),
        # Where dagster-dbt points the run's build (defs/transform.py), so the partial-parse
        # state the warm-up writes is the one a build without the server would read.
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(target_dir),
    }
    server = DbtServer(project_dir, parse_args, parse_env)
    previous = os.environ.get(SERVER_VARIABLE)
    os.environ[SERVER_VARIABLE] = server.address
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(SERVER_VARIABLE, None)
        else:
            os.environ[SERVER_VARIABLE] = previous
        server.stop()


def for_the_run_of(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The server for a run on `settings`' warehouse, its project parsed as that run's
    build (defs/transform.py) asks for it: the same --vars and target, the same target
    folder."""
    return for_this_run(DBT_PROJECT_DIR, dbt_arguments(settings), target_dir(settings))


def _serve(listener, run_alive, project_dir: str, parse_args: list[str], parse_env: dict):
    # `stop()` terminates: exit as from a return, so that multiprocessing's exit handlers
    # release the semaphores dbt creates (else the resource tracker warns at the run's end).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The warm-up (~4 s of CPU) starts as Dagster loads and GX imports, on two cores: at a
    # lower priority it takes only what they leave, and was done before the dbt step in
    # every run measured (x1, six alternating pairs: 0.4-3.7 s faster runs; x1000 no
    # slower). Each command's child returns to normal priority where it may.
    os.nice(SERVER_NICENESS)
    manifest, parsed_with = _warm_up(project_dir, parse_args, parse_env)
    while True:
        ready, _, _ = select.select([listener, run_alive], [], [])
        if run_alive in ready:  # nothing is ever sent: the run's process has gone
            shutil.rmtree(os.path.dirname(listener.getsockname()), ignore_errors=True)
            return
        connection, _ = listener.accept()
        with connection:
            request = json.loads(connection.makefile("rb").readline())
            if manifest is None or not serves(request, parsed_with):
                connection.sendall(EXIT_MARK + PLAIN + b"\n")
                continue
            child = os.fork()
            if child == 0:
                _run_command(connection, request, manifest)
            _, status = os.waitpid(child, 0)
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):  # the client has gone (run cancelled)
                connection.sendall(EXIT_MARK + str(code).encode() + b"\n")


def _warm_up(project_dir: str, parse_args: list[str], parse_env: dict):
    """Import dbt and parse the project as the run's build will see it. Any failure is the
    build's to report: it then parses for itself, as plain dbt."""
    os.environ.update(parse_env)
    os.chdir(project_dir)
    # Silent: the build reports whatever a parse finds wrong.
    args = ["parse", "--log-level", "none", "--log-level-file", "none", *parse_args]
    try:
        from dbt.cli.main import dbtRunner

        result = dbtRunner().invoke(args)
    except Exception:
        return None, None
    if not result.success:
        return None, None
    return result.result, parse_options(args, project_dir, dict(os.environ))


def _run_command(connection: socket.socket, request: dict, manifest) -> None:
    """In the forked child: run one dbt command, its output to the client. Never returns."""
    code = 2
    try:
        # The command is the run's critical path: normal priority again, where the system
        # allows raising it (root, CAP_SYS_NICE); elsewhere it keeps the server's nice 10,
        # which costs little while the run's own process only waits for it.
        with contextlib.suppress(PermissionError):
            os.nice(-SERVER_NICENESS)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # In the build's artifacts (run_results.json, manifest.json: metadata.env), as dbt
        # records any DBT_ENV_CUSTOM_ENV_ variable: which builds this server ran.
        os.environ[SERVED_MARK] = "served by the run's dbt server"
        # dbt records its command line from sys.argv (run_results.json, the log's header).
        sys.argv = ["dbt", *request["args"]]
        # Everything the child writes, dbt's log and anything below Python too, goes to
        # the client, which is what dagster-dbt reads as dbt's output.
        for stream in (1, 2):
            os.dup2(connection.fileno(), stream)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        _fresh_event_manager()
        from dbt.cli.main import cli

        # As the `dbt` executable runs it (click's main: its usage errors, its exit codes),
        # with the parsed project in the context where `dbtRunner` would put it.
        cli.main(args=request["args"], prog_name="dbt", obj={"manifest": manifest})
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
            # multiprocessing's exit handler, which os._exit skips: it releases the
            # semaphores dbt made in this process (finalizers inherited from the server are
            # skipped by their pid), else the resource tracker reports them leaked.
            multiprocessing.util._exit_function()
        os._exit(code)


def _fresh_event_manager() -> None:
    """dbt's event manager as a new dbt process has it (dbt_common/events/__init__.py):
    the warm-up left it with no console logger, and an error dbt reports before it sets up
    its own logging (bad --vars, say) must still reach the new stdout. Also the environment
    variables it records in the artifacts."""
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.event_manager_client import ctx_set_event_manager
    from dbt_common.events.functions import get_stdout_config, reset_metadata_vars
    from dbt_common.events.logger import LineFormat

    manager = EventManager()
    manager.add_logger(get_stdout_config(LineFormat.PlainText, True, EventLevel.INFO, False))
    ctx_set_event_manager(manager)
    # The artifacts' metadata.env, cached from the server's environment by the warm-up:
    # read again from the command's.
    reset_metadata_vars()
