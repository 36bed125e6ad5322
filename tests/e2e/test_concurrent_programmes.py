"""Runs at once on the PostgreSQL team warehouse, with the team's Dagster instance on the same
throwaway server (deploy/team/dagster.yaml, copied as shipped): `idream run --programme`
processes, as two people on the team would start them.

Runs of different programmes build at once and both publish. A whole run killed with
SIGKILL in the middle of its publish leaves the shared marts exactly as the previous publish
left them, and the next run of the programme, which waited meanwhile for the programme's
advisory build lock (whole runs take turns), publishes.

Nothing here waits on a clock to make runs meet: the test holds the lock the runs need (the
publish lock, a programme's build lock, a marts table) until the server shows every run
waiting for it, then lets go. The step times compared are the Dagster event log's."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from orchestration import example_programme as example
from orchestration.lib.build_lock import BUILD_LOCK_CLASS, programme_lock_key
from orchestration.lib.postgres_layout import PUBLISH_LOCK
from orchestration.lib.postgres_publish import table_columns
from orchestration.lib.publishing import MARTS
from tests.conftest import PROJECT_ROOT, SAMPLE_RAW
from tests.e2e.test_team_instance import TEAM_CONFIG

# The shipped sample and the paralegal example, as in tests/e2e/test_postgres_run.py.
PARALEGAL, IDREAM = example.PROGRAMME_ID, "idream"
SURVEY_EXPORT = "survey/cohort_2_odk_central.csv"  # of the paralegal example
PUBLISH_STEP = "publish__evidence_brief"
RUN_TIMEOUT = 600


class Team:
    """The root of two programmes, the warehouse folder, the warehouse's URL and the
    environment the runs get: the team instance in DAGSTER_HOME, the connection in
    DAGSTER_PG_*, the password in the session's PGPASSFILE."""

    def __init__(self, root: Path, warehouse: Path, url: str, home: Path, environment: dict):
        self.root, self.warehouse, self.url, self.home = root, warehouse, url, home
        self.environment = environment

    def start(self, programme_id: str, logs: Path, force: bool = False) -> subprocess.Popen:
        """`idream run --programme ID` in a process group of its own; its output to a file
        (a pipe nobody reads while the test waits could fill and stall the run)."""
        arguments = ["run", "--raw-dir", str(self.root), "--warehouse-dir", str(self.warehouse)]
        arguments += ["--programme", programme_id, *(["--force"] if force else [])]
        output = (logs / f"{programme_id}-{time.monotonic_ns()}.txt").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", *arguments],
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.output_path = Path(output.name)
        output.close()
        return process

    def connect(self, **options) -> psycopg.Connection:
        return psycopg.connect(self.url, **options)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))


@pytest.fixture(scope="module")
def team(postgres_server, tmp_path_factory):
    url = postgres_server.create_database("team_concurrent")
    instance_database = "dagster_concurrent"
    postgres_server.create_database(instance_database)
    home = tmp_path_factory.mktemp("team_home")
    shutil.copyfile(TEAM_CONFIG, home / "dagster.yaml")
    root = tmp_path_factory.mktemp("concurrent_root")
    shutil.copytree(example.EXAMPLES_DIR / PARALEGAL, root / PARALEGAL)
    shutil.copytree(SAMPLE_RAW, root / "idream_sample")
    instance_connection = {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres_server.port),
        "DAGSTER_PG_USER": postgres_server.user,
        "DAGSTER_PG_DB": instance_database,
    }
    environment = {
        **os.environ,
        **instance_connection,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DAGSTER_HOME": str(home),
        "IDREAM_WAREHOUSE_URL": url,
    }
    warehouse = tmp_path_factory.mktemp("concurrent_warehouse")
    # The test reads the runs' event logs from the same instance.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in instance_connection.items():
            patch.setenv(name, value)
        yield Team(root, warehouse, url, home, environment)


def finish(process: subprocess.Popen) -> str:
    """Wait for a run's process; what it printed. Fails the test if the run failed."""
    code = process.wait(timeout=RUN_TIMEOUT)
    output = process.output_path.read_text()
    assert code == 0, output[-4000:]
    return output


def run_id_of(output: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith("idream: run ")]
    return line.split()[2]


def wait_for(condition, processes=(), timeout: float = RUN_TIMEOUT):
    """Poll `condition` until it is true; fail at once if one of `processes` ended first
    (a run that failed, or never reached what the test waits for)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"a run ended early:\n{process.output_path.read_text()[-4000:]}")
        time.sleep(0.2)
    pytest.fail("timed out waiting for the runs")


def advisory_waiters(connection: psycopg.Connection, key: tuple[int, int, int]) -> int:
    """How many server processes wait for the advisory lock `key` (classid, objid,
    objsubid: 1 for a lock taken with one bigint, 2 for one taken with two int4s)."""
    return connection.execute(
        "select count(*) from pg_locks where locktype = 'advisory' and not granted "
        "and classid::bigint = %s and objid::bigint = %s and objsubid = %s",
        list(key),
    ).fetchone()[0]


def bigint_key(key: int) -> tuple[int, int, int]:
    return key >> 32, key & 0xFFFFFFFF, 1


def programme_key(programme_id: str) -> tuple[int, int, int]:
    # pg_locks shows the int4 keys as unsigned oids.
    return BUILD_LOCK_CLASS, programme_lock_key(programme_id) & 0xFFFFFFFF, 2


def step_times(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """Each step's start and end, from the run's event log."""
    return {
        step.step_key: (step.start_time, step.end_time)
        for step in instance.get_run_step_stats(run_id)
    }


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def published_rows(
    connection: psycopg.Connection, programme_id: str, tables: list[str] | None = None
) -> dict[str, list]:
    """The rows of one programme in every published table (or in `tables`), sorted."""
    rows = {}
    for table in tables or sorted(table_columns(connection, "marts")):
        rows[table] = sorted(
            connection.execute(
                sql.SQL("select * from {} where programme_id = %s").format(
                    sql.Identifier("marts", table)
                ),
                [programme_id],
            ).fetchall(),
            key=repr,
        )
    return rows


def participants(connection: psycopg.Connection, programme_id: str) -> int | None:
    """The programme's participants, all cohorts, as published; None before any publish."""
    if connection.execute("select to_regclass('marts.mart_domain_rates')").fetchone()[0] is None:
        return None
    row = connection.execute(
        "select participants from marts.mart_domain_rates where programme_id = %s "
        "and cohort = 'all' and domain = 'any_domain'",
        [programme_id],
    ).fetchone()
    return row[0] if row else None


def drop_first_submission(export: Path) -> None:
    """The survey export without its first submission (an approved one: the last is one a
    reviewer rejected, which the marts leave out anyway); the programme's marts change."""
    with export.open(newline="", encoding="utf-8") as stream:
        header, _approved, *others = csv.reader(stream)
    with export.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([header, *others])


def test_runs_of_two_programmes_build_at_once_and_both_publish(team, tmp_path):
    """Both runs reach their publish step while the test holds the publish lock, so the two
    publish steps are in progress together: no pool or lock made one programme's run wait
    for the other's. On DuckDB (one pool of limit 1) the second never would."""
    with team.connect(autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", [PUBLISH_LOCK])
        runs = [team.start(programme, tmp_path) for programme in (PARALEGAL, IDREAM)]
        try:
            wait_for(lambda: advisory_waiters(holder, bigint_key(PUBLISH_LOCK)) == 2, runs)
        finally:
            holder.execute("select pg_advisory_unlock(%s)", [PUBLISH_LOCK])
        paralegal_run, idream_run = (run_id_of(finish(run)) for run in runs)

    with team.instance() as instance:
        paralegal, idream = step_times(instance, paralegal_run), step_times(instance, idream_run)
        assert {instance.get_run_by_id(r).status for r in (paralegal_run, idream_run)} == {
            dg.DagsterRunStatus.SUCCESS
        }
    assert overlap(paralegal[PUBLISH_STEP], idream[PUBLISH_STEP])
    # Each run's steps ran while the other run was in progress, not after it.
    assert min(start for start, _ in paralegal.values()) < max(end for _, end in idream.values())
    assert min(start for start, _ in idream.values()) < max(end for _, end in paralegal.values())
    with team.connect() as reader:
        assert participants(reader, PARALEGAL) and participants(reader, IDREAM)


def test_a_run_killed_mid_publish_leaves_the_marts_whole_and_the_next_run_publishes(team, tmp_path):
    """Two runs of the paralegal programme, one survey submission fewer. The first is killed
    (SIGKILL to its process group) while its publish transaction waits for an analyst's
    lock on the last marts table, the tables before it already replaced, uncommitted; the
    second waits meanwhile for the programme's build lock, whole, not step by step. The
    server rolls the first back: the marts hold the programme's previous rows, exactly.
    The second then runs, after the first (no step of theirs overlaps), and publishes the
    new rows."""
    with team.connect() as reader:
        published_before = participants(reader, PARALEGAL)
    if published_before is None:  # run alone, without the test above: publish it first
        finish(team.start(PARALEGAL, tmp_path, force=True))
    with team.connect() as reader:
        before = published_rows(reader, PARALEGAL)
        idream_before = published_rows(reader, IDREAM)
        # The publish replaces the tables in name order (lib/postgres_publish.py).
        tables = sorted(table_columns(reader, "marts"))
    assert set(MARTS) <= set(tables)
    drop_first_submission(team.root / PARALEGAL / SURVEY_EXPORT)
    last = tables[-1]
    with team.connect() as holder, team.connect(autocommit=True) as observer:
        holder.execute(
            sql.SQL("lock table {} in access exclusive mode").format(sql.Identifier("marts", last))
        )
        holder_pid = holder.info.backend_pid
        killed, following = team.start(PARALEGAL, tmp_path), None
        try:
            blocked_pid, query = wait_for(
                lambda: observer.execute(
                    "select pid, query from pg_stat_activity where %s = any(pg_blocking_pids(pid))",
                    [holder_pid],
                ).fetchone(),
                [killed],
            )
            # It is the publish: it holds the publish lock and waits on the last table.
            assert last in query and query.lstrip().lower().startswith("delete")
            assert observer.execute(
                "select exists (select from pg_locks where pid = %s and locktype = 'advisory' "
                "and granted and classid::bigint = %s and objid::bigint = %s and objsubid = 1)",
                [blocked_pid, *bigint_key(PUBLISH_LOCK)[:2]],
            ).fetchone()[0]
            # Half-way: the earlier tables' rows are replaced, uncommitted; readers see the
            # previous publish's.
            seen = published_rows(observer, PARALEGAL, tables=tables[:-1])
            assert seen == {t: rows for t, rows in before.items() if t != last}
            # A second run of the programme waits for the first's build lock, whole.
            following = team.start(PARALEGAL, tmp_path)
            wait_for(lambda: advisory_waiters(observer, programme_key(PARALEGAL)) == 1, [following])
            os.killpg(killed.pid, signal.SIGKILL)
            assert killed.wait(timeout=30) == -signal.SIGKILL
            # The server notices its client is gone while the publish waits, and rolls back.
            wait_for(
                lambda: not observer.execute(
                    "select 1 from pg_stat_activity where pid = %s", [blocked_pid]
                ).fetchone()
            )
            # The second run now builds; its publish waits for the analyst's lock too,
            # and meanwhile the tables the analyst has not locked hold the previous
            # publish's rows (the killed run's were rolled back).
            wait_for(
                lambda: observer.execute(
                    "select 1 from pg_stat_activity where %s = any(pg_blocking_pids(pid))",
                    [holder_pid],
                ).fetchone(),
                [following],
            )
            assert published_rows(observer, PARALEGAL, tables=tables[:-1]) == seen
            assert published_rows(observer, IDREAM, tables=tables[:-1]) == {
                t: rows for t, rows in idream_before.items() if t != last
            }
        except BaseException:
            for process in (killed, following):
                if process is not None and process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
            raise
        holder.rollback()

    output = finish(following)
    assert f"another run of programme {PARALEGAL} is using its build schemas" in output
    with team.connect() as reader:
        assert published_rows(reader, PARALEGAL) != before
        assert published_rows(reader, IDREAM) == idream_before
    with team.instance() as instance:
        # The killed run is still STARTED in the instance: nothing told it otherwise.
        (dead,) = instance.get_runs(
            filters=dg.RunsFilter(
                statuses=[dg.DagsterRunStatus.STARTED], tags={"dagster/partition": PARALEGAL}
            )
        )
        steps = [step_times(instance, run_id) for run_id in (dead.run_id, run_id_of(output))]
    # Every step of the second run started after the killed run's last step had.
    assert min(start for start, _ in steps[1].values()) > max(s for s, _ in steps[0].values())
    assert PUBLISH_STEP in steps[0] and PUBLISH_STEP in steps[1]
