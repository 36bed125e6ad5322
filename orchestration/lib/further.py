"""The further analysis: six published tables beyond the brief's own, from the marts' counts
(numerators and denominators), in the programme definition's order, under the headline
table's disclosure policy.

Like the headline table, every table is a typed frame in which a withheld cell is null with a
true `<x>_suppressed` flag (`publishing.csv_table` writes it as `suppressed`); percentages
are whole numbers rounded half up from exact fractions, here, at publication.

The disclosure problem spans the tables: four of them count the same participants' markers
as the headline table, and some of their figures are the headline's under another name (a
cohort's `highest_none_n` in a domain is its roster minus the headline's count; the last
review's progress is the headline's count; the by-type table's `all` row is the headline's).
Such a figure is withheld exactly where the headline withholds it. The headline's choice
(`Withheld`) is the start; a table that must withhold more of the headline's figures hands
them back, the headline included, until no table withholds more. The tables are checked
by rebuilding every table an attacker could from what is published
(tests/unit/test_published_suppression.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, fields

import polars as pl

from orchestration.lib import brief, suppression
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.rounding import mean_rate, percent_half_up, rate
from orchestration.lib.suppression import Group

ALL = "all"
ANY_DOMAIN = brief.ANY_DOMAIN
# marker_levels' `highest_none_n`: participants who achieved no marker in the domain.
NONE = "none"
# unanticipated_outcomes' domain of an outcome not tied to one.
UNSPECIFIED = "unspecified"
# Keys of cells no table publishes: a forced cell's trigger; a section's total.
_FORCED = "__forced__"
_ROW = "__row__"


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


@dataclass(frozen=True)
class Withheld:
    """What every table of the participants' markers withholds: whole cohorts, and the
    `all` row's count of participants who achieved a domain (by domain id)."""

    cohorts: frozenset[str] = frozenset()
    totals: frozenset[str] = frozenset()

    def __or__(self, other: Withheld) -> Withheld:
        return Withheld(self.cohorts | other.cohorts, self.totals | other.totals)


@dataclass(frozen=True)
class Published:
    """The outcome of the disclosure policy over the brief and the further analysis."""

    headline: frozenset[Hashable]  # (cohort, domain) cells of the success-marker table
    further: FurtherTables


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


# --- The disclosure policy --------------------------------------------------------------


def withhold(
    counts: Mapping[Hashable, tuple[int, int]],
    groups: Iterable[Group],
    k: int,
    together: Iterable[Iterable[Hashable]] = (),
    forced: Iterable[Hashable] = (),
) -> frozenset[Hashable]:
    """`suppression.suppress`, with `forced` cells withheld from the start (cells another
    table withholds), and one rule a single table never needs: a group whose total is
    withheld while all its cells are published gives the total back, so one of its cells
    goes too. Forcing links each cell to a trigger that the policy always withholds."""
    groups, together = tuple(groups), [tuple(cells) for cells in together]
    forced = {cell for cell in forced if cell in counts}
    while True:
        if forced and k < 2:
            raise ValueError("cells can only be withheld with a minimum cell size of 2 or more")
        triggers = {(_FORCED, cell): (0, 1) for cell in forced}
        links = [((_FORCED, cell), cell) for cell in forced]
        # Links first: suppress links sets in one pass, in order, before it looks at groups.
        hidden = suppression.suppress({**counts, **triggers}, groups, k, [*links, *together])
        hidden = frozenset(cell for cell in hidden if cell not in triggers)
        given_back = {
            _smallest(group.cells, counts)
            for group in groups
            if group.total in hidden and not any(cell in hidden for cell in group.cells)
        } - {None}
        if not given_back:
            return hidden
        forced |= given_back  # published cells: the loop withholds more each time round


def _smallest(cells: Iterable[Hashable], counts: Mapping[Hashable, tuple[int, int]]):
    """The cell that costs readers the least, as suppression's complement chooses it."""
    candidates = sorted(
        (cell for cell in cells if counts[cell][1] > 0),
        key=lambda cell: (counts[cell][1], counts[cell][0], repr(cell)),
    )
    return candidates[0] if candidates else None


def _public(hidden: Iterable[Hashable]) -> frozenset[Hashable]:
    """Without the totals no table publishes as cells."""
    return frozenset(cell for cell in hidden if not (isinstance(cell, tuple) and cell[0] == _ROW))


def _cohorts(frame: pl.DataFrame) -> list[str]:
    """The frame's cohorts but `all`, in number order."""
    numbered = frame.filter(pl.col("cohort") != ALL).select("cohort", "cohort_number").unique()
    return numbered.sort("cohort_number")["cohort"].to_list()


def headline_withheld(
    domain_rates: pl.DataFrame, definition: ProgrammeDefinition, k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """The success-marker table's withheld (cohort, domain) cells, with `withheld`'s. With
    nothing withheld elsewhere, exactly the brief's own choice."""
    groups, rows = brief.success_marker_groups(domain_rates, definition)
    counts = brief.success_marker_counts(domain_rates)
    forced = [
        (cohort, domain)
        for cohort, domain in counts
        if cohort in withheld.cohorts or (cohort == ALL and domain in withheld.totals)
    ]
    return withhold(counts, groups, k, rows, forced)


def _forced(key: tuple, withheld: Withheld) -> bool:
    """Whether the headline withholds the figure a (cohort, domain, column) cell repeats."""
    cohort, domain, _ = key
    return domain in withheld.totals if cohort == ALL else cohort in withheld.cohorts


def _learned(hidden: Iterable[Hashable], headline_cell) -> Withheld:
    """What withheld cells that are headline figures under another name (`headline_cell`:
    a key -> its (cohort, domain) in the headline, or None) withhold in the headline."""
    cohorts, totals = set(), set()
    for key in hidden:
        cell = headline_cell(key)
        if cell is None:
            continue
        if cell[0] == ALL:
            totals.add(cell[1])
        else:
            cohorts.add(cell[0])
    return Withheld(frozenset(cohorts), frozenset(totals))


def marker_levels_withheld(
    mart: pl.DataFrame, definition: ProgrammeDefinition, k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """(cohort, domain, level) cells. `highest_none_n` is the roster minus the headline's
    count: withheld where the headline's is. When the headline withholds a cohort, every
    row's levels are withheld, the `all` row's included: the headline's published counts,
    the `all` row's levels and the "any domain" rows (each participant's highest over the
    domains) together can narrow a withheld cohort's levels to one value, which no one
    column's total shows (tests/unit/test_published_suppression.py rebuilds such tables).
    Otherwise no cohort is below k, and per domain and level the cohorts add up to `all`."""
    counts, participants = _level_counts(mart, definition)
    cohorts, columns = _cohorts(mart), levels(definition)
    domain_ids = brief.domains(definition)
    column_groups = [
        Group(cells=tuple((c, d, x) for c in cohorts), total=(ALL, d, x))
        for d in domain_ids
        for x in columns
    ]
    # With one level, its count is the headline's (the participants who achieved a marker).
    headline_columns = {NONE} if len(columns) > 2 else set(columns)
    hidden = {key for key in counts if key[2] in headline_columns and _forced(key, withheld)}
    if withheld.cohorts:
        hidden |= {key for key in counts if key[2] not in headline_columns}
    hidden = set(withhold(counts, column_groups, k, (), hidden))
    # The `all` row adds up to its participants: it gives up a level before its none.
    for d in domain_ids:
        row = tuple((ALL, d, x) for x in columns)
        hidden |= _row_complement(row, counts, hidden, participants[ALL, d])
    return frozenset(hidden)


def marker_progress_withheld(
    mart: pl.DataFrame, definition: ProgrammeDefinition, k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """(cohort, domain, review) cells, as marker_levels': the last review is the headline's
    count, withheld where the headline's is; when the headline withholds a cohort, every
    row's earlier reviews are withheld, the `all` row's included. On the `all` row a count
    never falls from one review to the next: a withheld last review its earlier ones would
    pin takes the one before it along."""
    counts = _progress_counts(mart, definition)
    cohorts, review_ids = _cohorts(mart), reviews(definition)
    domain_ids = brief.domains(definition)
    last = review_ids[-1]
    column_groups = [
        Group(cells=tuple((c, d, r) for c in cohorts), total=(ALL, d, r))
        for d in domain_ids
        for r in review_ids
    ]
    hidden = {key for key in counts if key[2] == last and _forced(key, withheld)}
    if withheld.cohorts:
        hidden |= {key for key in counts if key[2] != last}
    while True:
        hidden = set(withhold(counts, column_groups, k, (), hidden))
        extra = set()
        for d in domain_ids:
            extra |= _monotone_complement([(ALL, d, r) for r in review_ids], counts, hidden)
        if extra <= hidden:
            return frozenset(hidden)
        hidden |= extra


def _row_complement(row: tuple, counts: Mapping, hidden: set, participants: int) -> set:
    """One more cell of a row that adds up to its published participants, when its withheld
    cells would otherwise be known: the smallest, its first cell (the headline's) last."""
    withheld = [cell for cell in row if cell in hidden]
    published = [cell for cell in row if cell not in hidden]
    if not withheld or not published:
        return set()
    residual = participants - sum(counts[cell][0] for cell in published)
    if len(withheld) > 1 and residual > 0:
        return set()
    rest = published[1:] if published[0] == row[0] and len(published) > 1 else published
    return {_smallest(rest, counts) or published[0]}


def _monotone_complement(row: list, counts: Mapping, hidden: set) -> set:
    """Counts that never fall along `row`: a withheld one lies between its published
    neighbours, and is known when they are equal. Withhold the earlier neighbour (or, at
    the row's start, the later one)."""
    extra = set()
    for index, cell in enumerate(row):
        if cell not in hidden:
            continue
        earlier = [c for c in row[:index] if c not in hidden]
        later = [c for c in row[index + 1 :] if c not in hidden]
        low = counts[earlier[-1]][0] if earlier else 0
        high = counts[later[0]][0] if later else counts[cell][1]
        if low == high:
            extra.add(earlier[-1] if earlier else later[0] if later else cell)
    return extra - {None}


def by_type_withheld(
    mart: pl.DataFrame,
    domain_rates: pl.DataFrame,
    roster: pl.DataFrame,
    definition: ProgrammeDefinition,
    k: int,
    withheld: Withheld,
) -> frozenset[Hashable]:
    """("type", type, domain), ("cohort", cohort, domain) and ("type", "all", domain) cells.

    Per domain the types add up to `all`, and so do the cohorts (as in the headline). A type
    whose cohorts hold no other type is also the sum of its cohorts: withheld when that sum
    would give a withheld cohort back. A type sharing a withheld cohort with another type
    is withheld (the cohort's split between them is unknown; not withholding it could pin
    the cohort). The only type on the roster is the `all` row under another name.
    """
    domain_ids = brief.domains(definition)
    types = present_types(mart, definition)
    members = _cohort_types(roster)
    counts = {
        ("type", kind, domain): (achieved, n)
        for kind, domain, achieved, n in mart.select(
            "participant_type", "domain", "achieved_n", "participants"
        ).iter_rows()
    }
    counts |= {
        ("cohort", cohort, domain): (achieved, n)
        for cohort, domain, achieved, n in domain_rates.filter(pl.col("cohort") != ALL)
        .select("cohort", "domain", "achieved_n", "participants")
        .iter_rows()
    }
    missing = [(t, d) for t in (*types, ALL) for d in domain_ids if ("type", t, d) not in counts]
    if missing:
        raise ValueError(f"mart_domain_rates_by_type has no row for {missing}")
    cohorts = _cohorts(domain_rates)
    hidden_cohorts = {c for c in cohorts if c in withheld.cohorts}
    groups, forced = [], []
    pure = {
        t: [c for c in cohorts if members.get(c) == {t}]
        for t in types
        if all(members.get(c) == {t} for c in cohorts if t in members.get(c, ()))
    }
    for d in domain_ids:
        total = ("type", ALL, d)
        groups.append(Group(cells=tuple(("cohort", c, d) for c in cohorts), total=total))
        groups.append(Group(cells=tuple(("type", t, d) for t in types), total=total))
        for t, own in pure.items():
            groups.append(Group(cells=tuple(("cohort", c, d) for c in own), total=("type", t, d)))
    for t in types:
        if len(types) == 1:
            break  # its row is the `all` row: linked below
        if t in pure:
            if _gives_back(pure[t], t, counts, domain_ids, hidden_cohorts, k):
                forced += [("type", t, d) for d in domain_ids]
        elif any(t in members.get(c, ()) for c in hidden_cohorts):
            forced += [("type", t, d) for d in domain_ids]
    forced += [("cohort", c, d) for c in hidden_cohorts for d in domain_ids]
    forced += [("type", ALL, d) for d in withheld.totals]
    together = [[("cohort", c, d) for d in domain_ids] for c in cohorts]
    if len(types) == 1:
        # Cell by cell the `all` row: withheld exactly where the `all` row is.
        together += [[("type", types[0], d), ("type", ALL, d)] for d in domain_ids]
    else:
        together += [[("type", t, d) for d in domain_ids] for t in types]
    return withhold(counts, groups, k, together, forced)


def _gives_back(own, t, counts, domain_ids, hidden_cohorts, k) -> bool:
    """Whether type `t`'s total, published, pins one of its withheld cohorts' cells."""
    if not hidden_cohorts & set(own):
        return False
    for d in domain_ids:
        cells = tuple(("cohort", c, d) for c in own)
        group = Group(cells=cells, total=("type", t, d))
        sub = {key: counts[key] for key in (*cells, group.total)}
        hidden = {("cohort", c, d) for c in own if c in hidden_cohorts}
        if withhold(sub, [group], k, forced=hidden) - hidden:
            return True
    return False


def _cohort_types(roster: pl.DataFrame) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for cohort, kind in roster.select("cohort", "participant_type").iter_rows():
        members.setdefault(str(cohort), set()).add(kind)
    return members


def present_types(mart: pl.DataFrame, definition: ProgrammeDefinition) -> list[str]:
    """The types on the roster (rows of mart_domain_rates_by_type), in the definition's order."""
    present = set(mart["participant_type"]) - {ALL}
    known = [kind.id for kind in definition.participant_types]
    unknown = present - set(known)
    if unknown:
        raise ValueError(f"participant types {sorted(unknown)} are not the definition's")
    return [t for t in known if t in present]


def marker_level_rates_withheld(
    mart: pl.DataFrame, definition: ProgrammeDefinition, k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """(cohort, level) cells: a rate over fewer than k markers, and every cell of a withheld
    cohort; per level the cohorts add up to `all`."""
    counts = _level_rate_counts(mart, definition)
    cohorts = _cohorts(mart)
    groups = [
        Group(cells=tuple((c, x.id) for c in cohorts), total=(ALL, x.id))
        for x in definition.markers.levels
    ]
    forced = [key for key in counts if key[0] in withheld.cohorts]
    return withhold(counts, groups, k, (), forced)


def unanticipated_withheld(
    mart: pl.DataFrame, cohort_sizes: Mapping[str, int], k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """(cohort, domain, review) cells: every cell of a cohort of fewer than k participants
    (the denominator is the cohort's roster, as in every participant figure) or of a withheld
    cohort; per domain and review the cohorts add up to `all`, a cohort without a row
    counting zero. A cohort's cells do not bound each other (a participant may report in
    several), so a complement is one cell."""
    counts, cohorts = _unanticipated_counts(mart, cohort_sizes)
    cells = {key[1:] for key in counts if key[0] == ALL}
    groups = [Group(cells=tuple((c, *cell) for c in cohorts), total=(ALL, *cell)) for cell in cells]
    forced = [key for key in counts if key[0] in withheld.cohorts]
    return withhold(counts, groups, k, (), forced)


def survey_sections_withheld(mart: pl.DataFrame, k: int) -> frozenset[Hashable]:
    """(cohort, section) cells: a cohort's section average over fewer than k respondents;
    per section the cohorts add up to the brief's own figures, which are published (their
    top-box and valid answers stand for the section's items, each published in the brief)."""
    counts, hidden = {}, []
    for row in mart.iter_rows(named=True):
        key = (row["cohort"], row["section"])
        counts[key] = (row["top_box_n"], row["valid_n"])
        if 0 < row["respondents"] < k:
            hidden.append(key)
    sections = {section for _, section in counts}
    groups = []
    for section in sections:
        cells = tuple(key for key in counts if key[1] == section)
        top_box = sum(counts[key][0] for key in cells)
        valid = sum(counts[key][1] for key in cells)
        counts[(_ROW, section)] = (top_box, valid)
        groups.append(Group(cells=cells, total=(_ROW, section)))
    return _public(withhold(counts, groups, k, (), hidden))


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
        learned = state | _learned(headline, lambda key: key)
        hidden_levels = marker_levels_withheld(marts.marker_levels, definition, k, learned)
        learned |= _learned(hidden_levels, lambda key: key[:2] if key[2] == NONE else None)
        hidden_progress = marker_progress_withheld(marts.marker_progress, definition, k, learned)
        learned |= _learned(hidden_progress, lambda key: key[:2] if key[2] == last else None)
        hidden_types = by_type_withheld(
            marts.domain_rates_by_type, domain_rates, marts.roster, definition, k, learned
        )
        learned |= _learned(
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


# --- The tables -------------------------------------------------------------------------


def _level_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
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
    for cohort in (*_cohorts(mart), ALL):
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
    counts, participants = _level_counts(mart, definition)
    schema = {"cohort": pl.String, "domain": pl.String, "participants": pl.Int64}
    for level in levels(definition):
        schema |= {f"highest_{level}_n": pl.Int64, f"highest_{level}_suppressed": pl.Boolean}
    rows = []
    for cohort in (*_cohorts(mart), ALL):
        for domain in brief.domains(definition):
            row = {"cohort": cohort, "domain": domain, "participants": participants[cohort, domain]}
            for level in levels(definition):
                withheld = (cohort, domain, level) in hidden
                row[f"highest_{level}_n"] = None if withheld else counts[cohort, domain, level][0]
                row[f"highest_{level}_suppressed"] = withheld
            rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def _progress_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
    counts = {
        (row["cohort"], row["domain"], row["review"]): (row["achieved_by_n"], row["participants"])
        for row in mart.iter_rows(named=True)
    }
    for cohort in (*_cohorts(mart), ALL):
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
    counts = _progress_counts(mart, definition)
    schema = {"cohort": pl.String, "domain": pl.String, "participants": pl.Int64}
    for review in reviews(definition):
        stem = f"achieved_by_{review}"
        schema |= {f"{stem}_n": pl.Int64, f"{stem}_pct": pl.Int64, f"{stem}_suppressed": pl.Boolean}
    rows = []
    for cohort in (*_cohorts(mart), ALL):
        for domain in brief.domains(definition):
            participants = counts[cohort, domain, reviews(definition)[0]][1]
            row = {"cohort": cohort, "domain": domain, "participants": participants}
            for review in reviews(definition):
                achieved, n = counts[cohort, domain, review]
                withheld = (cohort, domain, review) in hidden
                row |= _count_and_pct(f"achieved_by_{review}", achieved, n, withheld)
            rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def _level_rate_counts(mart: pl.DataFrame, definition: ProgrammeDefinition):
    counts = {
        (row["cohort"], row["level"]): (row["achieved_n"], row["markers"])
        for row in mart.iter_rows(named=True)
    }
    for cohort in (*_cohorts(mart), ALL):
        for level in definition.markers.levels:
            if (cohort, level.id) not in counts:
                raise ValueError(f"mart_marker_level_rates lacks cohort {cohort}, {level.id}")
    return counts


def marker_level_rates(
    mart: pl.DataFrame, definition: ProgrammeDefinition, hidden=frozenset()
) -> pl.DataFrame:
    """One row per cohort (then `all`) and level: the share of the markers set at that level,
    over all domains, that were achieved."""
    counts = _level_rate_counts(mart, definition)
    schema = {
        "cohort": pl.String,
        "level": pl.String,
        "markers": pl.Int64,
        "achieved_n": pl.Int64,
        "achieved_pct": pl.Int64,
        "achieved_suppressed": pl.Boolean,
    }
    rows = []
    for cohort in (*_cohorts(mart), ALL):
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


def _unanticipated_counts(mart: pl.DataFrame, cohort_sizes: Mapping[str, int]):
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
    counts, _ = _unanticipated_counts(mart, cohort_sizes)
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
