"""The further analysis: six published tables beyond the brief's own, under one disclosure
policy with the headline table. `further_tables` builds the tables from the marts' counts
(numerators and denominators) in the programme definition's order; `further_disclosure`
decides which cells are withheld; `published` runs the two until no table withholds more
of the headline's figures than the headline does. The tables are checked by rebuilding
every table an attacker could from what is published
(tests/unit/test_published_suppression.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import polars as pl

from orchestration.lib.further_disclosure import (
    Withheld,
    by_type_withheld,
    headline_withheld,
    learned_from,
    marker_level_rates_withheld,
    marker_levels_withheld,
    marker_progress_withheld,
    survey_sections_withheld,
    unanticipated_withheld,
)
from orchestration.lib.further_tables import (  # noqa: F401 (the further analysis's names)
    ALL,
    ANY_DOMAIN,
    NONE,
    UNSPECIFIED,
    FurtherMarts,
    FurtherTables,
    levels,
    marker_level_rates,
    marker_levels,
    marker_progress,
    reviews,
    success_markers_by_type,
    survey_sections_by_cohort,
    unanticipated_domains,
    unanticipated_outcomes,
)
from orchestration.lib.programme_definition import ProgrammeDefinition


@dataclass(frozen=True)
class Published:
    """The outcome of the disclosure policy over the brief and the further analysis."""

    headline: frozenset[Hashable]  # (cohort, domain) cells of the success-marker table
    further: FurtherTables


def published(
    domain_rates: pl.DataFrame,
    marts: FurtherMarts,
    cohort_sizes: Mapping[str, int],
    definition: ProgrammeDefinition,
    k: int,
) -> Published:
    """The headline table's withheld cells and the further tables, one policy over both."""
    state, last = Withheld(), reviews(definition)[-1]
    while True:
        headline = headline_withheld(domain_rates, definition, k, state)
        learned = state | learned_from(headline, lambda key: key)
        hidden_levels = marker_levels_withheld(marts.marker_levels, definition, k, learned)
        learned |= learned_from(hidden_levels, lambda key: key[:2] if key[2] == NONE else None)
        hidden_progress = marker_progress_withheld(marts.marker_progress, definition, k, learned)
        learned |= learned_from(hidden_progress, lambda key: key[:2] if key[2] == last else None)
        hidden_types = by_type_withheld(
            marts.domain_rates_by_type, domain_rates, marts.roster, definition, k, learned
        )
        learned |= learned_from(
            hidden_types,
            lambda key: key[1:] if key[0] == "cohort" else (ALL, key[2]) if key[1] == ALL else None,
        )
        if learned == state:
            break
        state = learned
    further = FurtherTables(
        marker_levels=marker_levels(marts.marker_levels, definition, hidden_levels),
        marker_progress=marker_progress(marts.marker_progress, definition, hidden_progress),
        marker_level_rates=marker_level_rates(
            marts.marker_level_rates,
            definition,
            marker_level_rates_withheld(marts.marker_level_rates, definition, k, state),
        ),
        success_markers_by_type=success_markers_by_type(
            marts.domain_rates_by_type,
            definition,
            {key[1:] for key in hidden_types if key[0] == "type"},
        ),
        survey_sections_by_cohort=survey_sections_by_cohort(
            marts.survey_sections_by_cohort,
            marts.survey_item_counts_by_cohort,
            survey_sections_withheld(marts.survey_sections_by_cohort, k),
        ),
        unanticipated_outcomes=unanticipated_outcomes(
            marts.unanticipated_outcomes,
            definition,
            cohort_sizes,
            unanticipated_withheld(marts.unanticipated_outcomes, cohort_sizes, k, state),
        ),
    )
    return Published(headline=headline, further=further)
