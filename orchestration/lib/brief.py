"""The brief's tables, computed from the marts' counts, and their Markdown rendering.

Percentages are computed here from numerators and denominators as exact fractions and
rounded half up only now, at publication, as the contract requires. Every rate carries its
count, its percentage and its 95% Wilson interval (`<x>_ci_low`, `<x>_ci_high`, in percent),
and a `<x>_suppressed` flag: a suppressed cell holds nulls for all of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Set
from dataclasses import dataclass

import polars as pl

from orchestration.lib.intervals import wilson_percent
from orchestration.lib.rounding import mean_rate, percent_half_up, rate
from orchestration.lib.suppression import DEFAULT_MIN_CELL_SIZE, Group

DOMAINS = ("resilience", "advocacy", "integrated_security", "any_domain")
DOMAIN_TITLES = {
    "resilience": "Resilience",
    "advocacy": "Advocacy",
    "integrated_security": "Integrated Security",
    "any_domain": "Across all three domains",
}
SCALE_ANSWERS = {
    "confidence": (
        "much_less_confident",
        "less_confident",
        "about_the_same",
        "more_confident",
        "much_more_confident",
    ),
    "agreement": (
        "strongly_disagree",
        "disagree",
        "neither_agree_nor_disagree",
        "agree",
        "strongly_agree",
    ),
}
OTHER_ANSWERS = ("not_applicable", "dont_know", "skipped")
SECTION_WORDING = {
    "security": (
        "security-related tasks",
        "rated themselves “more confident” or “much more confident”",
    ),
    "advocacy": (
        "advocacy-related strategies",
        "rated themselves “more confident” or “much more confident”",
    ),
    "connection": (
        "items about building connection with other IDREAM participants",
        "“agreed” or “strongly agreed”",
    ),
}
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


@dataclass(frozen=True)
class BriefTables:
    success_markers: pl.DataFrame
    survey_sections: pl.DataFrame
    survey_items: pl.DataFrame
    respondents: int
    surveyed_cohorts: list[int]
    # The smallest denominator published (the disclosure policy's k).
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE


def suppressed_cells(table: pl.DataFrame) -> dict[str, list[str]]:
    """`<x>_suppressed` flag -> the columns it withholds, for any of the three tables."""
    flags = [c for c in table.columns if c.endswith("_suppressed")]
    withheld = {}
    for flag in flags:
        stem = flag.removesuffix("_suppressed")
        cells = [f"{stem}_{part}" for part in ("achieved", "n", "pct", "ci_low", "ci_high")]
        if stem == "top2" and "valid_n" in table.columns:
            # An item's answer counts would give its top-2 count away.
            cells += [c for c in table.columns if c.endswith("_n") and c != "valid_n"]
        withheld[flag] = [c for c in table.columns if c in cells]
    return withheld


def success_marker_counts(domain_rates: pl.DataFrame) -> dict[Hashable, tuple[int, int]]:
    """(cohort, domain) -> (achieved, participants): the cells the disclosure policy sees."""
    return {
        (cohort, domain): (achieved, participants)
        for cohort, domain, achieved, participants in domain_rates.select(
            "cohort", "domain", "achieved_n", "participants"
        ).iter_rows()
    }


def success_marker_groups(
    domain_rates: pl.DataFrame,
) -> tuple[list[Group], list[list[Hashable]]]:
    """The disclosure structure of the success-marker table: per domain, the cohorts' cells
    add up to the "all" cell; and each row's cells are withheld together (a cohort's
    "any domain" count bounds its domain counts, so a half-published row gives cells away)."""
    cohorts = sorted({c for c in domain_rates["cohort"] if c != "all"})
    groups = [
        Group(cells=tuple((cohort, domain) for cohort in cohorts), total=("all", domain))
        for domain in DOMAINS
    ]
    rows = [[(cohort, domain) for domain in DOMAINS] for cohort in cohorts]
    return groups, rows


def survey_item_counts(item_rates: pl.DataFrame) -> dict[Hashable, tuple[int, int]]:
    return {
        item_id: (top2, valid)
        for item_id, top2, valid in item_rates.select("item_id", "top2_n", "valid_n").iter_rows()
    }


def success_markers_by_domain(
    domain_rates: pl.DataFrame, suppressed: Set[Hashable] = frozenset()
) -> pl.DataFrame:
    """Wide table: one row per cohort then `all`; per domain `<domain>_achieved`, `_pct`,
    `_ci_low`, `_ci_high` and `_suppressed`. `suppressed` holds (cohort, domain) keys."""
    rows = []
    cohorts = (
        domain_rates.select("cohort", "cohort_number", "participant_type")
        .unique()
        .sort("cohort_number", nulls_last=True)
    )
    for cohort, _, participant_type in cohorts.iter_rows():
        cells = domain_rates.filter(pl.col("cohort") == cohort)
        by_domain = {
            domain: (achieved, total)
            for domain, achieved, total in cells.select(
                "domain", "achieved_n", "participants"
            ).iter_rows()
        }
        participants = {total for _, total in by_domain.values()}
        if len(participants) != 1:
            raise ValueError(f"cohort {cohort} has different denominators across domains")
        row = {
            "cohort": cohort,
            "participant_type": participant_type,
            "participants": participants.pop(),
        }
        for domain in DOMAINS:
            achieved, total = by_domain[domain]
            row |= _rate_cells(domain, "achieved", achieved, total, (cohort, domain) in suppressed)
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def survey_items(item_rates: pl.DataFrame, suppressed: Set[Hashable] = frozenset()) -> pl.DataFrame:
    """One row per item; `suppressed` holds item ids."""
    rows = []
    for item in item_rates.sort("item_order").iter_rows(named=True):
        hidden = item["item_id"] in suppressed
        row = {
            "item_id": item["item_id"],
            "section": item["section"],
            "statement": item["statement"],
            "scale": item["scale"],
            "valid_n": item["valid_n"],
            **_rate_cells("top2", "n", item["top2_n"], item["valid_n"], hidden),
        }
        for scale, answers in SCALE_ANSWERS.items():
            for answer in answers:
                # A category of the other scale is not zero answers; it is not a category.
                on_scale = item["scale"] == scale and not hidden
                row[f"{answer}_n"] = item[f"{answer}_n"] if on_scale else None
        for answer in OTHER_ANSWERS:
            row[f"{answer}_n"] = None if hidden else item[f"{answer}_n"]
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def survey_sections(
    item_rates: pl.DataFrame,
    section_rates: pl.DataFrame,
    suppressed_items: Set[Hashable] = frozenset(),
    min_cell_size: int = 0,
) -> pl.DataFrame:
    """The brief's "average": the mean of the section's item rates, from exact fractions.
    Withheld when any of its items is, or when fewer than `min_cell_size` responded."""
    rows = []
    for section in section_rates.sort("section_order").iter_rows(named=True):
        in_section = item_rates.filter(pl.col("section") == section["section"])
        items = in_section.filter(pl.col("valid_n") > 0)
        rates = [rate(top2, valid) for top2, valid in items.select("top2_n", "valid_n").iter_rows()]
        hidden = section["respondents"] < min_cell_size or any(
            item_id in suppressed_items for item_id in in_section["item_id"]
        )
        rows.append(
            {
                "section": section["section"],
                "items": section["items"],
                "respondents": section["respondents"],
                "top2_pct": percent_half_up(mean_rate(rates)) if rates and not hidden else None,
                "top2_suppressed": hidden,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def _rate_cells(stem: str, count: str, numerator: int, denominator: int, hidden: bool) -> dict:
    """k, %, the 95% Wilson interval and the suppression flag of one rate; all null when
    the rate is suppressed, and all but k null when it has no denominator."""
    shown = not hidden and denominator > 0
    low, high = wilson_percent(numerator, denominator) if shown else (None, None)
    return {
        f"{stem}_{count}": None if hidden else numerator,
        f"{stem}_pct": percent_half_up(rate(numerator, denominator)) if shown else None,
        f"{stem}_ci_low": low,
        f"{stem}_ci_high": high,
        f"{stem}_suppressed": hidden,
    }
