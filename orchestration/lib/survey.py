"""The survey codebook (sheet `items`) and the anonymous survey exports (.xlsx or .csv).

Ingest types the exports and unpivots them; the value rules (known sections, scales and
answers, answers that fit their item's scale, cohorts on the roster, unique response ids)
are the `raw_survey_*` suites'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.lineage import with_lineage
from orchestration.lib.readers import ROW_COLUMN, SourceTable
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


def parse_export(table: SourceTable, item_ids: list[str]) -> SurveyExport:
    """One export: its responses, and its answers in long form (one row per item)."""
    table = select_contract_columns(table, RESPONSES_SPEC, extra_required=tuple(item_ids))
    require_rows(table)
    frame = table.frame
    problems = _response_problems(table)
    if problems:
        raise RawDataError(problems)
    responses = with_lineage(
        frame.select(
            "response_id",
            pl.col("submitted_at")
            .map_elements(parse_submitted_at, return_dtype=pl.Datetime("us"))
            .alias("submitted_at"),
            pl.col("cohort").map_elements(parse_cohort, return_dtype=pl.Int64).alias("cohort"),
        ),
        table,
    )
    answers = (
        frame.select(ROW_COLUMN, "response_id", *item_ids)
        .unpivot(index=[ROW_COLUMN, "response_id"], on=list(item_ids), variable_name="item_id")
        .rename({"value": "answer"})
        .with_columns(
            pl.lit(table.file, dtype=pl.String).alias("source_file"),
            pl.lit(table.sheet, dtype=pl.String).alias("source_sheet"),
        )
        .select("response_id", "item_id", "answer", "source_file", "source_sheet", ROW_COLUMN)
    )
    return SurveyExport(responses=responses, answers=answers)


def load_answer_scales(path: Path) -> pl.DataFrame:
    """answer, answer_label and scale from the dbt seed `survey_answer_categories.csv`."""
    return pl.read_csv(path, infer_schema=False).select("answer", "answer_label", "scale")


def _response_problems(table: SourceTable) -> list[Problem]:
    """What must hold to land a response at all: an id, a time, a cohort number."""
    problems = []
    for response_id, submitted_at, cohort, row in table.frame.select(
        "response_id", "submitted_at", "cohort", ROW_COLUMN
    ).iter_rows():
        if response_id is None:
            problems.append(table.problem("response_id is blank", row, "response_id"))
        if parse_submitted_at(submitted_at) is None:
            problems.append(
                table.problem(
                    f"submitted_at '{submitted_at}' is not an ISO date-time or Excel date",
                    row,
                    "submitted_at",
                )
            )
        if parse_cohort(cohort) is None:
            problems.append(
                table.problem(f"cohort '{cohort}' is not a cohort number", row, "cohort")
            )
    return problems
