"""The further analysis's disclosure policy, one with the headline table's.

Four of the further tables count the same participants' markers as the headline table,
and some of their figures are the headline's under another name (a cohort's
`highest_none_n` in a domain is its roster minus the headline's count; the last review's
progress is the headline's count; the by-type table's `all` row is the headline's). Such a
figure is withheld exactly where the headline withholds it. The headline's choice
(`Withheld`) is the start; a table that must withhold more of the headline's figures hands
them back (`further.published` loops until no table withholds more). Checked by rebuilding
every table an attacker could from what is published
(tests/unit/test_published_suppression.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from orchestration.lib import brief, suppression
from orchestration.lib.further_tables import (
    ALL,
    FORCED,
    NONE,
    SECTION_TOTAL,
    cohort_types,
    cohorts_of,
    level_counts,
    level_rate_counts,
    levels,
    present_types,
    progress_counts,
    reviews,
    unanticipated_counts,
)
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.suppression import Group


@dataclass(frozen=True)
class Withheld:
    """What every table of the participants' markers withholds: whole cohorts, and the
    `all` row's count of participants who achieved a domain (by domain id)."""

    cohorts: frozenset[str] = frozenset()
    totals: frozenset[str] = frozenset()

    def __or__(self, other: Withheld) -> Withheld:
        return Withheld(self.cohorts | other.cohorts, self.totals | other.totals)


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
        triggers = {(FORCED, cell): (0, 1) for cell in forced}
        links = [((FORCED, cell), cell) for cell in forced]
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
    return frozenset(
        cell for cell in hidden if not (isinstance(cell, tuple) and cell[0] == SECTION_TOTAL)
    )


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


def learned_from(hidden: Iterable[Hashable], headline_cell) -> Withheld:
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
    counts, participants = level_counts(mart, definition)
    cohorts, columns = cohorts_of(mart), levels(definition)
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
    counts = progress_counts(mart, definition)
    cohorts, review_ids = cohorts_of(mart), reviews(definition)
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
    members = cohort_types(roster)
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
    cohorts = cohorts_of(domain_rates)
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


def marker_level_rates_withheld(
    mart: pl.DataFrame, definition: ProgrammeDefinition, k: int, withheld: Withheld
) -> frozenset[Hashable]:
    """(cohort, level) cells: a rate over fewer than k markers, and every cell of a withheld
    cohort; per level the cohorts add up to `all`."""
    counts = level_rate_counts(mart, definition)
    cohorts = cohorts_of(mart)
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
    counts, cohorts = unanticipated_counts(mart, cohort_sizes)
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
        counts[(SECTION_TOTAL, section)] = (top_box, valid)
        groups.append(Group(cells=cells, total=(SECTION_TOTAL, section)))
    return _public(withhold(counts, groups, k, (), hidden))
