"""What a survey export is read against: the codebook's items and the programme
definition's `[survey]` settings, as plain values, with IDREAM's v1 definition as the
default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from orchestration.lib.programme_definition import (
    ProgrammeDefinition,
    idream_definition,
    label_match_key,
)


@dataclass(frozen=True)
class SurveyRules:
    """What reading an export needs from the programme definition's `[survey]`: each
    scale's category labels (lowest to highest), the excluded labels, the cohort column,
    and the review states to exclude. The default is IDREAM's v1 definition."""

    scales: Mapping[str, Sequence[str]]
    excluded: Sequence[str]
    cohort_column: str
    exclude_review_states: Sequence[str]

    @classmethod
    def of(cls, definition: ProgrammeDefinition | None = None) -> SurveyRules:
        survey = (definition or idream_definition()).survey
        return cls(
            # Every spelling the definition accepts (IDREAM's `N/A` is `Not applicable`);
            # the label matching ones in the data is what the export's answer becomes.
            scales={
                scale.id: tuple(
                    spelling for category in scale.categories for spelling in category.spellings
                )
                for scale in survey.scales
            },
            excluded=tuple(
                spelling for category in survey.excluded for spelling in category.spellings
            ),
            cohort_column=survey.cohort_column,
            exclude_review_states=survey.exclude_review_states,
        )


@dataclass(frozen=True)
class CodebookItem:
    item_id: str
    statement: str
    scale: str


def codebook_items(codebook: pl.DataFrame) -> list[CodebookItem]:
    """The items of a codebook frame with item_id, statement and scale columns, in order."""
    return [CodebookItem(*row) for row in codebook.select("item_id", "statement", "scale").rows()]


def answer_labels(items: Sequence[CodebookItem], rules: SurveyRules) -> dict[str, dict[str, str]]:
    """item_id -> (label rule key -> the label as the definition writes it)."""
    scales = {label_match_key(scale): labels for scale, labels in rules.scales.items()}
    excluded = {label_match_key(label): label for label in rules.excluded}
    found = {}
    for item in items:
        labels = scales.get(label_match_key(item.scale))
        if labels is None:
            raise ValueError(f"item '{item.item_id}': scale '{item.scale}' is not defined")
        found[item.item_id] = {label_match_key(label): label for label in labels} | excluded
    return found


def not_a_label(raw: str, item: CodebookItem, rules: SurveyRules) -> str:
    scale = next(s for s in rules.scales if label_match_key(s) == label_match_key(item.scale))
    allowed = ", ".join([*rules.scales[scale], *rules.excluded])
    return f"answer '{raw}' to item '{item.item_id}' is not a label of scale '{scale}' ({allowed})"
