"""Validation frames in Polars: each suite's table plus the derived columns its expectations
read. Runs and `idream check` use only `mart_marker_level_patterns` from here, the patterns
worded from the mart's few rows; every other suite's rows are a SQL query
(`quality.relations`, which carries the same rules). The rest stays for the one test that
still validates the old way (see `quality.gx_runner`).

GX checks values one column (or pair) at a time; rules such as "one marker per level of
each outcome" or "the all row is the sum of the cohort rows" become a derived column
computed here, so that the suite itself stays a plain, reviewable list of expectations.

A raw suite's frame needs only raw tables and the programme definition (`read` may serve
tables that were never landed, as `idream check` reads them from ingest); the definition
gives the levels an outcome must have, each scale's answers, and the labels messages
quote (`level_label`: `Very ambitious` where the table holds `very_ambitious`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.quality.parameters import labels_of, scale_answers

ReadTable = Callable[[str], pl.DataFrame]
OUTCOME = ["participant_key", "domain", "outcome_no"]


@dataclass(frozen=True)
class FrameContext:
    programme: ProgrammeSettings

    @property
    def definition(self) -> ProgrammeDefinition:
        return self.programme.definition


def raw_participants(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("raw.participants").with_columns(
        pl.len().over("cohort").alias("cohort_size"),
        _stated(context.programme.cohort_sizes, "cohort").alias("expected_cohort_size"),
    )


def raw_success_markers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    """One row per marker, then one row per roster cohort with no marker at all (located
    on the cohort's first roster row, `markers_in_cohort` 0): the rule "every cohort has
    markers" needs a row for what is absent."""
    definition = context.definition
    roster = read("raw.participants")
    frame = _outcome_levels(read("raw.success_markers"), definition).with_columns(
        _in_roster(roster),
        pl.col("domain").replace(labels_of(definition.domains)).alias("domain_label"),
        pl.col("level").replace(labels_of(definition.markers.levels)).alias("level_label"),
    )
    frame = frame.join(
        roster.select("participant_key", "cohort"),
        on="participant_key",
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.when(pl.col("cohort").is_not_null())
        .then(pl.len().over("cohort"))
        .alias("markers_in_cohort")
    )
    without_markers = (
        roster.filter(pl.col("cohort").is_first_distinct())
        .join(frame.select("cohort").unique(), on="cohort", how="anti", maintain_order="left")
        .select(
            "cohort",
            "source_file",
            "source_sheet",
            "source_row",
            pl.lit(0, dtype=pl.UInt32).alias("markers_in_cohort"),
        )
    )
    return pl.concat([frame, without_markers], how="diagonal_relaxed")


def _outcome_levels(markers: pl.DataFrame, definition: ProgrammeDefinition) -> pl.DataFrame:
    """`level_repeats` (markers of the row's level in its outcome), `levels_in_outcome`
    and `missing_levels` (`'Realistic' and no 'Ambitious'`), from the definition's levels."""
    levels = definition.markers.levels
    # An unknown domain or level is reported as such; counting levels around it would
    # only add confusing "missing level" reports for the same mistake.
    known_domain = pl.col("domain").is_in([domain.id for domain in definition.domains])
    known_level = pl.col("level").is_in([level.id for level in levels])
    unknown = ~known_domain.fill_null(False) | (~known_level.fill_null(False)).any().over(OUTCOME)
    missing = pl.concat_str(
        [
            pl.when((pl.col("level") == level.id).any().over(OUTCOME))
            .then(None)
            .otherwise(pl.lit(f"'{level.label}'"))
            for level in levels
        ],
        separator=" and no ",
        ignore_nulls=True,
    )
    return markers.with_columns(
        pl.when(unknown)
        .then(None)
        .otherwise(pl.len().over([*OUTCOME, "level"]))
        .alias("level_repeats"),
        pl.when(unknown)
        .then(None)
        .otherwise(pl.col("level").n_unique().over(OUTCOME))
        .alias("levels_in_outcome"),
        missing.alias("missing_levels"),
    )


def raw_success_marker_statuses(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    markers = context.definition.markers
    return read("raw.success_marker_statuses").with_columns(
        pl.col("status").replace(labels_of(markers.statuses)).alias("status_label"),
    )


def raw_unanticipated_outcomes(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("raw.unanticipated_outcomes").with_columns(_in_roster(read("raw.participants")))


def raw_survey_codebook(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("raw.survey_codebook")


def raw_survey_responses(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    cohorts = read("raw.participants")["cohort"].unique()
    return read("raw.survey_responses").with_columns(
        pl.col("cohort").is_in(cohorts.implode()).alias("cohort_in_roster"),
        pl.col("response_id").n_unique().over("cohort").alias("respondents_in_cohort"),
        _stated(context.programme.survey_respondents, "cohort").alias("expected_respondents"),
    )


def raw_survey_exclusions(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    """Nothing derived: a file's count above zero is reported (a warning), so that the
    run's report says how many turned-down submissions were left out, file by file."""
    return read("raw.survey_exclusions")


def raw_survey_answers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    """`answer_fits_scale`: the answer is one of its item's scale's categories or an
    excluded one. Null (not checked) when the answer is blank (skipped), unknown to every
    scale (its own rule) or the item's scale is unknown (the codebook's rule)."""
    definition = context.definition
    items = read("raw.survey_codebook").select("item_id", pl.col("scale").alias("item_scale"))
    scales = scale_answers(definition).rename({"scale": "item_scale"})
    answer_labels = {
        category.id: category.label
        for scale in definition.survey.scales
        for category in (*scale.categories, *definition.survey.excluded)
    }
    known = pl.col("answer").is_in(list(answer_labels))
    return (
        read("raw.survey_answers")
        .join(items, on="item_id", how="left", maintain_order="left")
        .join(scales, on="item_scale", how="left", maintain_order="left")
        .with_columns(
            pl.when(known & pl.col("scale_answer_ids").is_not_null())
            .then(pl.col("scale_answer_ids").list.contains(pl.col("answer")))
            .alias("answer_fits_scale"),
            pl.col("answer").replace(answer_labels).alias("answer_label"),
        )
        .drop("scale_answer_ids")
    )


def fct_success_markers(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("marts.fct_success_markers").with_columns(
        pl.col("cohort").n_unique().over("participant_key").alias("cohorts_of_participant"),
        pl.col("level").n_unique().over(OUTCOME).alias("levels_in_outcome"),
        # A marker is achieved when an achieved status is recorded at some review.
        (pl.col("is_achieved") == pl.col("first_achieved_review").is_not_null()).alias(
            "achieved_at_a_review"
        ),
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
    # Every kept response answers, skips or excludes each item exactly once.
    return read("marts.mart_survey_item_rates").with_columns(
        (pl.col("valid_n") + pl.col("excluded_n") + pl.col("skipped_n")).alias("answers_n")
    )


def mart_survey_section_rates(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    return read("marts.mart_survey_section_rates")


def mart_marker_level_patterns(read: ReadTable, context: FrameContext) -> pl.DataFrame:
    """One row per cohort and domain where participants achieved a higher level but not a
    lower one: how many, and their patterns in the definition's words (`3 achieved
    'Realistic' and 'Very ambitious', not 'Ambitious'`). Counts only, never a participant:
    the report is read by more people than the warehouse."""
    definition = context.definition
    level_labels = {level.id: f"'{level.label}'" for level in definition.markers.levels}
    domain_order = {domain.id: order for order, domain in enumerate(definition.domains)}

    def in_words(column: str) -> pl.Expr:
        return (
            pl.col(column)
            .str.split(", ")
            .list.eval(pl.element().replace(level_labels))
            .list.join(" and ")
        )

    patterns = read("marts.mart_marker_level_patterns")
    return (
        patterns.with_columns(
            pl.col("domain").replace_strict(domain_order, default=None).alias("domain_order"),
            pl.format(
                "{} achieved {}, not {}",
                "participants_n",
                in_words("achieved_levels"),
                in_words("missed_levels"),
            ).alias("pattern"),
        )
        .sort("cohort_number", "domain_order", "highest_level_order", "achieved_levels")
        .group_by("cohort_number", "domain_order", "domain", maintain_order=True)
        .agg(
            pl.col("cohort").first(),
            pl.col("participants_n").sum(),
            pl.col("pattern").str.join("; ").alias("patterns"),
        )
        .with_columns(pl.col("domain").replace(labels_of(definition.domains)).alias("domain_label"))
        .drop("cohort_number", "domain_order")
    )


PREPARERS: dict[str, Callable[[ReadTable, FrameContext], pl.DataFrame]] = {
    name: function
    for name, function in globals().items()
    if name.startswith(("raw_", "fct_", "mart_")) and callable(function)
}


def _in_roster(roster: pl.DataFrame) -> pl.Expr:
    return pl.col("participant_key").is_in(roster["participant_key"].implode()).alias("in_roster")


def _stated(stated: dict[int, int], column: str) -> pl.Expr:
    if not stated:
        return pl.lit(None, dtype=pl.Int64)
    return pl.col(column).replace_strict(stated, default=None, return_dtype=pl.Int64)
