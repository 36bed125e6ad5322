"""Success-marker workbooks (sheet `markers`, optional sheet `unanticipated`).

Ingest types and pseudonymises; the value rules (known labels, participants on the roster,
one marker per level of each outcome) are the `raw_success_markers` suite's.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import ColumnSpec, map_distinct
from orchestration.lib.lineage import LINEAGE_COLUMNS
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import SourceTable
from orchestration.lib.roster import blank_id_problems
from orchestration.lib.stacked import (
    FileProblems,
    require_rows_per_table,
    row_problems,
    stack,
    without_failed,
)
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


def parse_markers(tables: list[SourceTable], key: bytes, problems: FileProblems) -> pl.DataFrame:
    """Every workbook's `markers` sheet as one landed frame; what stops a file from being
    landed goes to `problems`, file by file."""
    frame = require_rows_per_table(stack(tables, MARKERS_SPEC, problems), tables, problems)
    frame = pseudonymise_column(frame, "participant_id", key).with_columns(
        map_distinct(frame["outcome_no"], parse_whole_number, pl.Int64).alias("__outcome_no")
    )
    problems.add(blank_id_problems(frame))
    problems.add(
        row_problems(
            frame,
            pl.col("__outcome_no").fill_null(0) < 1,
            "outcome_no",
            lambda raw: f"outcome_no '{raw}' is not a whole number of 1 or more",
        )
    )
    landed = without_failed(frame, problems).with_columns(
        pl.col("__outcome_no").alias("outcome_no")
    )
    columns = [
        "participant_key",
        "domain",
        "outcome_no",
        "level",
        "midpoint_status",
        "final_status",
    ]
    return landed.select(*columns, *LINEAGE_COLUMNS)


def parse_unanticipated(
    tables: list[SourceTable], key: bytes, problems: FileProblems
) -> pl.DataFrame:
    frame = stack(tables, UNANTICIPATED_SPEC, problems)
    problems.add(blank_id_problems(frame))
    frame = pseudonymise_column(without_failed(frame, problems), "participant_id", key)
    return frame.select("participant_key", "domain", "review", *LINEAGE_COLUMNS)


def free_texts(
    tables: list[SourceTable], key: bytes, spec: ColumnSpec, problems: FileProblems
) -> pl.DataFrame:
    """The free-text cells of sheets, for the `restricted` schema only: pseudonym, the
    texts, and the lineage that joins them to the row landed in `raw`. Called only when
    the programme settings ask for free text (`retention.keep_free_text`)."""
    # `stack` gives an absent optional column as blanks, so the table's shape is fixed.
    frame = pseudonymise_column(stack(tables, spec, problems), "participant_id", key)
    landed = without_failed(frame, problems).select(
        "participant_key", *spec.optional, *LINEAGE_COLUMNS
    )
    return landed.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in spec.optional))
