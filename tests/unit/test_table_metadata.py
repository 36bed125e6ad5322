"""The metadata the dbt step attaches to each model's materialisation: read in one pass over
the catalog, with the contracts' NOT NULL columns, and row counts only where counting is a
lookup (tables), never by running a view."""

import duckdb

from orchestration.defs.transform import table_metadata
from orchestration.lib.build_store import DuckDBStore


def test_tables_get_counts_and_not_null_columns_views_get_columns_only(tmp_path):
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema staging")
        connection.execute("create table marts.dim_cohorts (cohort bigint not null, note varchar)")
        connection.execute("insert into marts.dim_cohorts values (1, null), (2, 'x')")
        connection.execute(
            "create view staging.stg_cohorts as select cohort from marts.dim_cohorts"
        )
    metadata = table_metadata(
        DuckDBStore(database),
        [("marts", "dim_cohorts"), ("staging", "stg_cohorts"), ("marts", "not_built")],
    )
    assert set(metadata) == {("marts", "dim_cohorts"), ("staging", "stg_cohorts")}
    table = metadata[("marts", "dim_cohorts")]
    assert table["dagster/row_count"] == 2
    columns = table["dagster/column_schema"].columns
    assert [(c.name, c.type, c.constraints.nullable) for c in columns] == [
        ("cohort", "BIGINT", False),
        ("note", "VARCHAR", True),
    ]
    view = metadata[("staging", "stg_cohorts")]
    assert "dagster/row_count" not in view
    assert [c.name for c in view["dagster/column_schema"].columns] == ["cohort"]
