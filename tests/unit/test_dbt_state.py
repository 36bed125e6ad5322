"""Which dbt models a run rebuilds: only what depends on a re-landed raw table."""

import shutil

import polars as pl

from orchestration.lib import dbt_state, warehouse
from orchestration.settings import DBT_PROJECT_DIR


def _land(database, table, fingerprint):
    warehouse.replace_tables(database, {table: pl.DataFrame({"x": [1]})}, fingerprint)


def test_only_sources_landed_anew_since_the_last_build_are_rebuilt(tmp_path):
    database = tmp_path / "build.duckdb"
    _land(database, "participants", "p1")
    _land(database, "success_markers", "m1")
    # Never built: everything.
    assert dbt_state.changed_sources(database, "project-1") is None

    dbt_state.record_built(database, "project-1")
    assert dbt_state.changed_sources(database, "project-1") == []

    _land(database, "success_markers", "m2")  # one cohort's workbook changed
    assert dbt_state.changed_sources(database, "project-1") == ["success_markers"]
    assert dbt_state.selection(["success_markers"]) == ["--select", "source:raw.success_markers+"]

    # A changed dbt project (a model, a macro, a seed, a dbt version) rebuilds everything.
    assert dbt_state.changed_sources(database, "project-2") is None


def test_the_project_fingerprint_is_stable_and_follows_the_models(tmp_path):
    original = dbt_state.project_fingerprint(DBT_PROJECT_DIR)
    assert dbt_state.project_fingerprint(DBT_PROJECT_DIR) == original
    copy = tmp_path / "transforms"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    assert dbt_state.project_fingerprint(copy) == original
    (copy / "models" / "marts" / "mart_domain_rates.sql").write_text("select 1 as changed\n")
    assert dbt_state.project_fingerprint(copy) != original
