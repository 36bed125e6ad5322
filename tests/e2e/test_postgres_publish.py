"""Publishing programmes' marts into the shared `marts` schema on a real PostgreSQL server
(lib/postgres_publish.py): each programme keeps its rows, readers see only whole states
while a publish runs, and a publish killed half-way leaves the previous rows whole.

The marts are the sample's, built by dbt on PostgreSQL, published as two programmes
(tests/postgres_marts.py)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from psycopg import sql

from orchestration.lib.postgres_layout import build_schema
from orchestration.lib.postgres_publish import PublishError, publish_programme, table_columns
from tests.postgres_marts import counts_by_programme, expected_counts, team_warehouse

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warehouse(sample_run, postgres_server, tmp_path_factory):
    return team_warehouse(
        sample_run, postgres_server, tmp_path_factory.mktemp("team_publish"), "team_publish"
    )


def publish(warehouse, programme_id, schema=None):
    with warehouse.connect() as connection:
        return publish_programme(
            connection, programme_id, schema or build_schema(programme_id, "marts")
        )


def published_counts(warehouse):
    with warehouse.connect() as connection:
        return counts_by_programme(connection, "marts", warehouse.tables)


def counts_of(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """{table: {programme_id: rows}} from each programme's rows per table, as
    counts_by_programme gives them (no entry for a programme without rows)."""
    tables = sorted({table for per_table in rows.values() for table in per_table})
    return {t: {p: n[t] for p, n in rows.items() if n.get(t)} for t in tables}


def copy_build(warehouse, programme_id, name, rows_of=None, leave_out=()):
    """A build schema `name` with `programme_id`'s build tables but those in `leave_out`,
    or only as many of each one's rows as `rows_of` (another programme's rows per table)
    says."""
    source = build_schema(programme_id, "marts")
    with warehouse.connect() as connection:
        connection.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(name)))
        for table in sorted(set(warehouse.tables) - set(leave_out)):
            limit = sql.Literal(rows_of[table]) if rows_of else sql.SQL("all")
            connection.execute(
                sql.SQL("create table {} as select * from {} limit {}").format(
                    sql.Identifier(name, table), sql.Identifier(source, table), limit
                )
            )


def test_two_programmes_publish_and_each_keeps_its_rows(warehouse):
    first = publish(warehouse, "idream")
    assert {t.name for t in first.tables} == set(warehouse.tables)
    assert all(t.created for t in first.tables)
    assert published_counts(warehouse) == expected_counts(warehouse, ("idream",))
    publish(warehouse, "paralegal")
    both = expected_counts(warehouse, ("idream", "paralegal"))
    assert published_counts(warehouse) == both
    # Publishing one again replaces its rows and leaves the other's.
    again = publish(warehouse, "idream")
    assert not any(t.created or t.rebuilt for t in again.tables)
    assert {t.name: t.rows for t in again.tables} == warehouse.rows["idream"]
    assert published_counts(warehouse) == both
    with warehouse.connect() as connection:
        for table in warehouse.tables:
            # The same rows, not only as many: what the build has, the published table has.
            differing = connection.execute(
                sql.SQL(
                    "select count(*) from ((select * from {} except all select * from {} "
                    "where programme_id = 'idream') union all (select * from {} "
                    "where programme_id = 'idream' except all select * from {})) d"
                ).format(
                    sql.Identifier("build_idream_marts", table),
                    sql.Identifier("marts", table),
                    sql.Identifier("marts", table),
                    sql.Identifier("build_idream_marts", table),
                )
            ).fetchone()[0]
            assert differing == 0, table


def test_readers_see_only_whole_states_while_a_programme_publishes(warehouse):
    """A reader polling every table in one statement sees the programme's old rows or its
    new rows, in every table at once, never a mix or an empty table in between."""
    half = warehouse.rows["paralegal"]
    copy_build(warehouse, "idream", "build_idream_smaller", half)
    publish(warehouse, "paralegal")
    publish(warehouse, "idream")
    states = {
        "whole": expected_counts(warehouse, ("idream", "paralegal")),
        "smaller": counts_of({"idream": half, "paralegal": half}),
    }
    seen: list[dict] = []
    stop = threading.Event()

    def read() -> None:
        with warehouse.connect(autocommit=True) as reader:
            while not stop.is_set():
                seen.append(counts_by_programme(reader, "marts", warehouse.tables))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(4):
            publish(warehouse, "idream", "build_idream_smaller")
            publish(warehouse, "idream")
    finally:
        stop.set()
        reader.join()
    assert len(seen) > 8
    named = [next((n for n, s in states.items() if s == counts), counts) for counts in seen]
    assert set(named) <= set(states), [n for n in named if n not in states][:1]
    assert set(named) == {"whole", "smaller"}


KILLED_PUBLISH = """
import sys
import psycopg
from orchestration.lib.postgres_publish import publish_programme
with psycopg.connect(sys.argv[1], application_name="idream_killed_publish") as connection:
    publish_programme(connection, "idream", "build_idream_smaller")
"""


def test_a_publish_killed_mid_way_leaves_the_old_rows_whole_and_the_next_one_succeeds(
    warehouse,
):
    """The publish process is killed (SIGKILL) after it replaced the first tables' rows and
    while it waits for the last table: the server rolls the transaction back."""
    copy_build(warehouse, "idream", "build_idream_smaller", warehouse.rows["paralegal"])
    publish(warehouse, "paralegal")
    publish(warehouse, "idream")
    whole = expected_counts(warehouse, ("idream", "paralegal"))
    last = warehouse.tables[-1]
    with warehouse.connect() as holder, warehouse.connect(autocommit=True) as observer:
        # An analyst's long query on the last table: the publish waits for it there.
        holder.execute(
            sql.SQL("lock table {} in access exclusive mode").format(sql.Identifier("marts", last))
        )
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_PUBLISH, warehouse.url],
            cwd=REPOSITORY,
            env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        )
        try:
            waiting = _wait_for(
                lambda: observer.execute(
                    "select query from pg_stat_activity where application_name = "
                    "'idream_killed_publish' and wait_event_type = 'Lock'"
                ).fetchone()
            )
            assert waiting and last in waiting[0]
            # Every earlier table has had its rows replaced, uncommitted: readers see the old.
            assert counts_by_programme(observer, "marts", warehouse.tables[:-1]) == {
                t: whole[t] for t in warehouse.tables[:-1]
            }
            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(timeout=10) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
        # The server notices the client is gone while the publish still waits (it checks
        # every second), rolls back and lets the publish lock go: the next publish need
        # not wait for the analyst's query to end.
        started = time.monotonic()
        assert _wait_for(
            lambda: not observer.execute(
                "select 1 from pg_stat_activity where application_name = 'idream_killed_publish'"
            ).fetchone()
        )
        assert time.monotonic() - started < 5
        holder.rollback()
    assert published_counts(warehouse) == whole
    publication = publish(warehouse, "idream", "build_idream_smaller")
    assert {t.name: t.rows for t in publication.tables} == warehouse.rows["paralegal"]
    half = warehouse.rows["paralegal"]
    assert published_counts(warehouse) == counts_of({"idream": half, "paralegal": half})


def _wait_for(condition, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    return None


def test_changed_columns_rebuild_the_table_and_keep_the_other_programmes_rows(warehouse):
    publish(warehouse, "idream")
    publish(warehouse, "paralegal")
    table = warehouse.tables[0]
    copy_build(warehouse, "idream", "build_idream_wider")
    with warehouse.connect() as connection:
        connection.execute(
            sql.SQL("alter table {} add column cohort_weight integer default 7").format(
                sql.Identifier("build_idream_wider", table)
            )
        )
    publication = publish(warehouse, "idream", "build_idream_wider")
    rebuilt = {t.name: t for t in publication.tables if t.rebuilt}
    assert set(rebuilt) == {table}
    assert rebuilt[table].carried == warehouse.rows["paralegal"][table]
    with warehouse.connect() as connection:
        columns = table_columns(connection, "marts")[table]
        assert columns[-1] == ("cohort_weight", "integer")
        assert columns == table_columns(connection, "build_idream_wider")[table]
        weights = connection.execute(
            sql.SQL(
                "select programme_id, count(*), count(cohort_weight) from {} group by 1 order by 1"
            ).format(sql.Identifier("marts", table))
        ).fetchall()
    # The other programme's rows stay, without the new column's values until its next publish.
    assert weights == [
        ("idream", warehouse.rows["idream"][table], warehouse.rows["idream"][table]),
        ("paralegal", warehouse.rows["paralegal"][table], 0),
    ]
    # Back to the build's own columns: rebuilt again, nothing lost.
    publish(warehouse, "idream")
    assert published_counts(warehouse) == expected_counts(warehouse, ("idream", "paralegal"))


def test_a_table_the_build_no_longer_makes_loses_the_programmes_rows_only(warehouse):
    publish(warehouse, "idream")
    publish(warehouse, "paralegal")
    gone = warehouse.tables[0]
    copy_build(warehouse, "idream", "build_idream_fewer", leave_out=(gone,))
    publication = publish(warehouse, "idream", "build_idream_fewer")
    assert [t.name for t in publication.tables if t.withdrawn] == [gone]
    expected = expected_counts(warehouse, ("idream", "paralegal"))
    expected[gone].pop("idream")
    assert published_counts(warehouse) == expected


def test_a_build_holding_another_programmes_rows_is_refused_and_nothing_changes(warehouse):
    publish(warehouse, "idream")
    publish(warehouse, "paralegal")
    before = published_counts(warehouse)
    with pytest.raises(PublishError, match="holds rows of a programme other than paralegal"):
        publish(warehouse, "paralegal", build_schema("idream", "marts"))
    with pytest.raises(PublishError, match="has no tables to publish"):
        publish(warehouse, "paralegal", "no_such_schema")
    assert published_counts(warehouse) == before


def test_two_programmes_publishing_at_once_both_succeed_and_keep_their_rows(warehouse):
    """Both find the published tables missing and create them: the publish lock queues
    the second behind the first, which would otherwise fail on the first's new tables."""
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def publish_into_new_schema(programme_id: str) -> None:
        try:
            with warehouse.connect() as connection:
                start.wait()
                publish_programme(
                    connection, programme_id, build_schema(programme_id, "marts"), "marts_at_once"
                )
        except BaseException as error:
            failures.append(error)

    publishers = [
        threading.Thread(target=publish_into_new_schema, args=(p,)) for p in ("idream", "paralegal")
    ]
    for publisher in publishers:
        publisher.start()
    for publisher in publishers:
        publisher.join()
    assert failures == []
    with warehouse.connect() as connection:
        assert counts_by_programme(connection, "marts_at_once", warehouse.tables) == (
            expected_counts(warehouse, ("idream", "paralegal"))
        )
