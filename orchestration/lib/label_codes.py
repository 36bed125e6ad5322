"""Step 5 of ingest: labels become the programme definition's codes.

Labels are mapped to codes once, here, through the definition: `Psychosocial Resilience`,
` resilience ` and `Resilience` all land as `resilience`. Labels are compared by the
contract's label rule (`label_match_key`), through the same spellings the reference
table `label_dictionary` lists (`programme_seeds.label_dictionary_rows`). A label the
definition does not list is a problem that names the labels it does.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.columns import map_distinct
from orchestration.lib.programme_definition import ProgrammeDefinition, label_match_key
from orchestration.lib.programme_seeds import label_dictionary_rows
from orchestration.lib.stacked import FileProblems, row_problems
from orchestration.lib.text import one_of


@dataclass(frozen=True)
class Labels:
    """One field's labels: the code of every spelling the definition accepts (keyed by
    the label rule), and the labels as a person is told them."""

    noun: str  # "domain", "participant type"
    codes: dict[str, str]
    labels: tuple[str, ...]  # as the definition writes them, in its order
    others: tuple[str, ...] = ()  # other accepted spellings (aliases, plurals)

    def code(self, raw: str) -> str | None:
        return self.codes.get(label_match_key(raw))

    def expected(self) -> str:
        said = f"expected {one_of(self.labels)}"
        return f"{said} (also accepted: {', '.join(self.others)})" if self.others else said


def definition_labels(definition: ProgrammeDefinition) -> dict[str, Labels]:
    """The labels of each field the raw sheets hold: participant_type, domain, level,
    status, review, section, scale."""
    codes: dict[str, dict[str, str]] = {}
    for row in label_dictionary_rows(definition):
        codes.setdefault(row.field, {})[row.label_key] = row.value
    markers, survey = definition.markers, definition.survey
    entries = {
        "participant_type": ("participant type", definition.participant_types),
        "domain": ("domain", definition.domains),
        "level": ("level", markers.levels),
        "status": ("status", markers.statuses),
        "review": ("review", markers.reviews),
        "section": ("section", survey.sections),
    }
    found = {
        field: _labels(noun, codes[field], [e.label for e in items], [e.spellings for e in items])
        for field, (noun, items) in entries.items()
    }
    # A scale is named by its id only.
    scale_ids = [scale.id for scale in survey.scales]
    found["scale"] = _labels("scale", codes["scale"], scale_ids, [(i,) for i in scale_ids])
    return found


def _labels(noun: str, codes: dict[str, str], labels: list[str], spellings) -> Labels:
    said = {label_match_key(label) for label in labels}
    others = []
    for spelling in (spelling for group in spellings for spelling in group):
        if label_match_key(spelling) not in said:
            said.add(label_match_key(spelling))
            others.append(spelling)
    return Labels(noun, codes, tuple(labels), tuple(others))


def to_codes(
    frame: pl.DataFrame,
    column: str,
    labels: Labels,
    problems: FileProblems,
    required: bool = True,
) -> pl.DataFrame:
    """`column`'s labels replaced by their codes; an unknown label, or a blank one when
    `required`, is a problem of its row. `frame` carries lineage columns."""
    codes = map_distinct(frame[column], labels.code, pl.String)
    checked = frame.with_columns(codes.alias("__code"))
    problems.add(
        row_problems(
            checked,
            pl.col(column).is_not_null() & pl.col("__code").is_null(),
            column,
            lambda raw: f"unknown {labels.noun} '{raw}': {labels.expected()}",
        )
    )
    if required:
        problems.add(
            row_problems(
                checked,
                pl.col(column).is_null(),
                column,
                lambda _: f"{column} is blank: {labels.expected()}",
            )
        )
    return checked.with_columns(pl.col("__code").alias(column)).drop("__code")
