"""Analysts never block a run nor see a half-built warehouse; a run killed at any point
leaves the last good outputs intact, and the next run succeeds without clean-up."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from tests.conftest import published_digest, run_idream
from tests.programmes import NO_DISCLOSURE_CONTROL, achieved_outcome, minimal_programme, person

PARTICIPANTS = "select count(*) from marts.dim_participants"
TOTAL_PARTICIPANTS = (
    "select participants from marts.mart_domain_rates "
    "where cohort = 'all' and domain = 'any_domain'"
)


def programme_of(participants: int):
    """The minimal programme with `participants` people in cohort 1 (2 by default)."""
    programme = minimal_programme()
    for number in range(3, participants + 1):
        pid = f"A-{number}"
        programme.roster.append(person(pid, "1", "Individual"))
        for domain in ("Resilience", "Advocacy", "Integrated Security"):
            programme.markers["cohort_1.xlsx"] += achieved_outcome(pid, domain)
    programme.programme_settings = NO_DISCLOSURE_CONTROL
    return programme


def published_participants(warehouse) -> int:
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        return connection.execute(TOTAL_PARTICIPANTS).fetchone()[0]


@pytest.fixture(scope="module")
def two_programmes(tmp_path_factory):
    """Raw folders of 2 and 3 participants, and a warehouse published from the first."""
    old = programme_of(2).write(tmp_path_factory.mktemp("old_raw"))
    new = programme_of(3).write(tmp_path_factory.mktemp("new_raw"))
    warehouse = tmp_path_factory.mktemp("old_warehouse")
    assert run_idream(old, warehouse).exit_code == 0
    return old, new, warehouse


def _copy_of(warehouse, tmp_path):
    copy = tmp_path / "warehouse"
    shutil.copytree(warehouse, copy)
    return copy


def test_an_open_reader_neither_blocks_a_run_nor_sees_it_half_built(two_programmes, tmp_path):
    _, new_raw, old_warehouse = two_programmes
    warehouse = _copy_of(old_warehouse, tmp_path)

    analyst = duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True)
    assert analyst.execute("select count(*) from marts.dim_participants").fetchone()[0] == 2
    seen, stop = [], threading.Event()

    def poll():
        # Another analyst connecting again and again while the run goes on: every time,
        # a complete warehouse, the old one or the new one, never anything in between.
        while not stop.is_set():
            with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
                participants = connection.execute(
                    "select count(*) from marts.dim_participants"
                ).fetchone()[0]
                total = connection.execute(TOTAL_PARTICIPANTS).fetchone()[0]
            seen.append((participants, total))
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        assert run_idream(new_raw, warehouse).exit_code == 0
    finally:
        stop.set()
        poller.join()

    # The open connection still reads the warehouse it opened, whole.
    assert analyst.execute("select count(*) from marts.dim_participants").fetchone()[0] == 2
    analyst.close()
    assert published_participants(warehouse) == 3
    assert set(seen) <= {(2, 2), (3, 3)} and (2, 2) in seen and len(seen) > 10


def _start_run(raw, warehouse) -> subprocess.Popen:
    env = {**os.environ, "IDREAM_RAW_DIR": str(raw), "IDREAM_WAREHOUSE_DIR": str(warehouse)}
    idream = os.path.join(os.path.dirname(sys.executable), "idream")
    # A session of its own, so that the kill takes dbt's subprocess down too, as a machine
    # or container being stopped would.
    return subprocess.Popen(
        [idream, "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


# Seconds into a run on this 2-core machine: loading definitions / ingest, dbt, checks.
KILL_AFTER = (3.0, 10.0, 17.0)


def test_a_run_killed_at_any_point_leaves_the_last_good_outputs_and_the_next_run_succeeds(
    two_programmes, tmp_path
):
    _, new_raw, old_warehouse = two_programmes
    warehouse = _copy_of(old_warehouse, tmp_path)
    before = published_digest(warehouse)
    killed = 0
    for seconds in KILL_AFTER:
        run = _start_run(new_raw, warehouse)
        time.sleep(seconds)
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            killed += 1
        run.wait()
        # Killed part-way: either nothing was published, or all of it was (the kill came
        # after the swap); never a mix: the brief agrees with the warehouse beside it.
        if published_digest(warehouse) == before:
            assert published_participants(warehouse) == 2
        else:
            assert published_participants(warehouse) == 3
            assert ",3," in (warehouse / "brief" / "success_markers_by_domain.csv").read_text()
    assert killed >= 2, "the runs finished before they could be killed; move KILL_AFTER earlier"

    # No clean-up in between: the next run succeeds.
    assert run_idream(new_raw, warehouse).exit_code == 0
    assert published_participants(warehouse) == 3


def test_a_run_with_nothing_changed_is_a_quick_no_op_and_a_changed_file_runs(
    two_programmes, tmp_path, capsys
):
    old_raw, _, old_warehouse = two_programmes
    warehouse = _copy_of(old_warehouse, tmp_path)
    before = published_digest(warehouse)
    capsys.readouterr()

    started = time.monotonic()
    result = run_idream(old_raw, warehouse, capsys)
    assert result.exit_code == 0 and "nothing changed since run" in result.stdout
    assert published_digest(warehouse) == before
    # Not a timing test: a no-op never starts Dagster or dbt, which alone take longer.
    assert time.monotonic() - started < 5

    raw = tmp_path / "raw"
    shutil.copytree(old_raw, raw)
    (raw / "programme.toml").write_text('[cohort_sizes]\n"1" = 2\n')
    result = run_idream(raw, warehouse, capsys)
    assert result.exit_code == 0 and "succeeded" in result.stdout


def _landed_at(warehouse) -> dict:
    """When each raw table was last landed (recorded with its inputs' fingerprint)."""
    with duckdb.connect(str(warehouse / ".build" / "idream.duckdb"), read_only=True) as connection:
        return dict(
            connection.execute("select table_name, landed_at from raw._landings").fetchall()
        )


def test_when_one_workbook_changes_only_its_landing_is_redone(two_programmes, tmp_path, capsys):
    _, _, old_warehouse = two_programmes
    warehouse = _copy_of(old_warehouse, tmp_path)
    before = _landed_at(warehouse)

    programme = programme_of(2)
    programme.programme_settings = NO_DISCLOSURE_CONTROL
    markers = programme.markers["cohort_1.xlsx"]
    markers[0] = (*markers[0][:7], "Not achieved")  # A-1's resilience marker, no longer achieved
    raw = programme.write(tmp_path / "raw")
    assert run_idream(raw, warehouse, capsys).exit_code == 0

    after = _landed_at(warehouse)
    assert after["success_markers"] != before["success_markers"]
    for unchanged in ("participants", "survey_codebook", "survey_responses", "survey_answers"):
        assert after[unchanged] == before[unchanged], unchanged
    rates = (warehouse / "brief" / "success_markers_by_domain.csv").read_text()
    assert rates.splitlines()[1].startswith("1,individual,2,1,50,")  # resilience now 1 of 2
