"""One suite on a frame already prepared in Polars (`frames.PREPARERS`), its rules run by
DuckDB on the frame in place, as a run's are on the warehouse (`quality.evaluate`).

Runs and `idream check` do not come here: their suites' rows are SQL queries
(`quality.relations`). tests/unit/test_bad_inputs.py still validates this way; once it
calls `runner.validate_frames`, this module and the frame preparers other than
`frames.mart_marker_level_patterns` can go.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from orchestration.lib.quality import evaluate
from orchestration.lib.quality.relations import LINEAGE_ORDER, Relation
from orchestration.lib.quality.results import MAX_PROBLEMS_PER_EXPECTATION, SuiteResult
from orchestration.lib.quality.suites import load_suite


def validate(
    name: str,
    frame: pl.DataFrame,
    parameters: dict,
    context_dir: Path | None = None,
    site_dir: Path | None = None,
    run_name: str | None = None,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
) -> SuiteResult:
    """`parameters` (`quality.parameters.suite_parameters`) fill the suite's `$PARAMETER`
    values and its messages' `{expected_...}` words. The folders are not used any more
    (no GX store is written for a frame)."""
    import duckdb

    with duckdb.connect() as connection:
        connection.register("prepared_frame", frame)
        relation = Relation("select * from prepared_frame", LINEAGE_ORDER)
        result, _ = evaluate.validate(
            connection, load_suite(name), relation, parameters, max_problems
        )
    return result
