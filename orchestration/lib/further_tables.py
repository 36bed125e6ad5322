"""The further analysis's six published tables, built from the marts' counts (numerators
and denominators) in the programme definition's order: a withheld cell is null with a true
`<x>_suppressed` flag (`publishing.csv_table` writes it as `suppressed`); percentages are
whole numbers rounded half up from exact fractions, here, at publication. Which cells are
withheld is `further_disclosure`'s; `further.published` puts the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import polars as pl

from orchestration.lib import brief
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.rounding import mean_rate, percent_half_up, rate

ALL = "all"
ANY_DOMAIN = brief.ANY_DOMAIN
# marker_levels' `highest_none_n`: participants who achieved no marker in the domain.
NONE = "none"
# unanticipated_outcomes' domain of an outcome not tied to one.
UNSPECIFIED = "unspecified"
# Keys of cells no table publishes: a forced cell's trigger; a section's total.
FORCED = "__forced__"
SECTION_TOTAL = "__row__"


@dataclass(frozen=True)
class FurtherMarts:
    """The marts the further analysis reads, as frames (their columns: transforms/models/marts)."""

    marker_levels: pl.DataFrame  # mart_marker_levels
    marker_progress: pl.DataFrame  # mart_marker_progress
    marker_level_rates: pl.DataFrame  # mart_marker_level_rates
    domain_rates_by_type: pl.DataFrame  # mart_domain_rates_by_type
    survey_sections_by_cohort: pl.DataFrame  # mart_survey_sections_by_cohort
    # fct_survey_answers counted: cohort, section, item_id, valid_n, top_box_n. The section
    # mart's mean is a double; the published mean is taken from exact item fractions.
    survey_item_counts_by_cohort: pl.DataFrame
    unanticipated_outcomes: pl.DataFrame  # mart_unanticipated_outcomes
    # dim_participants counted: cohort, participant_type, participants.
    roster: pl.DataFrame


@dataclass(frozen=True)
class FurtherTables:
    """The six published tables; the field names are the files' stems."""

    marker_levels: pl.DataFrame
    marker_progress: pl.DataFrame
    marker_level_rates: pl.DataFrame
    success_markers_by_type: pl.DataFrame
    survey_sections_by_cohort: pl.DataFrame
    unanticipated_outcomes: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def suppressed_count(self) -> int:
        """Withheld cells, counted as the headline's are: one per true flag."""
        return sum(
            int(frame[column].sum())
            for frame in self.frames().values()
            for column in frame.columns
            if column.endswith("_suppressed")
        )


def levels(definition: ProgrammeDefinition) -> tuple[str, ...]:
    """marker_levels' `highest_<x>_n` stems: none, then each level, lowest first."""
    ids = tuple(level.id for level in definition.markers.levels)
    if NONE in ids:
        raise ValueError(f"a level may not be called {NONE!r}: marker_levels' name for no level")
    return (NONE, *ids)


def reviews(definition: ProgrammeDefinition) -> tuple[str, ...]:
    return tuple(review.id for review in definition.markers.reviews)


def unanticipated_domains(definition: ProgrammeDefinition) -> tuple[str, ...]:
    ids = tuple(domain.id for domain in definition.domains)
    if UNSPECIFIED in ids:
        raise ValueError(f"a domain may not be called {UNSPECIFIED!r}: an outcome without one")
    return (*ids, UNSPECIFIED)


def level_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
    """(cohort, domain, level) -> (participants_n, participants), and (cohort, domain) ->
    participants; every cell of the definition present, every row adding up."""
    columns = levels(definition)
    counts, participants = {}, {}
    for row in mart.iter_rows(named=True):
        level = row["highest_level"] or NONE
        if level not in columns:
            raise ValueError(f"mart_marker_levels has a level {level!r} the definition has not")
        key = (row["cohort"], row["domain"])
        counts[(*key, level)] = (row["participants_n"], row["participants"])
        if participants.setdefault(key, row["participants"]) != row["participants"]:
            raise ValueError(f"mart_marker_levels: {key} has two denominators")
    for cohort in (*cohorts_of(mart), ALL):
        for domain in brief.domains(definition):
            if (cohort, domain) not in participants:
                raise ValueError(f"mart_marker_levels has no row for cohort {cohort}, {domain}")
            cells = [counts.get((cohort, domain, level)) for level in columns]
            where = f"mart_marker_levels: cohort {cohort}, {domain}"
            if None in cells:
                raise ValueError(f"{where} is not zero-filled")
            if sum(n for n, _ in cells) != participants[cohort, domain]:
                raise ValueError(f"{where} does not add up to its participants")
    return counts, participants


def marker_levels(
    mart: pl.DataFrame, definition: ProgrammeDefinition, hidden=frozenset()
) -> pl.DataFrame:
    """One row per cohort (then `all`) and domain (then `any_domain`): participants by the
    highest level among their achieved markers there (`highest_none_n`: no marker)."""
    counts, participants = level_counts(mart, definition)
    schema = {"cohort": pl.String, "domain": pl.String, "participants": pl.Int64}
    for level in levels(definition):
        schema |= {f"highest_{level}_n": pl.Int64, f"highest_{level}_suppressed": pl.Boolean}
    rows = []
    for cohort in (*cohorts_of(mart), ALL):
        for domain in brief.domains(definition):
            row = {"cohort": cohort, "domain": domain, "participants": participants[cohort, domain]}
            for level in levels(definition):
                withheld = (cohort, domain, level) in hidden
                row[f"highest_{level}_n"] = None if withheld else counts[cohort, domain, level][0]
                row[f"highest_{level}_suppressed"] = withheld
            rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def progress_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
    counts = {
        (row["cohort"], row["domain"], row["review"]): (row["achieved_by_n"], row["participants"])
        for row in mart.iter_rows(named=True)
    }
    for cohort in (*cohorts_of(mart), ALL):
        for domain in brief.domains(definition):
            for review in reviews(definition):
                if (cohort, domain, review) not in counts:
                    raise ValueError(
                        f"mart_marker_progress has no row for cohort {cohort}, {domain}, {review}"
                    )
    return counts


def marker_progress(
    mart: pl.DataFrame, definition: ProgrammeDefinition, hidden=frozenset()
) -> pl.DataFrame:
    """One row per cohort (then `all`) and domain (then `any_domain`): per review, the
    participants who had achieved a marker there at that review or an earlier one."""
    counts = progress_counts(mart, definition)
    schema = {"cohort": pl.String, "domain": pl.String, "participants": pl.Int64}
    for review in reviews(definition):
        stem = f"achieved_by_{review}"
        schema |= {f"{stem}_n": pl.Int64, f"{stem}_pct": pl.Int64, f"{stem}_suppressed": pl.Boolean}
    rows = []
    for cohort in (*cohorts_of(mart), ALL):
        for domain in brief.domains(definition):
            participants = counts[cohort, domain, reviews(definition)[0]][1]
            row = {"cohort": cohort, "domain": domain, "participants": participants}
            for review in reviews(definition):
                achieved, n = counts[cohort, domain, review]
                withheld = (cohort, domain, review) in hidden
                row |= _count_and_pct(f"achieved_by_{review}", achieved, n, withheld)
            rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def level_rate_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
    counts = {
        (row["cohort"], row["level"]): (row["achieved_n"], row["markers"])
        for row in mart.iter_rows(named=True)
    }
    for cohort in (*cohorts_of(mart), ALL):
        for level in definition.markers.levels:
            if (cohort, level.id) not in counts:
                raise ValueError(f"mart_marker_level_rates lacks cohort {cohort}, {level.id}")
    return counts


def marker_level_rates(
    mart: pl.DataFrame, definition: ProgrammeDefinition, hidden=frozenset()
) -> pl.DataFrame:
    """One row per cohort (then `all`) and level: the share of the markers set at that level,
    over all domains, that were achieved."""
    counts = level_rate_counts(mart, definition)
    schema = {
        "cohort": pl.String,
        "level": pl.String,
        "markers": pl.Int64,
        "achieved_n": pl.Int64,
        "achieved_pct": pl.Int64,
        "achieved_suppressed": pl.Boolean,
    }
    rows = []
    for cohort in (*cohorts_of(mart), ALL):
        for level in definition.markers.levels:
            achieved, markers = counts[cohort, level.id]
            withheld = (cohort, level.id) in hidden
            rows.append(
                {"cohort": cohort, "level": level.id, "markers": markers}
                | _count_and_pct("achieved", achieved, markers, withheld)
            )
    return pl.DataFrame(rows, schema=schema, orient="row")


def success_markers_by_type(
    mart: pl.DataFrame, definition: ProgrammeDefinition, hidden=frozenset()
) -> pl.DataFrame:
    """The headline table by participant type: one row per type on the roster (the
    definition's order), then `all`; per domain the count, %, Wilson interval and flag.
    `hidden` holds (type, domain) keys."""
    domain_ids = brief.domains(definition)
    cells = {
        (row["participant_type"], row["domain"]): (row["achieved_n"], row["participants"])
        for row in mart.iter_rows(named=True)
    }
    schema = {"participant_type": pl.String, "participants": pl.Int64}
    for domain in domain_ids:
        schema |= {
            f"{domain}_achieved": pl.Int64,
            f"{domain}_pct": pl.Int64,
            f"{domain}_ci_low": pl.Float64,
            f"{domain}_ci_high": pl.Float64,
            f"{domain}_suppressed": pl.Boolean,
        }
    rows = []
    for kind in (*present_types(mart, definition), ALL):
        if any((kind, d) not in cells for d in domain_ids):
            raise ValueError(f"mart_domain_rates_by_type lacks a domain of type {kind}")
        sizes = {cells[kind, d][1] for d in domain_ids}
        if len(sizes) != 1:
            raise ValueError(f"mart_domain_rates_by_type: type {kind} has two denominators")
        row = {"participant_type": kind, "participants": sizes.pop()}
        for domain in domain_ids:
            achieved, n = cells[kind, domain]
            row |= brief.rate_cells(domain, "achieved", achieved, n, (kind, domain) in hidden)
        rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def survey_sections_by_cohort(
    mart: pl.DataFrame, item_counts: pl.DataFrame, hidden=frozenset()
) -> pl.DataFrame:
    """One row per surveyed cohort and section: its respondents, the items with a valid
    answer, and the mean of the cohort's item rates (exact, rounded at publication; null
    when no item has a valid answer). `hidden` holds (cohort, section) keys."""
    rates: dict[tuple[str, str], list] = {}
    for cohort, section, top_box, valid in item_counts.select(
        pl.col("cohort").cast(pl.String), "section", "top_box_n", "valid_n"
    ).iter_rows():
        if valid:
            rates.setdefault((cohort, section), []).append(rate(top_box, valid))
    schema = {
        "cohort": pl.String,
        "section": pl.String,
        "respondents": pl.Int64,
        "items": pl.Int64,
        "top_box_pct": pl.Int64,
        "top_box_suppressed": pl.Boolean,
    }
    rows = []
    for row in mart.sort("cohort_number", "section_order").iter_rows(named=True):
        key = (row["cohort"], row["section"])
        item_rates = rates.get(key, [])
        if len(item_rates) != row["items"]:
            raise ValueError(f"survey answers give {len(item_rates)} items with answers to {key}")
        mean = mean_rate(item_rates) if item_rates else None
        if (mean is None) != (row["mean_top_box_rate"] is None) or (
            mean is not None and abs(float(mean) - row["mean_top_box_rate"]) > 1e-9
        ):
            raise ValueError(f"mart_survey_sections_by_cohort's mean for {key} is not its items'")
        withheld = key in hidden
        rows.append(
            {
                "cohort": row["cohort"],
                "section": row["section"],
                "respondents": row["respondents"],
                "items": row["items"],
                "top_box_pct": None if withheld or mean is None else percent_half_up(mean),
                "top_box_suppressed": withheld,
            }
        )
    return pl.DataFrame(rows, schema=schema, orient="row")


def unanticipated_counts(mart: pl.DataFrame, cohort_sizes: Mapping[str, int]):
    """(cohort, domain, review) -> (participants_n, the cohort's roster), for every cell of
    an `all` row, zero where a cohort has no row; and the cohorts in order."""
    cohorts = sorted(cohort_sizes, key=int)
    roster = {**cohort_sizes, ALL: sum(cohort_sizes.values())}
    given = {
        (row["cohort"], row["domain"], row["review"]): row["participants_n"]
        for row in mart.iter_rows(named=True)
    }
    cells = [key[1:] for key in given if key[0] == ALL]
    counts = {
        (cohort, *cell): (given.get((cohort, *cell), 0), roster[cohort])
        for cohort in (*cohorts, ALL)
        for cell in cells
    }
    stray = [key for key in given if key not in counts]
    if stray:
        raise ValueError(f"mart_unanticipated_outcomes has rows outside its `all` rows: {stray}")
    return counts, cohorts


def unanticipated_outcomes(
    mart: pl.DataFrame,
    definition: ProgrammeDefinition,
    cohort_sizes: Mapping[str, int],
    hidden=frozenset(),
) -> pl.DataFrame:
    """One row per cohort (then `all`), domain (then `unspecified`) and review with at least
    one outcome. A withheld cohort has a row for every cell of the `all` rows, so that which
    rows it has says nothing either."""
    domain_order = {d: i for i, d in enumerate(unanticipated_domains(definition))}
    review_order = {r: i for i, r in enumerate(reviews(definition))}
    cohort_order = {c: i for i, c in enumerate((*sorted(cohort_sizes, key=int), ALL))}
    given = {
        (row["cohort"], row["domain"], row["review"]): (row["outcomes_n"], row["participants_n"])
        for row in mart.iter_rows(named=True)
    }
    for cohort, domain, review in given:
        if cohort not in cohort_order or domain not in domain_order or review not in review_order:
            raise ValueError(f"mart_unanticipated_outcomes: unknown {(cohort, domain, review)}")
    counts, _ = unanticipated_counts(mart, cohort_sizes)
    keys = [key for key in counts if key in given or key in hidden]
    keys.sort(key=lambda key: (cohort_order[key[0]], domain_order[key[1]], review_order[key[2]]))
    schema = {
        "cohort": pl.String,
        "domain": pl.String,
        "review": pl.String,
        "outcomes_n": pl.Int64,
        "outcomes_suppressed": pl.Boolean,
        "participants_n": pl.Int64,
        "participants_suppressed": pl.Boolean,
    }
    rows = []
    for key in keys:
        withheld = key in hidden
        outcomes, participants = given.get(key, (0, 0))
        rows.append(
            {
                "cohort": key[0],
                "domain": key[1],
                "review": key[2],
                "outcomes_n": None if withheld else outcomes,
                "outcomes_suppressed": withheld,
                "participants_n": None if withheld else participants,
                "participants_suppressed": withheld,
            }
        )
    return pl.DataFrame(rows, schema=schema, orient="row")


def _count_and_pct(stem: str, numerator: int, denominator: int, hidden: bool) -> dict:
    """k, % and the flag; both null when withheld, % null when there is no denominator."""
    shown = not hidden and denominator > 0
    return {
        f"{stem}_n": None if hidden else numerator,
        f"{stem}_pct": percent_half_up(rate(numerator, denominator)) if shown else None,
        f"{stem}_suppressed": hidden,
    }


def cohorts_of(frame: pl.DataFrame) -> list[str]:
    """The frame's cohorts but `all`, in number order."""
    numbered = frame.filter(pl.col("cohort") != ALL).select("cohort", "cohort_number").unique()
    return numbered.sort("cohort_number")["cohort"].to_list()


def present_types(mart: pl.DataFrame, definition: ProgrammeDefinition) -> list[str]:
    """The types on the roster (rows of mart_domain_rates_by_type), in the definition's order."""
    present = set(mart["participant_type"]) - {ALL}
    known = [kind.id for kind in definition.participant_types]
    unknown = present - set(known)
    if unknown:
        raise ValueError(f"participant types {sorted(unknown)} are not the definition's")
    return [t for t in known if t in present]


def cohort_types(roster: pl.DataFrame) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for cohort, kind in roster.select("cohort", "participant_type").iter_rows():
        members.setdefault(str(cohort), set()).add(kind)
    return members
