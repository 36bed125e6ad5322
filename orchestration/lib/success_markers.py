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
# outcome and marker (free text) are in the contract but kept only on request, apart.
MARKERS_SPEC = ColumnSpec(
    required=("participant_id", "domain", "outcome_no", "level"),
    optional=("midpoint_status", "final_status"),
)
# description (free text) likewise; domain may be blank but the column must exist.
UNANTICIPATED_SPEC = ColumnSpec(required=("participant_id", "domain", "review"))
MARKER_TEXTS_SPEC = ColumnSpec(required=("participant_id",), optional=("outcome", "marker"))
UNANTICIPATED_TEXTS_SPEC = ColumnSpec(required=("participant_id",), optional=("description",))


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


def free_texts(table: SourceTable, key: bytes, spec: ColumnSpec) -> pl.DataFrame:
    """The free-text cells of a sheet, for the `restricted` schema only: pseudonym, the
    texts, and the lineage that joins them to the row landed in `raw`. Called only when
    the programme settings ask for free text (`retention.keep_free_text`)."""
    table = select_contract_columns(table, spec)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    texts = [name for name in spec.optional if name in frame.columns]
    # An absent optional column is a column of blanks, so the table's shape is fixed.
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in spec.optional if name not in texts
    )
    landed = with_lineage(frame.select("participant_key", *spec.optional), table)
    return landed.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in spec.optional))


def empty_texts(spec: ColumnSpec) -> pl.DataFrame:
    columns = ("participant_key", *spec.optional, "source_file", "source_sheet")
    return pl.DataFrame(schema={**dict.fromkeys(columns, pl.String), "source_row": pl.Int64})
