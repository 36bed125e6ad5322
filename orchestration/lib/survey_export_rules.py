"""What a survey export is read against: the codebook's items and the programme
definition's `[survey]` settings, as plain values, with IDREAM's v1 definition as the
default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from orchestration.lib.programme_definition import (
    Category,
    ProgrammeDefinition,
    idream_definition,
    label_match_key,
)


@dataclass(frozen=True)
class SurveyRules:
    """What reading an export needs from the programme definition's `[survey]`: each
    scale's categories (lowest to highest), the excluded categories, the cohort column,
    and the review states to exclude. The default is IDREAM's v1 definition."""

    scales: Mapping[str, Sequence[Category]]
    excluded: Sequence[Category]
    cohort_column: str
    exclude_review_states: Sequence[str]

    @classmethod
    def of(cls, definition: ProgrammeDefinition | None = None) -> SurveyRules:
        survey = (definition or idream_definition()).survey
        return cls(
            scales={scale.id: scale.categories for scale in survey.scales},
            excluded=survey.excluded,
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


def answer_codes(items: Sequence[CodebookItem], rules: SurveyRules) -> dict[str, dict[str, str]]:
    """item_id -> (label rule key of every spelling the definition accepts -> the id of its
    category): the item's scale's categories, and the excluded ones, which every scale
    takes (IDREAM's `N/A` is `not_applicable`)."""
    scales = {label_match_key(scale): categories for scale, categories in rules.scales.items()}
    excluded = _codes(rules.excluded)
    found = {}
    for item in items:
        categories = scales.get(label_match_key(item.scale))
        if categories is None:
            raise ValueError(f"item '{item.item_id}': scale '{item.scale}' is not defined")
        found[item.item_id] = _codes(categories) | excluded
    return found


def not_a_label(raw: str, item: CodebookItem, rules: SurveyRules) -> str:
    scale = next(s for s in rules.scales if label_match_key(s) == label_match_key(item.scale))
    allowed = ", ".join(
        spelling
        for category in (*rules.scales[scale], *rules.excluded)
        for spelling in category.spellings
    )
    return f"answer '{raw}' to item '{item.item_id}' is not a label of scale '{scale}' ({allowed})"


def _codes(categories: Sequence[Category]) -> dict[str, str]:
    return {
        label_match_key(spelling): category.id
        for category in categories
        for spelling in category.spellings
    }
