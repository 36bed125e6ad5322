"""The survey codebook (sheet `items`) and the anonymous survey exports (.xlsx or .csv).

Ingest types the exports and unpivots them; the value rules (known sections, scales and
answers, answers that fit their item's scale, cohorts on the roster, unique response ids)
are the `raw_survey_*` suites'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.columns import (
    ColumnSpec,
    map_distinct,
    require_rows,
    select_contract_columns,
)
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.lineage import LINEAGE_COLUMNS, with_lineage
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.stacked import (
    FileProblems,
    require_rows_per_table,
    row_problems,
    stack,
    without_failed,
)
from orchestration.lib.text import normalise_header
from orchestration.lib.values import parse_cohort, parse_submitted_at

CODEBOOK_SHEET = "items"
RESPONSES_SHEET = "responses"
CODEBOOK_SPEC = ColumnSpec(required=("item_id", "section", "statement", "scale"))
# Survey-tool metadata (_id, _index, deviceid, username, start, end, ...) is never kept.
RESPONSES_SPEC = ColumnSpec(
    required=("response_id", "submitted_at", "cohort"),
    aliases={"_uuid": "response_id", "_submission_time": "submitted_at"},
)


@dataclass(frozen=True)
class SurveyExport:
    responses: pl.DataFrame
    answers: pl.DataFrame


def parse_codebook(table: SourceTable) -> pl.DataFrame:
    table = select_contract_columns(table, CODEBOOK_SPEC)
    require_rows(table)
    problems = [
        table.problem(f"{column} is blank", row, column)
        for column in ("item_id", "statement")
        for (row,) in table.frame.filter(pl.col(column).is_null()).select(ROW_COLUMN).iter_rows()
    ]
    if problems:
        raise RawDataError(problems)
    landed = table.frame.with_columns(
        # Exports name their columns by item_id, and headers are compared normalised.
        pl.col("item_id").map_elements(normalise_header, return_dtype=pl.String),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("item_order"),
    )
    columns = ["item_id", "section", "statement", "scale", "item_order"]
    return with_lineage(landed.select(columns), table)


def parse_exports(
    tables: list[SourceTable], item_ids: list[str], problems: FileProblems
) -> SurveyExport:
    """Every export: the responses, and the answers in long form (one row per item);
    what stops a file from being landed goes to `problems`, file by file."""
    stacked = stack(tables, RESPONSES_SPEC, problems, extra_required=tuple(item_ids))
    frame = require_rows_per_table(stacked, tables, problems)
    frame = frame.with_columns(
        map_distinct(frame["submitted_at"], parse_submitted_at, pl.Datetime("us")).alias(
            "__submitted_at"
        ),
        map_distinct(frame["cohort"], parse_cohort, pl.Int64).alias("__cohort"),
    )
    problems.add(_response_problems(frame))
    frame = without_failed(frame, problems)
    responses = frame.select(
        "response_id",
        pl.col("__submitted_at").alias("submitted_at"),
        pl.col("__cohort").alias("cohort"),
        *LINEAGE_COLUMNS,
    )
    answers = (
        frame.select("response_id", *item_ids, *LINEAGE_COLUMNS)
        .unpivot(
            index=["response_id", *LINEAGE_COLUMNS],
            on=list(item_ids),
            variable_name="item_id",
            value_name="answer",
        )
        .select("response_id", "item_id", "answer", *LINEAGE_COLUMNS)
    )
    return SurveyExport(responses=responses, answers=answers)


def load_answer_scales(path: Path) -> pl.DataFrame:
    """answer, answer_label and scale from the dbt seed `survey_answer_categories.csv`."""
    return pl.read_csv(path, infer_schema=False).select("answer", "answer_label", "scale")


def _response_problems(frame: pl.DataFrame) -> list[Problem]:
    """What must hold to land a response at all: an id, a time, a cohort number."""
    found = row_problems(
        frame, pl.col("response_id").is_null(), "response_id", lambda _: "response_id is blank"
    )
    found += row_problems(
        frame,
        pl.col("__submitted_at").is_null(),
        "submitted_at",
        lambda raw: f"submitted_at '{raw}' is not an ISO date-time or Excel date",
    )
    found += row_problems(
        frame,
        pl.col("__cohort").is_null(),
        "cohort",
        lambda raw: f"cohort '{raw}' is not a cohort number",
    )
    # Row by row, as people read a sheet (the sort is stable: a row's problems keep
    # this order); FileProblems keeps the files apart.
    return sorted(found, key=lambda problem: problem.row)
