"""Success-marker workbooks (sheet `markers`, optional sheet `unanticipated`).

Ingest types and pseudonymises; the value rules (known labels, participants on the roster,
one marker per level of each outcome) are the `raw_success_markers` suite's.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import RawDataError
from orchestration.lib.lineage import with_lineage
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.roster import blank_id_problems
from orchestration.lib.values import parse_whole_number

MARKERS_SHEET = "markers"
UNANTICIPATED_SHEET = "unanticipated"
# outcome and marker (free text) are in the contract but are never kept.
MARKERS_SPEC = ColumnSpec(
    required=("participant_id", "domain", "outcome_no", "level"),
    optional=("midpoint_status", "final_status"),
)
# description (free text) is never kept; domain may be blank but the column must exist.
UNANTICIPATED_SPEC = ColumnSpec(required=("participant_id", "domain", "review"))


def parse_markers(table: SourceTable, key: bytes) -> pl.DataFrame:
    table = select_contract_columns(table, MARKERS_SPEC)
    require_rows(table)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    outcome_numbers = [parse_whole_number(value) for value in frame["outcome_no"]]
    problems = blank_id_problems(table)
    problems += [
        table.problem(f"outcome_no '{raw}' is not a whole number of 1 or more", row, "outcome_no")
        for raw, number, row in zip(
            frame["outcome_no"], outcome_numbers, frame[ROW_COLUMN], strict=True
        )
        if not number
    ]
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(pl.Series("outcome_no", outcome_numbers, dtype=pl.Int64))
    columns = [
        "participant_key",
        "domain",
        "outcome_no",
        "level",
        "midpoint_status",
        "final_status",
    ]
    return with_lineage(landed.select(columns), table)


def parse_unanticipated(table: SourceTable, key: bytes) -> pl.DataFrame:
    table = select_contract_columns(table, UNANTICIPATED_SPEC)
    problems = blank_id_problems(table)
    if problems:
        raise RawDataError(problems)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    return with_lineage(frame.select("participant_key", "domain", "review"), table)


def empty_unanticipated() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "participant_key": pl.String,
            "domain": pl.String,
            "review": pl.String,
            "source_file": pl.String,
            "source_sheet": pl.String,
            "source_row": pl.Int64,
        }
    )
