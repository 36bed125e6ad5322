"""The roster (participants.xlsx, sheet `participants`): who is in which cohort.

Ingest types and pseudonymises; the value rules (known participant types, one row per
participant) are the `raw_participants` suite's.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import RawDataError
from orchestration.lib.lineage import with_lineage
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.values import parse_cohort

SHEET = "participants"
# name, email and country_of_exile are in the contract but are never kept.
SPEC = ColumnSpec(required=("participant_id", "cohort", "participant_type"))
COHORT_EXPECTED = "a cohort number such as 1, 'Cohort 1' or 'C1'"


def parse_roster(table: SourceTable, key: bytes) -> pl.DataFrame:
    """Landed roster: one row per roster line, pseudonymised, with its cohort number."""
    table = select_contract_columns(table, SPEC)
    require_rows(table)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    cohorts = [parse_cohort(value) for value in frame["cohort"]]
    problems = blank_id_problems(table)
    problems += [
        table.problem(f"cohort '{raw}' is not {COHORT_EXPECTED}", row, "cohort")
        for raw, number, row in zip(frame["cohort"], cohorts, frame[ROW_COLUMN], strict=True)
        if number is None
    ]
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(pl.Series("cohort", cohorts, dtype=pl.Int64))
    return with_lineage(landed.select("participant_key", "cohort", "participant_type"), table)


def blank_id_problems(table: SourceTable) -> list:
    """A blank participant_id cannot be pseudonymised or checked against anything."""
    return [
        table.problem("participant_id is blank", row, "participant_id")
        for (row,) in table.frame.filter(pl.col("participant_id").is_null())
        .select(ROW_COLUMN)
        .iter_rows()
    ]
