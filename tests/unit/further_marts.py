"""Mart-shaped frames for the further analysis, counted from hand-made participants the way
transforms/models/marts/ defines the marts, so that a test states people, not counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from orchestration.lib import brief
from orchestration.lib.further import ALL, ANY_DOMAIN, UNSPECIFIED, FurtherMarts


@dataclass(frozen=True)
class Person:
    cohort: int
    kind: str
    # domain id -> level id -> the review (1 = the first) at which the marker was first
    # achieved; a level left out was not achieved. One outcome per domain, so one marker
    # per level and domain.
    achieved: dict = field(default_factory=dict)
    # (domain id or None, review id) of each unanticipated outcome reported
    outcomes: tuple = ()


@dataclass(frozen=True)
class Marts:
    domain_rates: pl.DataFrame
    further: FurtherMarts
    cohort_sizes: dict[str, int]


def _highest(person: Person, domains: list[str], order: dict[str, int]) -> int:
    """0 for none, else the highest level order among the achieved markers in `domains`."""
    return max((order[level] for d in domains for level in person.achieved.get(d, {})), default=0)


def _first(person: Person, domains: list[str]) -> int | None:
    reviews = [r for d in domains for r in person.achieved.get(d, {}).values()]
    return min(reviews, default=None)


def marts(definition, people: list[Person], survey: dict | None = None) -> Marts:
    """`survey`: (cohort, section) -> (respondents, [(top box, valid) per item])."""
    domain_ids = [d.id for d in definition.domains]
    columns = brief.domains(definition)
    levels = [level.id for level in definition.markers.levels]
    order = {level: i for i, level in enumerate(levels, start=1)}
    reviews = [review.id for review in definition.markers.reviews]
    numbers = sorted({p.cohort for p in people})
    groups = [(str(c), c, [p for p in people if p.cohort == c]) for c in numbers]
    groups.append((ALL, None, people))

    def scope(domain):
        return domain_ids if domain == ANY_DOMAIN else [domain]

    rates, level_rows, progress, level_rates = [], [], [], []
    kinds = {c: {p.kind for p in people if p.cohort == c} for c in numbers}
    for cohort, number, members in groups:
        kind = (
            None
            if number is None
            else (kinds[number].pop() if len(kinds[number]) == 1 else "mixed")
        )
        for domain in columns:
            achieved = sum(_highest(p, scope(domain), order) > 0 for p in members)
            rates.append((cohort, number, kind, domain, len(members), achieved))
            for position, level in enumerate([None, *levels]):
                n = sum(_highest(p, scope(domain), order) == position for p in members)
                level_rows.append(
                    (cohort, number, domain, len(members), level, position or None, n)
                )
            for position, review in enumerate(reviews, start=1):
                n = sum(
                    (first := _first(p, scope(domain))) is not None and first <= position
                    for p in members
                )
                progress.append((cohort, number, domain, review, position, len(members), n))
        for position, level in enumerate(levels, start=1):
            achieved = sum(level in p.achieved.get(d, {}) for p in members for d in domain_ids)
            level_rates.append(
                (cohort, number, level, position, len(members) * len(domain_ids), achieved)
            )
    by_type = []
    for kind in [*sorted({p.kind for p in people}), ALL]:
        members = [p for p in people if kind in (ALL, p.kind)]
        for domain in columns:
            achieved = sum(_highest(p, scope(domain), order) > 0 for p in members)
            by_type.append((kind, domain, len(members), achieved))
    outcomes = []
    for cohort, number, members in groups:
        reported = [(d or UNSPECIFIED, review, id(p)) for p in members for d, review in p.outcomes]
        for domain, review in sorted({(d, r) for d, r, _ in reported}):
            cell = [who for d, r, who in reported if (d, r) == (domain, review)]
            outcomes.append(
                (
                    cohort,
                    number,
                    domain,
                    review,
                    reviews.index(review) + 1,
                    len(cell),
                    len(set(cell)),
                )
            )
    roster = (
        pl.DataFrame(
            [(p.cohort, p.kind) for p in people],
            schema=["cohort", "participant_type"],
            orient="row",
        )
        .group_by("cohort", "participant_type")
        .len("participants")
    )
    sections, items = _survey(definition, survey or {})
    return Marts(
        domain_rates=_frame(
            rates, "cohort cohort_number participant_type domain participants achieved_n"
        ),
        further=FurtherMarts(
            marker_levels=_frame(
                level_rows,
                "cohort cohort_number domain participants highest_level highest_level_order "
                "participants_n",
            ),
            marker_progress=_frame(
                progress,
                "cohort cohort_number domain review review_order participants achieved_by_n",
            ),
            marker_level_rates=_frame(
                level_rates, "cohort cohort_number level level_order markers achieved_n"
            ),
            domain_rates_by_type=_frame(by_type, "participant_type domain participants achieved_n"),
            survey_sections_by_cohort=sections,
            survey_item_counts_by_cohort=items,
            unanticipated_outcomes=_frame(
                outcomes,
                "cohort cohort_number domain review review_order outcomes_n participants_n",
            ),
            roster=roster,
        ),
        cohort_sizes={str(c): len([p for p in people if p.cohort == c]) for c in numbers},
    )


def _survey(definition, survey: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    section_order = {s.id: i for i, s in enumerate(definition.survey.sections, start=1)}
    sections, items = [], []
    for (cohort, section), (respondents, answers) in sorted(survey.items()):
        rates = [Fraction(top, valid) for top, valid in answers if valid]
        sections.append(
            (
                str(cohort),
                cohort,
                section,
                section_order[section],
                respondents,
                len(rates),
                float(sum(rates) / len(rates)) if rates else None,
                sum(top for top, _ in answers),
                sum(valid for _, valid in answers),
            )
        )
        for index, (top, valid) in enumerate(answers):
            items.append((cohort, section, f"{section}_{index}", valid, top))
    section_schema = {
        "cohort": pl.String,
        "cohort_number": pl.Int64,
        "section": pl.String,
        "section_order": pl.Int64,
        "respondents": pl.Int64,
        "items": pl.Int64,
        "mean_top_box_rate": pl.Float64,
        "top_box_n": pl.Int64,
        "valid_n": pl.Int64,
    }
    item_schema = {
        "cohort": pl.Int64,
        "section": pl.String,
        "item_id": pl.String,
        "valid_n": pl.Int64,
        "top_box_n": pl.Int64,
    }
    return (
        pl.DataFrame(sections, schema=section_schema, orient="row"),
        pl.DataFrame(items, schema=item_schema, orient="row"),
    )


def _frame(rows: list[tuple], columns: str) -> pl.DataFrame:
    names = columns.split()
    integer = {"cohort_number", "highest_level_order", "review_order", "level_order"}
    schema = {
        name: pl.Int64
        if name in integer or name.endswith(("_n", "participants", "markers"))
        else pl.String
        for name in names
    }
    return pl.DataFrame(rows, schema=schema, orient="row")
