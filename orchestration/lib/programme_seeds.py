"""The reference rows dbt reads as seeds, generated from a programme definition: the label
dictionary (every spelling the contract accepts -> its code) and the survey's answer
categories. For IDREAM's default definition they are v1's hand-kept seed files, plus the
participant types' plurals, which the contract accepts and v1 did not."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from orchestration.lib.programme_definition import (
    ANY_SCALE,
    Category,
    ProgrammeDefinition,
    label_match_key,
)


class LabelRow(NamedTuple):
    """A row of `label_dictionary.csv`."""

    field: str  # participant_type, domain, level, status, review, section, scale, answer
    label_key: str
    value: str


class AnswerCategoryRow(NamedTuple):
    """A row of `survey_answer_categories.csv`."""

    answer: str
    answer_label: str
    scale: str  # a scale's id, or `any` for the excluded answers
    scale_position: int | None  # 1 = lowest; None for the excluded answers
    is_valid: bool  # counts in an item's denominator
    # One of the scale's `top` highest categories; the name is v1's, when top was 2.
    is_top2: bool


def label_dictionary_rows(
    definition: ProgrammeDefinition, key: Callable[[str], str] = label_match_key
) -> list[LabelRow]:
    """One row per field and distinct key. `key` is the lookup key the consumers apply to
    raw labels: the contract's `label_match_key`, or, while dbt's `label_key` macro keeps
    v1's rule, `text.label_key`."""
    markers, survey = definition.markers, definition.survey
    spellings: dict[str, Iterable[tuple[str, str]]] = {
        "participant_type": _entries(definition.participant_types),
        "domain": _entries(definition.domains),
        "level": _categories(markers.levels),
        "status": _categories(markers.statuses),
        "review": _categories(markers.reviews),
        "section": _entries(survey.sections),
        "scale": ((scale.id, scale.id) for scale in survey.scales),
        "answer": _categories(
            [
                *(category for scale in survey.scales for category in scale.categories),
                *survey.excluded,
            ]
        ),
    }
    rows: dict[tuple[str, str], LabelRow] = {}
    for field, pairs in spellings.items():
        for spelling, value in pairs:
            row = LabelRow(field, key(spelling), value)
            first = rows.setdefault((field, row.label_key), row)
            if first != row:
                raise ValueError(f"{field} label {row.label_key!r} has two values: {first}, {row}")
    return list(rows.values())


def answer_category_rows(definition: ProgrammeDefinition) -> list[AnswerCategoryRow]:
    """Each scale's categories lowest to highest, then the excluded answers."""
    rows = [
        AnswerCategoryRow(
            category.id,
            category.label,
            scale.id,
            position,
            is_valid=True,
            is_top2=scale.is_top(position),
        )
        for scale in definition.survey.scales
        for position, category in enumerate(scale.categories, start=1)
    ]
    rows += [
        AnswerCategoryRow(category.id, category.label, ANY_SCALE, None, False, False)
        for category in definition.survey.excluded
    ]
    return rows


def seed_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A seed file's text as dbt reads it: `true`/`false`, a blank for None."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _entries(entries) -> Iterable[tuple[str, str]]:
    """Participant types, domains and sections: matched by id, label, and any alias."""
    for entry in entries:
        for spelling in entry.spellings:
            yield spelling, entry.id


def _categories(categories: Iterable[Category]) -> Iterable[tuple[str, str]]:
    """Levels, statuses, reviews, answers: matched by label or alias (a code such as
    `dont_know` is not a spelling; `don_t_know` is, through the label rule)."""
    for category in categories:
        for spelling in category.spellings:
            yield spelling, category.id
