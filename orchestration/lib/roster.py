"""The roster (participants.xlsx, sheet `participants`): who is in which cohort.

Ingest types and pseudonymises; the value rules (known participant types, one row per
participant) are the `raw_participants` suite's.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import (
    ColumnSpec,
    map_distinct,
    require_rows,
    select_contract_columns,
)
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.lineage import LINEAGE_COLUMNS, with_lineage
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import SourceTable
from orchestration.lib.stacked import row_problems
from orchestration.lib.values import parse_cohort

SHEET = "participants"
# name, email and country_of_exile are in the contract but are never kept.
SPEC = ColumnSpec(required=("participant_id", "cohort", "participant_type"))
COHORT_EXPECTED = "a cohort number such as 1, 'Cohort 1' or 'C1'"


def parse_roster(table: SourceTable, key: bytes) -> pl.DataFrame:
    """Landed roster: one row per roster line, pseudonymised, with its cohort number."""
    table = select_contract_columns(table, SPEC)
    require_rows(table)
    frame = with_lineage(pseudonymise_column(table.frame, "participant_id", key), table)
    frame = frame.with_columns(
        map_distinct(frame["cohort"], parse_cohort, pl.Int64).alias("__cohort")
    )
    problems = blank_id_problems(frame)
    problems += row_problems(
        frame,
        pl.col("__cohort").is_null(),
        "cohort",
        lambda raw: f"cohort '{raw}' is not {COHORT_EXPECTED}",
    )
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(pl.col("__cohort").alias("cohort"))
    return landed.select("participant_key", "cohort", "participant_type", *LINEAGE_COLUMNS)


def blank_id_problems(frame: pl.DataFrame) -> list[Problem]:
    """A blank participant_id cannot be pseudonymised or checked against anything.
    `frame` carries lineage columns."""
    return row_problems(
        frame,
        pl.col("participant_id").is_null(),
        "participant_id",
        lambda _: "participant_id is blank",
    )
