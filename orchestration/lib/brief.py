"""The brief's tables, computed from the marts' counts, in the programme definition's order.

Percentages are computed here from numerators and denominators as exact fractions and
rounded half up only now, at publication, as the contract requires. Every rate carries its
count, its percentage and its 95% Wilson interval (`<x>_ci_low`, `<x>_ci_high`, in percent),
and a `<x>_suppressed` flag: a suppressed cell holds nulls for all of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from orchestration.lib.intervals import wilson_percent
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.rounding import mean_rate, percent_half_up, rate
from orchestration.lib.suppression import DEFAULT_MIN_CELL_SIZE, Group

if TYPE_CHECKING:
    from orchestration.lib.further import FurtherTables

# mart_domain_rates' "domain" of the share who achieved a marker in any domain.
ANY_DOMAIN = "any_domain"
# survey_items' `<answer>_n` of the items left blank.
SKIPPED = "skipped"
# The stem of an item's favourable share: `top_box_n`, `top_box_pct`, ...
TOP_BOX = "top_box"
# survey_items' own `_n` columns, which an answer's column must not collide with.
RESERVED_ANSWERS = ("valid", TOP_BOX)


def domains(definition: ProgrammeDefinition) -> tuple[str, ...]:
    """The success-marker table's domain columns: the definition's order, "any domain" last."""
    ids = tuple(domain.id for domain in definition.domains)
    if ANY_DOMAIN in ids:
        raise ValueError(
            f"a domain may not be called {ANY_DOMAIN!r}: the marts' name for any domain"
        )
    return (*ids, ANY_DOMAIN)


def scale_answers(definition: ProgrammeDefinition) -> dict[str, tuple[str, ...]]:
    """Scale id -> its categories' ids, lowest first."""
    return {
        scale.id: tuple(category.id for category in scale.categories)
        for scale in definition.survey.scales
    }


def answer_columns(definition: ProgrammeDefinition) -> tuple[str, ...]:
    """The `<answer>` of survey_items' `<answer>_n` columns, in order: every category of every
    scale (a category two scales share, once), every excluded answer, the skipped."""
    answers = [a for categories in scale_answers(definition).values() for a in categories]
    answers += [category.id for category in definition.survey.excluded]
    columns = (*dict.fromkeys(answers), SKIPPED)
    clashes = [a for a in columns if a in RESERVED_ANSWERS or columns.count(a) > 1]
    if clashes:
        raise ValueError(f"answer ids {clashes} clash with the survey table's own columns")
    return columns


@dataclass(frozen=True)
class BriefTables:
    success_markers: pl.DataFrame
    survey_sections: pl.DataFrame
    survey_items: pl.DataFrame
    respondents: int
    surveyed_cohorts: list[int]
    # Whose brief it is: its domains, scales, sections and words.
    definition: ProgrammeDefinition
    # The participant types on the roster (ids), for the headline's "N=40 individuals and
    # organizations".
    participant_types: tuple[str, ...]
    # The smallest denominator published (the disclosure policy's k).
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    # The "Further analysis" after the brief's own sections; None: not part of this brief.
    further: FurtherTables | None = None


def suppressed_cells(table: pl.DataFrame) -> dict[str, list[str]]:
    """`<x>_suppressed` flag -> the columns it withholds, for any of the three tables."""
    flags = [c for c in table.columns if c.endswith("_suppressed")]
    withheld = {}
    for flag in flags:
        stem = flag.removesuffix("_suppressed")
        cells = [f"{stem}_{part}" for part in ("achieved", "n", "pct", "ci_low", "ci_high")]
        if stem == TOP_BOX and "valid_n" in table.columns:
            # An item's answer counts would give its top-box count away.
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
    domain_rates: pl.DataFrame, definition: ProgrammeDefinition
) -> tuple[list[Group], list[list[Hashable]]]:
    """The disclosure structure of the success-marker table: per domain, the cohorts' cells
    add up to the "all" cell; and each row's cells are withheld together (a cohort's
    "any domain" count bounds its domain counts, so a half-published row gives cells away)."""
    cohorts = sorted({c for c in domain_rates["cohort"] if c != "all"})
    groups = [
        Group(cells=tuple((cohort, domain) for cohort in cohorts), total=("all", domain))
        for domain in domains(definition)
    ]
    rows = [[(cohort, domain) for domain in domains(definition)] for cohort in cohorts]
    return groups, rows


def survey_item_counts(item_rates: pl.DataFrame) -> dict[Hashable, tuple[int, int]]:
    return {
        item_id: (top_box, valid)
        for item_id, top_box, valid in item_rates.select(
            "item_id", "top_box_n", "valid_n"
        ).iter_rows()
    }


def success_markers_by_domain(
    domain_rates: pl.DataFrame,
    definition: ProgrammeDefinition,
    suppressed: Set[Hashable] = frozenset(),
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
        for domain in domains(definition):
            achieved, total = by_domain[domain]
            row |= rate_cells(domain, "achieved", achieved, total, (cohort, domain) in suppressed)
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def survey_items(
    item_rates: pl.DataFrame,
    answer_counts: pl.DataFrame,
    definition: ProgrammeDefinition,
    suppressed: Set[Hashable] = frozenset(),
) -> pl.DataFrame:
    """One row per item; `suppressed` holds item ids. `answer_counts` is
    mart_survey_answer_counts: per item, every category of its scale and every excluded
    answer, zero-filled."""
    counts = {
        (item_id, answer): n
        for item_id, answer, n in answer_counts.select("item_id", "answer", "answers_n").iter_rows()
    }
    excluded = tuple(category.id for category in definition.survey.excluded)
    # Per scale, the answers its items are counted in: its categories and the excluded.
    expected = {
        scale: (*answers, *excluded) for scale, answers in scale_answers(definition).items()
    }
    columns = answer_columns(definition)
    rows = []
    for item in item_rates.sort("item_order").iter_rows(named=True):
        item_id, hidden = item["item_id"], item["item_id"] in suppressed
        row = {
            "item_id": item_id,
            "section": item["section"],
            "statement": item["statement"],
            "scale": item["scale"],
            "valid_n": item["valid_n"],
            **rate_cells(TOP_BOX, "n", item["top_box_n"], item["valid_n"], hidden),
        }
        for answer in columns:
            row[f"{answer}_n"] = None if hidden else _answer_count(item, answer, counts, expected)
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
        rates = [rate(k, n) for k, n in items.select("top_box_n", "valid_n").iter_rows()]
        hidden = section["respondents"] < min_cell_size or any(
            item_id in suppressed_items for item_id in in_section["item_id"]
        )
        rows.append(
            {
                "section": section["section"],
                "items": section["items"],
                "respondents": section["respondents"],
                "top_box_pct": percent_half_up(mean_rate(rates)) if rates and not hidden else None,
                "top_box_suppressed": hidden,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def _answer_count(
    item: dict, answer: str, counts: dict, expected: dict[str, tuple[str, ...]]
) -> int | None:
    """How often the item got `answer`; None when `answer` is a category of another scale
    (not zero answers: not a category of this item)."""
    if answer == SKIPPED:
        return item["skipped_n"]
    if answer not in expected[item["scale"]]:
        return None
    if (item["item_id"], answer) not in counts:
        raise ValueError(f"mart_survey_answer_counts has no {answer!r} for {item['item_id']}")
    return counts[item["item_id"], answer]


def rate_cells(stem: str, count: str, numerator: int, denominator: int, hidden: bool) -> dict:
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
