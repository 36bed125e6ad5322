"""The survey codebook (sheet `items`) and the anonymous survey exports (.xlsx or .csv)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.labels import LabelDictionary, label_key_expr, map_labels
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


def parse_codebook(table: SourceTable, labels: LabelDictionary) -> pl.DataFrame:
    table = select_contract_columns(table, CODEBOOK_SPEC)
    require_rows(table)
    frame = table.frame
    _, problems = map_labels(
        table, "section", "section", labels, "security, advocacy or connection"
    )
    _, found = map_labels(table, "scale", "scale", labels, "confidence or agreement")
    problems += found
    first_row: dict[str, int] = {}
    for item_id, statement, row in frame.select("item_id", "statement", ROW_COLUMN).iter_rows():
        if statement is None:
            problems.append(table.problem("statement is blank", row, "statement"))
        if item_id is None:
            problems.append(table.problem("item_id is blank", row, "item_id"))
            continue
        # Exports name their columns by item_id; headers are compared normalised.
        normalised = normalise_header(item_id)
        if normalised in first_row:
            problems.append(
                table.problem(
                    f"item_id '{item_id}' is repeated (first on row {first_row[normalised]})",
                    row,
                    "item_id",
                )
            )
        first_row.setdefault(normalised, row)
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(
        pl.col("item_id").map_elements(normalise_header, return_dtype=pl.String),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("item_order"),
    )
    return with_lineage(
        landed.select("item_id", "section", "statement", "scale", "item_order"), table
    )


def parse_export(
    table: SourceTable,
    codebook: pl.DataFrame,
    answer_scales: pl.DataFrame,
    labels: LabelDictionary,
    roster_cohorts: set[int],
) -> SurveyExport:
    """One export: its responses, and its answers in long form (one row per item).

    `codebook` has item_id and scale (canonical); `answer_scales` has answer and scale,
    where scale `any` marks the not-applicable answers every item accepts.
    """
    item_ids = tuple(codebook["item_id"])
    table = select_contract_columns(table, RESPONSES_SPEC, extra_required=item_ids)
    require_rows(table)
    frame = table.frame
    problems = _response_problems(table, roster_cohorts)
    problems += _answer_problems(table, codebook, answer_scales, labels)
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


def duplicate_response_ids(responses: pl.DataFrame) -> pl.DataFrame:
    """Response ids submitted more than once, with how often: reported, then resolved in dbt."""
    return (
        responses.group_by("response_id")
        .agg(pl.len().alias("submissions"))
        .filter(pl.col("submissions") > 1)
        .sort("response_id")
    )


def _response_problems(table: SourceTable, roster_cohorts: set[int]) -> list[Problem]:
    problems = []
    known = ", ".join(str(cohort) for cohort in sorted(roster_cohorts))
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
        number = parse_cohort(cohort)
        if number is None:
            problems.append(
                table.problem(f"cohort '{cohort}' is not a cohort number", row, "cohort")
            )
        elif number not in roster_cohorts:
            problems.append(
                table.problem(
                    f"cohort {number} is not in the roster (cohorts: {known})", row, "cohort"
                )
            )
    return problems


def _answer_problems(
    table: SourceTable,
    codebook: pl.DataFrame,
    answer_scales: pl.DataFrame,
    labels: LabelDictionary,
) -> list[Problem]:
    """Unknown labels, and labels of the other scale (an agreement answer to a confidence item)."""
    long = (
        table.frame.select(ROW_COLUMN, *codebook["item_id"])
        .unpivot(index=ROW_COLUMN, variable_name="item_id", value_name="label")
        .filter(pl.col("label").is_not_null())
        .with_columns(label_key_expr("label").alias("label_key"))
        .join(labels.frame("answer").rename({"value": "answer"}), on="label_key", how="left")
        .join(answer_scales.rename({"scale": "answer_scale"}), on="answer", how="left")
        .join(codebook.select("item_id", "scale"), on="item_id", how="left")
        .filter(
            pl.col("answer").is_null()
            | ((pl.col("answer_scale") != "any") & (pl.col("answer_scale") != pl.col("scale")))
        )
        .sort(ROW_COLUMN, "item_id")
    )
    if long.height == 0:
        return []
    allowed = _allowed_labels(answer_scales)
    return [
        table.problem(
            f"unknown answer '{label}' for a {scale} item; expected {allowed[scale]} or blank",
            row,
            item_id,
        )
        for row, item_id, label, scale in long.select(
            ROW_COLUMN, "item_id", "label", "scale"
        ).iter_rows()
    ]


def _allowed_labels(answer_scales: pl.DataFrame) -> dict[str, str]:
    anywhere = answer_scales.filter(pl.col("scale") == "any")["answer_label"].to_list()
    allowed = {}
    for scale in ("confidence", "agreement"):
        own = answer_scales.filter(pl.col("scale") == scale)["answer_label"].to_list()
        allowed[scale] = ", ".join(own + anywhere)
    return allowed


def codebook_scales(codebook: pl.DataFrame, labels: LabelDictionary) -> pl.DataFrame:
    """item_id and canonical scale of the landed codebook (whose labels are as typed)."""
    return (
        codebook.with_columns(label_key_expr("scale").alias("label_key"))
        .join(labels.frame("scale"), on="label_key", how="left")
        .select("item_id", pl.col("value").alias("scale"))
    )


def load_answer_scales(path: Path) -> pl.DataFrame:
    """answer, answer_label and scale from the dbt seed `survey_answer_categories.csv`."""
    return pl.read_csv(path, infer_schema=False).select("answer", "answer_label", "scale")
