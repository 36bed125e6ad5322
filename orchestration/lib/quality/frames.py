"""The level patterns' rows in the programme's words, put together in Polars from the
mart's few rows (one per cohort, domain and pattern); their suite's query is then made of
these rows (`relations.mart_marker_level_patterns`). Every other suite's rows are a SQL
query over the warehouse (`quality.relations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.quality.parameters import ReadTable, labels_of


@dataclass(frozen=True)
class FrameContext:
    programme: ProgrammeSettings

    @property
    def definition(self) -> ProgrammeDefinition:
        return self.programme.definition


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
