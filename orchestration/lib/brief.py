"""The brief's tables, computed from the marts' counts, and their Markdown rendering.

Percentages are computed here from numerators and denominators as exact fractions and
rounded half up only now, at publication, as the contract requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.rounding import mean_rate, percent_half_up, rate

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


def success_markers_by_domain(domain_rates: pl.DataFrame) -> pl.DataFrame:
    """Wide table: one row per cohort then `all`; `<domain>_achieved` and `<domain>_pct`."""
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
            row[f"{domain}_achieved"] = achieved
            row[f"{domain}_pct"] = percent_half_up(rate(achieved, total))
        rows.append(row)
    return pl.DataFrame(rows)


def survey_items(item_rates: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for item in item_rates.sort("item_order").iter_rows(named=True):
        row = {
            "item_id": item["item_id"],
            "section": item["section"],
            "statement": item["statement"],
            "valid_n": item["valid_n"],
            "top2_n": item["top2_n"],
            "top2_pct": _pct_or_none(item["top2_n"], item["valid_n"]),
        }
        for scale, answers in SCALE_ANSWERS.items():
            for answer in answers:
                # A category of the other scale is not zero answers; it is not a category.
                row[f"{answer}_n"] = item[f"{answer}_n"] if item["scale"] == scale else None
        for answer in OTHER_ANSWERS:
            row[f"{answer}_n"] = item[f"{answer}_n"]
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def survey_sections(item_rates: pl.DataFrame, section_rates: pl.DataFrame) -> pl.DataFrame:
    """The brief's "average": the mean of the section's item rates, from exact fractions."""
    rows = []
    for section in section_rates.sort("section_order").iter_rows(named=True):
        items = item_rates.filter(
            (pl.col("section") == section["section"]) & (pl.col("valid_n") > 0)
        )
        rates = [rate(top2, valid) for top2, valid in items.select("top2_n", "valid_n").iter_rows()]
        rows.append(
            {
                "section": section["section"],
                "items": section["items"],
                "respondents": section["respondents"],
                "top2_pct": percent_half_up(mean_rate(rates)) if rates else None,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def render_markdown(tables: BriefTables) -> str:
    lines = ["# IDREAM evidence brief: key findings", "", "## 1. Success markers", ""]
    lines += _success_marker_markdown(tables.success_markers)
    lines += ["", "## 2. End-of-cohort survey", ""]
    lines += _survey_markdown(tables)
    return "\n".join(lines) + "\n"


def number_word(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def _success_marker_markdown(table: pl.DataFrame) -> list[str]:
    cohort_rows = table.filter(pl.col("cohort") != "all")
    total = table.filter(pl.col("cohort") == "all").row(0, named=True)
    lines = [
        f"Across the {number_word(cohort_rows.height)} cohorts, "
        f"{total['any_domain_pct']}% of participants (N={total['participants']} individuals "
        "and organizations) achieved at least one success marker.",
        "",
        "% of participants who achieved 1+ success marker per domain:",
        "",
        "| | " + " | ".join(DOMAIN_TITLES[d] for d in DOMAINS) + " |",
        "|---|" + "---:|" * len(DOMAINS),
    ]
    for row in cohort_rows.iter_rows(named=True):
        noun = {"individual": "individuals", "organization": "organizations"}.get(
            row["participant_type"], "participants"
        )
        label = f"Cohort {row['cohort']} (N={row['participants']} {noun})"
        lines.append(_markdown_row(label, row))
    lines.append(_markdown_row(f"Across all {number_word(cohort_rows.height)} cohorts", total))
    return lines


def _markdown_row(label: str, row: dict) -> str:
    return f"| {label} | " + " | ".join(f"{row[f'{d}_pct']}%" for d in DOMAINS) + " |"


def _survey_markdown(tables: BriefTables) -> list[str]:
    cohorts = [str(c) for c in tables.surveyed_cohorts]
    listed = (
        ", ".join(cohorts[:-1]) + (", and " if len(cohorts) > 2 else " and ") + cohorts[-1]
        if len(cohorts) > 1
        else "".join(cohorts)
    )
    lines = [
        f"Across Cohort{'s' if len(cohorts) > 1 else ''} {listed}, {tables.respondents} "
        "respondents completed the anonymous end-of-cohort survey.",
        "",
    ]
    for section in tables.survey_sections.iter_rows(named=True):
        things, answered = SECTION_WORDING[section["section"]]
        pct = "n/a" if section["top2_pct"] is None else f"{section['top2_pct']}%"
        lines.append(
            f"- Across {section['items']} {things}, an average of {pct} of respondents {answered}."
        )
    lines += [
        "",
        "| Item | Section | Statement | Valid n | Top-2 n | Top-2 % |",
        "|---|---|---|---:|---:|---:|",
    ]
    for item in tables.survey_items.iter_rows(named=True):
        pct = "n/a" if item["top2_pct"] is None else f"{item['top2_pct']}%"
        lines.append(
            f"| {item['item_id']} | {item['section']} | {item['statement']} | "
            f"{item['valid_n']} | {item['top2_n']} | {pct} |"
        )
    return lines


def _pct_or_none(numerator: int, denominator: int) -> int | None:
    return percent_half_up(rate(numerator, denominator)) if denominator else None
