"""The values the suites refer to as `$PARAMETER`, and the words their messages quote, both
built from the programme definition: a suite file never lists a domain, a level or an
answer, so one suite serves every programme.

Value sets are ids (`<field>_ids`), since ingest lands codes. Message words
(`expected_<field>s`) are the definition's labels, as the person who keeps the
spreadsheet writes them: a message template names one as `{expected_domains}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.text import one_of

ReadTable = Callable[[str], pl.DataFrame]


def suite_parameters(definition: ProgrammeDefinition, read: ReadTable) -> dict:
    """Every parameter a suite may name. `item_count` is the codebook's length, which the
    survey's marts are checked against."""
    return {
        **value_sets(definition),
        **message_words(definition),
        "level_count": len(definition.markers.levels),
        "item_count": read("raw.survey_codebook").height,
    }


def value_sets(definition: ProgrammeDefinition) -> dict[str, list[str]]:
    markers, survey = definition.markers, definition.survey
    return {
        "participant_type_ids": [entry.id for entry in definition.participant_types],
        "domain_ids": [entry.id for entry in definition.domains],
        "level_ids": [entry.id for entry in markers.levels],
        "review_ids": [entry.id for entry in markers.reviews],
        "status_ids": [entry.id for entry in markers.statuses],
        "section_ids": [entry.id for entry in survey.sections],
        "scale_ids": [scale.id for scale in survey.scales],
        # An id shared by two scales (`agree` on a 4- and a 5-point scale) is listed once.
        "answer_ids": list(
            dict.fromkeys(
                [
                    *(category.id for scale in survey.scales for category in scale.categories),
                    *(category.id for category in survey.excluded),
                ]
            )
        ),
    }


def message_words(definition: ProgrammeDefinition) -> dict[str, str]:
    """`Resilience, Advocacy or Integrated Security`: what a message says was expected."""
    markers, survey = definition.markers, definition.survey
    return {
        "expected_participant_types": one_of(t.label for t in definition.participant_types),
        "expected_domains": one_of(domain.label for domain in definition.domains),
        "expected_levels": one_of(level.label for level in markers.levels),
        "expected_reviews": one_of(review.label for review in markers.reviews),
        "expected_statuses": one_of(status.label for status in markers.statuses),
        "expected_sections": one_of(section.label for section in survey.sections),
        "expected_scales": one_of(scale.id for scale in survey.scales),
    }


def scale_answers(definition: ProgrammeDefinition) -> pl.DataFrame:
    """One row per scale: its answer ids (its categories and the excluded ones) and the
    words a message lists them with (`Agree, Disagree or Don't know`)."""
    excluded = definition.survey.excluded
    return pl.DataFrame(
        {
            "scale": [scale.id for scale in definition.survey.scales],
            "scale_answer_ids": [
                [category.id for category in (*scale.categories, *excluded)]
                for scale in definition.survey.scales
            ],
            "expected_answers": [
                one_of(category.label for category in (*scale.categories, *excluded))
                for scale in definition.survey.scales
            ],
        },
        schema={
            "scale": pl.String,
            "scale_answer_ids": pl.List(pl.String),
            "expected_answers": pl.String,
        },
    )


def labels_of(entries: Iterable) -> dict[str, str]:
    """id -> label, for messages that name a value as the spreadsheet writes it."""
    return {entry.id: entry.label for entry in entries}
