"""Validation frames: each suite's table plus the derived columns its expectations read.

GX checks values one column (or pair) at a time; rules such as "one marker per level of
each outcome" or "the all row is the sum of the cohort rows" become a derived column
computed here, so that the suite itself stays a plain, reviewable list of expectations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from orchestration.lib.labels import LabelDictionary, label_key_expr
from orchestration.lib.programme import ProgrammeSettings

LEVEL_NAMES = {
    "realistic": "'Realistic'",
    "ambitious": "'Ambitious'",
    "very_ambitious": "'Very ambitious'",
}
ReadTable = Callable[[str], pl.DataFrame]


@dataclass(frozen=True)
class FrameContext:
    labels: LabelDictionary
    answer_scales: pl.DataFrame  # answer, scale (`any` for not-applicable answers)
    programme: ProgrammeSettings


def label_columns(
    frame: pl.DataFrame, columns: dict[str, str], labels: LabelDictionary
) -> pl.DataFrame:
    """Add `<column>__key` (the lookup key) and `<column>__value` (canonical, null if unknown)."""
    for column, field in columns.items():
        lookup = labels.frame(field).rename(
            {"label_key": f"{column}__key", "value": f"{column}__value"}
        )
        frame = frame.with_columns(label_key_expr(column).alias(f"{column}__key")).join(
            lookup, on=f"{column}__key", how="left", maintain_order="left"
        )
    return frame


def raw_participants(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    frame = label_columns(
        read("raw.participants"), {"participant_type": "participant_type"}, context.labels
    )
    return frame.with_columns(
        pl.len().over("cohort").alias("cohort_size"),
        _stated(context.programme.cohort_sizes, "cohort").alias("expected_cohort_size"),
    )


def raw_success_markers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    fields = {
        "domain": "domain",
        "level": "level",
        "midpoint_status": "status",
        "final_status": "status",
    }
    frame = label_columns(read("raw.success_markers"), fields, context.labels)
    outcome = ["participant_key", "domain__value", "outcome_no"]
    # An unknown domain or level is reported as such; counting levels around it would
    # only add confusing "missing level" reports for the same mistake.
    unknown = pl.col("domain__value").is_null() | pl.col("level__value").is_null().any().over(
        outcome
    )
    frame = frame.with_columns(
        _in_roster(read),
        pl.when(unknown)
        .then(None)
        .otherwise(pl.len().over([*outcome, "level__value"]))
        .alias("level_repeats"),
        pl.when(unknown)
        .then(None)
        .otherwise(pl.col("level__value").n_unique().over(outcome))
        .alias("levels_in_outcome"),
    )
    present = frame.group_by(outcome).agg(pl.col("level__value").unique().alias("present"))
    # Vectorised: a Python function per outcome took minutes at a million markers.
    missing = present.with_columns(
        pl.concat_str(
            [
                pl.when(pl.col("present").list.contains(level)).then(None).otherwise(pl.lit(name))
                for level, name in LEVEL_NAMES.items()
            ],
            separator=" and no ",
            ignore_nulls=True,
        ).alias("missing_levels")
    ).drop("present")
    return frame.join(missing, on=outcome, how="left", maintain_order="left", nulls_equal=True)


def raw_unanticipated_outcomes(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    fields = {"domain": "domain", "review": "review"}
    frame = label_columns(read("raw.unanticipated_outcomes"), fields, context.labels)
    return frame.with_columns(_in_roster(read))


def raw_survey_codebook(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return label_columns(
        read("raw.survey_codebook"), {"section": "section", "scale": "scale"}, context.labels
    )


def raw_survey_responses(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    cohorts = read("raw.participants")["cohort"].unique()
    return read("raw.survey_responses").with_columns(
        pl.col("cohort").is_in(cohorts.implode()).alias("cohort_in_roster"),
        pl.col("response_id").n_unique().over("cohort").alias("respondents_in_cohort"),
        _stated(context.programme.survey_respondents, "cohort").alias("expected_respondents"),
    )


def raw_survey_answers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    items = label_columns(read("raw.survey_codebook"), {"scale": "scale"}, context.labels).select(
        "item_id", pl.col("scale__value").alias("item_scale")
    )
    scales = context.answer_scales.select("answer", pl.col("scale").alias("answer_scale"))
    frame = label_columns(read("raw.survey_answers"), {"answer": "answer"}, context.labels)
    return (
        frame.join(items, on="item_id", how="left", maintain_order="left")
        .join(scales, left_on="answer__value", right_on="answer", how="left", maintain_order="left")
        .with_columns(
            # Null (not checked) when the answer is blank or unknown: unknown is its own rule.
            pl.when(pl.col("answer_scale").is_null())
            .then(None)
            .otherwise(
                (pl.col("answer_scale") == "any") | (pl.col("answer_scale") == pl.col("item_scale"))
            )
            .alias("answer_fits_scale")
        )
    )


def fct_success_markers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("marts.fct_success_markers").with_columns(
        pl.col("cohort").n_unique().over("participant_key").alias("cohorts_of_participant"),
        pl.col("level")
        .n_unique()
        .over(["participant_key", "domain", "outcome_no"])
        .alias("levels_in_outcome"),
    )


def fct_survey_answers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    frame = read("marts.fct_survey_answers")
    return frame.with_columns(
        pl.len().over("response_id").alias("items_of_response"),
        pl.lit(frame["response_id"].n_unique()).alias("respondents_total"),
        pl.lit(context.programme.total_respondents, dtype=pl.Int64).alias(
            "expected_respondents_total"
        ),
    )


def mart_domain_rates(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    frame = read("marts.mart_domain_rates")
    sums = (
        frame.filter(pl.col("cohort") != "all")
        .group_by("domain")
        .agg(
            pl.col("achieved_n").sum().alias("all_achieved"),
            pl.col("participants").sum().alias("all_participants"),
        )
    )
    is_all = pl.col("cohort") == "all"
    return frame.join(sums, on="domain", how="left", maintain_order="left").with_columns(
        # Cohort rows are compared with themselves; only the `all` row is really tested.
        pl.when(is_all)
        .then(pl.col("all_achieved"))
        .otherwise(pl.col("achieved_n"))
        .alias("cohort_rows_sum"),
        pl.when(is_all)
        .then(pl.col("all_participants"))
        .otherwise(pl.col("participants"))
        .alias("participants_rows_sum"),
        _stated(context.programme.cohort_sizes, "cohort_number").alias("expected_participants"),
    )


def mart_survey_item_rates(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("marts.mart_survey_item_rates")


def mart_survey_section_rates(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("marts.mart_survey_section_rates")


PREPARERS: dict[str, Callable[[ReadTable, FrameContext], pl.DataFrame]] = {
    name: function
    for name, function in globals().items()
    if name.startswith(("raw_", "fct_", "mart_")) and callable(function)
}


def _in_roster(read: ReadTable) -> pl.Expr:
    roster = read("raw.participants")["participant_key"]
    return pl.col("participant_key").is_in(roster.implode()).alias("in_roster")


def _stated(stated: dict[int, int], column: str) -> pl.Expr:
    if not stated:
        return pl.lit(None, dtype=pl.Int64)
    return pl.col(column).replace_strict(stated, default=None, return_dtype=pl.Int64)
