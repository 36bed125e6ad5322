"""How the brief words a cell and its sentences: shared by every renderer, so the HTML, the
workbook and the Markdown can never disagree on what a rate reads like."""

from __future__ import annotations

import polars as pl

from orchestration.lib.brief import ANY_DOMAIN, TOP_BOX, BriefTables
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.report.wording import (
    across,
    answered,
    listed,
    number_word,
    participant_noun,
    participants_present,
    scales_by_id,
)
from orchestration.lib.suppression import SUPPRESSED

# An en dash between the bounds, as typeset ranges are; "72.2-100.0" reads as a subtraction.
RANGE_DASH = "\u2013"
# A section whose items are on several scales: no one scale's words fit it.
ANSWERED_ANY_SCALE = "gave an answer in the top box of the item's scale"


def cohort_label(row: dict, cohorts: int, definition: ProgrammeDefinition) -> str:
    if row["cohort"] == "all":
        return across(cohorts, "cohort", "cohorts")
    noun = participant_noun(definition, row["participant_type"], row["participants"])
    return f"Cohort {row['cohort']} (N={row['participants']} {noun})"


def pct_text(row: dict, stem: str) -> str:
    if row.get(f"{stem}_suppressed"):
        return SUPPRESSED
    pct = row[f"{stem}_pct"]
    return "n/a" if pct is None else f"{pct}%"


def count_text(row: dict, stem: str, count: str, denominator: str) -> str:
    if row.get(f"{stem}_suppressed"):
        return SUPPRESSED
    return f"{row[f'{stem}_{count}']}/{row[denominator]}"


def ci_text(row: dict, stem: str) -> str:
    if row.get(f"{stem}_suppressed"):
        return SUPPRESSED
    low, high = row[f"{stem}_ci_low"], row[f"{stem}_ci_high"]
    return "n/a" if low is None else f"{low:.1f}{RANGE_DASH}{high:.1f}"


def success_sentence(tables: BriefTables) -> str:
    """The brief's headline, from the success-marker table (its "all" row last)."""
    table = tables.success_markers
    cohorts = table.height - 1
    total = table.row(cohorts, named=True)
    nouns = participants_present(tables.definition, tables.participant_types)
    who = f"participants (N={total['participants']} {nouns})"
    the_cohorts = "the one cohort" if cohorts == 1 else f"the {number_word(cohorts)} cohorts"
    if total[f"{ANY_DOMAIN}_suppressed"]:
        return (
            f"Across {the_cohorts}, the share of {who} who achieved at "
            "least one success marker is withheld to protect small groups (see Methods)."
        )
    return (
        f"Across {the_cohorts}, {pct_text(total, ANY_DOMAIN)} of {who} "
        "achieved at least one success marker."
    )


def survey_sentence(surveyed_cohorts: list, respondents: int) -> str:
    cohorts = [str(c) for c in surveyed_cohorts]
    return (
        f"Across Cohort{'s' if len(cohorts) > 1 else ''} {listed(cohorts)}, {respondents} "
        "respondents completed the anonymous end-of-cohort survey."
    )


def section_sentence(section: dict, things: str, answered_wording: str) -> str:
    """For example: Across 10 security-related tasks, an average of 88% of respondents ...;
    `things` is the section's phrase, `answered_wording` its scale's top-box wording."""
    if section[f"{TOP_BOX}_suppressed"]:
        return (
            f"Across {section['items']} {things}, the average is withheld to protect small "
            "groups (see Methods)."
        )
    if section[f"{TOP_BOX}_pct"] is None:
        return f"Across {section['items']} {things}, no item has a valid answer."
    return (
        f"Across {section['items']} {things}, an average of {pct_text(section, TOP_BOX)} of "
        f"respondents {answered_wording}."
    )


def section_sentences(tables: BriefTables) -> list[str]:
    """One sentence per section of the survey, in the brief's order, worded by the scale of
    the section's items."""
    phrases = {section.id: section.phrase for section in tables.definition.survey.sections}
    scales = scales_by_id(tables.definition)
    items = tables.survey_items
    sentences = []
    for section in tables.survey_sections.iter_rows(named=True):
        used = items.filter(pl.col("section") == section["section"])["scale"].unique().to_list()
        wording = answered(scales[used[0]]) if len(used) == 1 else ANSWERED_ANY_SCALE
        sentences.append(section_sentence(section, phrases[section["section"]], wording))
    return sentences
