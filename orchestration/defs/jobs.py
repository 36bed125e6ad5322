"""The whole-pipeline job, run serially in one process.

Every asset writes the same DuckDB build file and DuckDB allows one writer, so steps must
not run in parallel processes; at this data size one process is also the fastest.
"""

import dagster as dg

idream_pipeline = dg.define_asset_job(
    name="idream_pipeline",
    selection=dg.AssetSelection.all(),
    description="Raw spreadsheets -> raw tables -> dbt models and tests -> published brief.",
)


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(jobs=[idream_pipeline], executor=dg.in_process_executor)
