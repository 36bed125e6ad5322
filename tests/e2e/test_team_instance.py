"""The team's Dagster instance (deploy/team/dagster.yaml) on a real PostgreSQL server, the
session's throwaway one: the shipped file, copied as it is into a DAGSTER_HOME, with the
connection in the environment and the password in a PGPASSFILE (never in the file).
Storage on PostgreSQL, the queued run coordinator with one run per programme at a time, the
warehouse pool at 1, no telemetry;
and what makes it a team's instance: a second instance, from another DAGSTER_HOME with the
same file, sees the first one's runs and shares its pool."""

import shutil

import dagster as dg
import psycopg
import pytest
import yaml
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._utils.concurrency import ConcurrencySlotStatus
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from orchestration.defs.resources import WAREHOUSE_POOL
from tests.conftest import PROJECT_ROOT

TEAM_CONFIG = PROJECT_ROOT / "deploy" / "team" / "dagster.yaml"
DATABASE = "dagster_team"


@pytest.fixture(scope="module")
def team_homes(postgres_server, tmp_path_factory):
    """Two DAGSTER_HOME folders holding the shipped file, and the environment it reads:
    the throwaway server over loopback, its password found by libpq in the PGPASSFILE the
    session fixture set."""
    postgres_server.create_database(DATABASE)
    homes = []
    for name in ("home_a", "home_b"):
        home = tmp_path_factory.mktemp(name)
        shutil.copyfile(TEAM_CONFIG, home / "dagster.yaml")
        homes.append(home)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_PG_HOST", "127.0.0.1")
        patch.setenv("DAGSTER_PG_PORT", str(postgres_server.port))
        patch.setenv("DAGSTER_PG_USER", postgres_server.user)
        patch.setenv("DAGSTER_PG_DB", DATABASE)
        yield homes


@dg.asset(pool=WAREHOUSE_POOL)
def warehouse_step() -> int:
    """A step in the warehouse pool, as every step that opens the DuckDB file is."""
    return 1


def test_the_file_holds_no_password_and_reads_the_connection_from_the_environment():
    postgres_db = yaml.safe_load(TEAM_CONFIG.read_text())["storage"]["postgres"]["postgres_db"]
    assert "password" not in postgres_db
    for field in ("hostname", "port", "username", "db_name"):
        assert set(postgres_db[field]) == {"env"}
    # psycopg2, which dagster-postgres is written for (see the file's comment): without
    # it, the run in the test below fails as it writes its first event.
    assert postgres_db["scheme"] == "postgresql+psycopg2"


def test_the_instance_stores_everything_on_postgresql(team_homes, postgres_server):
    with dg.DagsterInstance.from_config(str(team_homes[0])) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert not instance.telemetry_enabled

        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        run_queue = instance.get_concurrency_config().run_queue_config
        # Several runs from the queue at once, but one per programme (its partition).
        assert run_queue.max_concurrent_runs > 1
        assert list(run_queue.tag_concurrency_limits) == [
            {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
        ]
        assert instance.global_op_concurrency_default_limit == 1

    # Dagster created its tables in the team's database, not in DAGSTER_HOME.
    with psycopg.connect(postgres_server.url_for(DATABASE)) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'public'"
            )
        }
    assert {"runs", "event_logs", "concurrency_limits", "jobs"} <= tables
    assert not list(team_homes[0].glob("**/*.db"))


def test_a_second_instance_sees_the_runs_and_shares_the_pool(team_homes):
    home_a, home_b = team_homes
    with dg.DagsterInstance.from_config(str(home_a)) as instance_a:
        result = dg.materialize([warehouse_step], instance=instance_a)
        assert result.success
        run_id = result.run_id

    with (
        dg.DagsterInstance.from_config(str(home_a)) as instance_a,
        dg.DagsterInstance.from_config(str(home_b)) as instance_b,
    ):
        # The run, and its materialisation, from the other DAGSTER_HOME.
        record = instance_b.get_run_record_by_id(run_id)
        assert record is not None and record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        latest = instance_b.get_latest_materialization_event(dg.AssetKey("warehouse_step"))
        assert latest is not None and latest.run_id == run_id

        # The step claimed a slot of the warehouse pool, which took the instance's default
        # limit of 1; the other instance reads that limit back from the database.
        info = instance_b.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert info.slot_count == 1
        (limit,) = [
            pool
            for pool in instance_b.event_log_storage.get_pool_limits()
            if pool.name == WAREHOUSE_POOL
        ]
        assert limit.limit == 1 and limit.from_default

        # One writer across the team: while a step of one instance holds the pool's slot,
        # a step of the other waits.
        storage_a, storage_b = instance_a.event_log_storage, instance_b.event_log_storage
        held = storage_a.claim_concurrency_slot(WAREHOUSE_POOL, "run-a", "ingest")
        assert held.slot_status == ConcurrencySlotStatus.CLAIMED
        try:
            waiting = storage_b.claim_concurrency_slot(WAREHOUSE_POOL, "run-b", "ingest")
            assert waiting.slot_status == ConcurrencySlotStatus.BLOCKED
        finally:
            storage_a.free_concurrency_slot_for_step("run-a", "ingest")
            storage_b.free_concurrency_slots_for_run("run-b")
        claimed = storage_b.claim_concurrency_slot(WAREHOUSE_POOL, "run-b", "ingest")
        assert claimed.slot_status == ConcurrencySlotStatus.CLAIMED
        storage_b.free_concurrency_slot_for_step("run-b", "ingest")
