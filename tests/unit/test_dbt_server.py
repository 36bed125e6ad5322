"""The run's dbt server and its client (`idream-dbt`), on the real dbt project with a
throwaway warehouse: a command the server serves runs in the server's child process and
behaves as plain dbt would (output, exit code, artifacts), leaves the warehouse unlocked,
and anything else is plain dbt."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import dbt_server
from orchestration.dbt_client import SERVER_VARIABLE
from orchestration.settings import DBT_CLIENT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT

SEED = "survey_answer_categories"
# The seed and its own tests, not the tests that join it to models this warehouse lacks.
ONLY_SEED = ["--select", SEED, "--indirect-selection", "cautious"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server warmed up for one warehouse, as `idream run` starts it."""
    folder = tmp_path_factory.mktemp("dbt_server")
    database = folder / "warehouse.duckdb"
    parse_args = ["--vars", json.dumps({"database_path": str(database)})]
    with dbt_server.for_this_run(DBT_PROJECT_DIR, parse_args, folder / "target"):
        yield {"database": database, "args": parse_args, "target": folder / "target"}


def idream_dbt(args, target, **env):
    """The client as dagster-dbt starts it: in the project, with dbt's JSON log."""
    completed = subprocess.Popen(
        [str(DBT_CLIENT_EXECUTABLE), *args],
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"DBT_LOG_FORMAT": "json", "DBT_TARGET_PATH": str(target)} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = completed.communicate()[0].decode()
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return completed, output, events


def dbt_pids(events) -> set[int]:
    return {event["info"]["pid"] for event in events}


def test_a_build_runs_in_the_server_and_reports_as_plain_dbt(server):
    client, output, events = idream_dbt(
        ["build", *server["args"], *ONLY_SEED],
        server["target"],
        DBT_ENV_CUSTOM_ENV_CALLER="the test",  # the command's environment, not the server's
    )
    assert client.returncode == 0, output
    # dbt ran in another process: the server's child, not the client exec'ing dbt.
    assert dbt_pids(events) and client.pid not in dbt_pids(events)
    names = [event["info"]["name"] for event in events]
    assert "LogSeedResult" in names and names[-1] == "StatsLine"
    # It used the parsed project: no parse at all, partial or full.
    assert not any("Parse" in name for name in names), names
    run_results = json.loads((server["target"] / "run_results.json").read_text())
    statuses = {r["unique_id"].split(".")[0]: r["status"] for r in run_results["results"]}
    assert statuses == {"seed": "success", "test": "pass"}
    assert run_results["args"]["invocation_command"].startswith("dbt build --vars")
    assert run_results["metadata"]["env"] == {
        "CALLER": "the test",
        "IDREAM_DBT": "served by the run's dbt server",
    }
    # The child has exited, and dbt-duckdb's connection with it: the warehouse is free.
    with duckdb.connect(str(server["database"])) as connection:
        rows = connection.execute(f"select count(*) from reference.{SEED}").fetchone()[0]
    assert rows > 0


def test_a_failing_command_exits_as_dbt_does_with_its_errors_in_the_output(server):
    client, output, _ = idream_dbt(
        ["build", *server["args"], *ONLY_SEED, "--threads", "zero"], server["target"]
    )
    plain = subprocess.run(
        [str(DBT_CLIENT_EXECUTABLE), "build", *server["args"], "--threads", "zero"],
        cwd=DBT_PROJECT_DIR,
        env={k: v for k, v in os.environ.items() if k != SERVER_VARIABLE},
        capture_output=True,
        text=True,
    )
    assert client.returncode == plain.returncode == 2
    assert "'zero' is not a valid integer" in output
    assert output == plain.stdout + plain.stderr


def test_a_command_with_other_vars_or_one_that_parses_is_left_to_plain_dbt(server, tmp_path):
    other = ["--vars", json.dumps({"database_path": str(tmp_path / "other.duckdb")})]
    for args in (["build", *other, *ONLY_SEED], ["parse", *server["args"]]):
        client, output, events = idream_dbt(args, tmp_path / "target")
        assert client.returncode == 0, output
        # exec: plain dbt in the client's own process.
        assert dbt_pids(events) == {client.pid}


def test_without_a_server_the_client_is_plain_dbt(tmp_path):
    for address in ("", str(tmp_path / "gone.socket")):
        client, output, events = idream_dbt(
            ["parse"], tmp_path / "target", **{SERVER_VARIABLE: address}
        )
        assert client.returncode == 0, output
        assert dbt_pids(events) == {client.pid}


def test_the_server_serves_only_graph_commands_with_the_options_it_parsed_with():
    parsed = dbt_server.parse_options(["--vars", "{a: 1}"], "/p", {})
    request = {"args": ["build", "--vars", "{a: 1}", "--select", "x+"], "cwd": "/p", "env": {}}
    assert dbt_server.serves(request, parsed)
    # The same project named by option, by environment or by working directory.
    assert dbt_server.serves(request | {"env": {"DBT_PROJECT_DIR": "/p"}}, parsed)
    for different in (
        {"args": ["build", "--vars", "{a: 2}"]},
        {"args": ["build", "--vars", "{a: 1}", "--target", "encrypted"]},
        {"args": ["build", "--vars", "{a: 1}"], "env": {"DBT_PROFILES_DIR": "/elsewhere"}},
        {"cwd": "/q"},
        {"args": ["compile", "--vars", "{a: 1}"]},
        {"args": ["parse", "--vars", "{a: 1}"]},
    ):
        assert not dbt_server.serves(request | different, parsed), different


def test_a_stopped_server_leaves_no_semaphore_for_the_resource_tracker_to_warn_of(tmp_path):
    # Regression: dbt makes multiprocessing locks in the server and in each command's child;
    # ending either without multiprocessing's exit handler left them for the tracker.
    database = tmp_path / "warehouse.duckdb"
    script = (
        "import json, os, subprocess\n"
        "from pathlib import Path\n"
        "from orchestration import dbt_server\n"
        "from orchestration.settings import DBT_CLIENT_EXECUTABLE, DBT_PROJECT_DIR\n"
        f"args = ['--vars', json.dumps({{'database_path': {str(database)!r}}})]\n"
        "if __name__ == '__main__':\n"
        f"    with dbt_server.for_this_run(DBT_PROJECT_DIR, args, Path({str(tmp_path)!r})):\n"
        f"        subprocess.run([str(DBT_CLIENT_EXECUTABLE), 'seed', *args, '--select',"
        f" {SEED!r}], cwd=DBT_PROJECT_DIR, check=True, capture_output=True)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert "leaked" not in completed.stderr, completed.stderr
    assert (
        duckdb.connect(str(database))
        .execute(f"select count(*) from reference.{SEED}")
        .fetchone()[0]
    )


def test_the_server_ends_and_cleans_up_when_the_run_that_started_it_is_killed(tmp_path):
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from orchestration.dbt_server import DbtServer\n"
        "from orchestration.settings import DBT_PROJECT_DIR\n"
        "if __name__ == '__main__':\n"
        f"    server = DbtServer(DBT_PROJECT_DIR, [], {{'DBT_TARGET_PATH': {str(tmp_path)!r}}})\n"
        "    print(server._process.pid, server.address, flush=True)\n"
        "    time.sleep(600)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    pid, address = run.stdout.readline().split()
    server_pid = int(pid)
    run.kill()  # SIGKILL: no `finally`, no exit handler, nothing of the run's own runs
    run.wait()
    # It notices once its warm-up is done (a few seconds), then exits.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and running(server_pid):
        time.sleep(0.2)
    assert not running(server_pid)
    assert not Path(address).parent.exists()  # its socket's folder in /tmp, removed


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit may go unreaped in a container)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status
