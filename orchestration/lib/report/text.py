"""How the brief words a cell: shared by every renderer, so the HTML, the workbook and the
Markdown can never disagree on what a rate reads like."""

from __future__ import annotations

from orchestration.lib.brief import NUMBER_WORDS
from orchestration.lib.suppression import SUPPRESSED

# An en dash between the bounds, as typeset ranges are; "72.2-100.0" reads as a subtraction.
RANGE_DASH = "\u2013"

NOUNS = {"individual": "individuals", "organization": "organizations"}


def number_word(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def cohort_label(row: dict, cohorts: int) -> str:
    if row["cohort"] == "all":
        return f"Across all {number_word(cohorts)} cohorts"
    noun = NOUNS.get(row["participant_type"], "participants")
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


def listed(values: list[str]) -> str:
    """["2", "3", "4"] -> "2, 3, and 4"; two values are joined by "and"."""
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + (", and " if len(values) > 2 else " and ") + values[-1]


def success_sentence(table) -> str:
    """The brief's headline; `table` is the success-marker table, its "all" row last."""
    cohorts = table.height - 1
    total = table.row(cohorts, named=True)
    who = f"participants (N={total['participants']} individuals and organizations)"
    if total["any_domain_suppressed"]:
        return (
            f"Across the {number_word(cohorts)} cohorts, the share of {who} who achieved at "
            "least one success marker is withheld to protect small groups (see Methods)."
        )
    return (
        f"Across the {number_word(cohorts)} cohorts, {pct_text(total, 'any_domain')} of {who} "
        "achieved at least one success marker."
    )


def survey_sentence(surveyed_cohorts: list, respondents: int) -> str:
    cohorts = [str(c) for c in surveyed_cohorts]
    return (
        f"Across Cohort{'s' if len(cohorts) > 1 else ''} {listed(cohorts)}, {respondents} "
        "respondents completed the anonymous end-of-cohort survey."
    )


def section_sentence(section: dict, things: str, answered: str) -> str:
    if section["top2_suppressed"]:
        return (
            f"Across {section['items']} {things}, the average is withheld to protect small "
            "groups (see Methods)."
        )
    return (
        f"Across {section['items']} {things}, an average of {pct_text(section, 'top2')} of "
        f"respondents {answered}."
    )
