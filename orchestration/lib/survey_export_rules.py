"""What a survey export is read against: the codebook's items and the programme
definition's `[survey]` settings, as plain values (the definition module is separate),
with IDREAM's v1 definition as the default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from orchestration.lib.survey_export_headers import label_rule_key

# IDREAM's v1 definition: what a programme.toml without a [survey] table means.
IDREAM_SCALES: Mapping[str, tuple[str, ...]] = {
    "confidence": (
        "Much less confident",
        "Less confident",
        "About the same",
        "More confident",
        "Much more confident",
    ),
    "agreement": (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
}


@dataclass(frozen=True)
class SurveyRules:
    """What reading an export needs from the programme definition's `[survey]`."""

    scales: Mapping[str, Sequence[str]] = field(default_factory=lambda: dict(IDREAM_SCALES))
    excluded: Sequence[str] = ("Not applicable", "N/A", "Don't know")
    cohort_column: str = "cohort"
    exclude_review_states: Sequence[str] = ("rejected", "not approved")


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
    scales = {label_rule_key(scale): labels for scale, labels in rules.scales.items()}
    excluded = {label_rule_key(label): label for label in rules.excluded}
    found = {}
    for item in items:
        labels = scales.get(label_rule_key(item.scale))
        if labels is None:
            raise ValueError(f"item '{item.item_id}': scale '{item.scale}' is not defined")
        found[item.item_id] = {label_rule_key(label): label for label in labels} | excluded
    return found


def not_a_label(raw: str, item: CodebookItem, rules: SurveyRules) -> str:
    scale = next(s for s in rules.scales if label_rule_key(s) == label_rule_key(item.scale))
    allowed = ", ".join([*rules.scales[scale], *rules.excluded])
    return f"answer '{raw}' to item '{item.item_id}' is not a label of scale '{scale}' ({allowed})"
