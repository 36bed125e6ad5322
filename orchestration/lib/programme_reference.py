"""The programme definition as tables, for the `reference` schema: what dbt reads as
sources for the codes, orders and labels the raw tables and the marts use.

Pure: the definition in, Polars frames out (landed by the `reference` assets).
"""

from __future__ import annotations

import dataclasses
import hashlib

import polars as pl

from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.programme_seeds import answer_category_rows, label_dictionary_rows

REFERENCE_SCHEMA = "reference"
_ORDER = pl.Int32


def definition_digest(definition: ProgrammeDefinition, identity: bool = False) -> str:
    """Stands for the definition in a fingerprint: the codes ingest maps labels to, and
    the reference tables, change when it does. A frozen dataclass's repr holds every field.
    The programme's id and name (`identity`) change no raw table: only the reference
    tables' fingerprint includes them, so a folder renamed (the id defaults to its name)
    re-reads no workbook."""
    if not identity:
        definition = dataclasses.replace(definition, id="", name="")
    return hashlib.sha256(repr(definition).encode("utf-8")).hexdigest()


def reference_tables(definition: ProgrammeDefinition) -> dict[str, pl.DataFrame]:
    markers, survey = definition.markers, definition.survey
    achieved = {category.id for category in markers.achieved}
    return {
        "programme": pl.DataFrame(
            {"programme_id": [definition.id], "programme_name": [definition.name]}
        ),
        "participant_types": _ordered(
            definition.participant_types, "participant_type", ("plural",), "type_order"
        ),
        "domains": _ordered(definition.domains, "domain"),
        "marker_levels": _ordered(markers.levels, "level"),
        "marker_reviews": _ordered(markers.reviews, "review"),
        "marker_statuses": pl.DataFrame(
            {
                "status": [status.id for status in markers.statuses],
                "label": [status.label for status in markers.statuses],
                "is_achieved": [status.id in achieved for status in markers.statuses],
            },
            schema_overrides={"is_achieved": pl.Boolean},
        ),
        "survey_scales": pl.DataFrame(
            {
                "scale": [scale.id for scale in survey.scales],
                "categories": [len(scale.categories) for scale in survey.scales],
                "top_box": [scale.top for scale in survey.scales],
            },
            schema_overrides={"categories": pl.Int32, "top_box": pl.Int32},
        ),
        "survey_answer_categories": _answer_categories(definition),
        "survey_sections": _ordered(survey.sections, "section", ("phrase",)),
        "label_dictionary": pl.DataFrame(
            [tuple(row) for row in label_dictionary_rows(definition)],
            schema={"field": pl.String, "label_key": pl.String, "value": pl.String},
            orient="row",
        ),
    }


def _orders(entries) -> list[int]:
    """1 for the first (the lowest level, the first review, the brief's first column)."""
    return list(range(1, len(entries) + 1))


def _ordered(
    entries, name: str, extra: tuple[str, ...] = (), order: str | None = None
) -> pl.DataFrame:
    """Entries of the definition in its order: `<name>` (the id), `label`, the `extra`
    attributes, and `<name>_order` (or `order`)."""
    order = order or f"{name}_order"
    return pl.DataFrame(
        {
            name: [entry.id for entry in entries],
            "label": [entry.label for entry in entries],
            **{attribute: [getattr(entry, attribute) for entry in entries] for attribute in extra},
            order: _orders(entries),
        },
        schema_overrides={order: _ORDER},
    )


def _answer_categories(definition: ProgrammeDefinition) -> pl.DataFrame:
    rows = answer_category_rows(definition)
    return pl.DataFrame(
        [tuple(row) for row in rows],
        schema={
            "answer": pl.String,
            "answer_label": pl.String,
            "scale": pl.String,
            "scale_position": pl.Int32,
            "is_valid": pl.Boolean,
            "is_top_box": pl.Boolean,
        },
        orient="row",
    )
