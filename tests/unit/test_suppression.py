"""Small-cell suppression: examples of the policy, then the property that matters: nothing
withheld can be recomputed from what is published.

The property test builds tables shaped like the brief's success-marker table (cohort rows,
domain columns plus "any domain", an "all cohorts" row), publishes what `suppress` lets
through, and then enumerates every table an attacker could reconstruct: each cohort's
counts within its size, "any domain" between the largest domain count and the sum, and
the column totals where they are published. Every withheld cell must have at least two
possible values.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib.suppression import Group, suppress

DOMAINS = ("a", "b")
COLUMNS = (*DOMAINS, "any")


def brief_table(cohorts: list[tuple[int, int, int, int]]):
    """counts, groups and rows for cohorts given as (size, a, b, any)."""
    counts = {}
    for index, (size, *numerators) in enumerate(cohorts):
        for column, numerator in zip(COLUMNS, numerators, strict=True):
            counts[(index, column)] = (numerator, size)
    total_size = sum(cohort[0] for cohort in cohorts)
    for position, column in enumerate(COLUMNS, start=1):
        counts[("all", column)] = (sum(cohort[position] for cohort in cohorts), total_size)
    groups = [
        Group(cells=tuple((index, column) for index in range(len(cohorts))), total=("all", column))
        for column in COLUMNS
    ]
    rows = [[(index, column) for column in COLUMNS] for index in range(len(cohorts))]
    return counts, groups, rows


def test_tables_with_no_small_cell_are_published_whole():
    counts, groups, rows = brief_table([(10, 4, 6, 7), (10, 0, 10, 10), (5, 1, 2, 2)])
    assert suppress(counts, groups, k=5, together=rows) == frozenset()


def test_a_small_cohort_is_withheld_with_the_next_smallest_so_totals_do_not_give_it_away():
    counts, groups, rows = brief_table([(10, 4, 6, 7), (3, 1, 2, 2), (8, 5, 5, 6)])
    hidden = suppress(counts, groups, k=5, together=rows)
    # Cohort 1 (3 people) is below k; cohort 2 (8) is the smallest cell that protects it.
    assert hidden == {(1, c) for c in COLUMNS} | {(2, c) for c in COLUMNS}


def test_a_total_that_pins_the_hidden_cells_is_withheld_too():
    # Cohort 0 (2 people) and its complement cohort 1 (6) both achieved nothing in "a":
    # the published total minus cohort 2 would be 0, so both would be known to be 0.
    counts, groups, _ = brief_table([(2, 0, 1, 1), (6, 0, 3, 3)])
    hidden = suppress(counts, groups, k=5)
    assert ("all", "a") in hidden
    assert ("all", "b") not in hidden


def test_survey_items_stand_alone():
    counts = {"q1": (2, 4), "q2": (30, 35), "q3": (0, 0)}
    assert suppress(counts, [], k=5) == {"q1"}


def test_k_is_the_policy():
    counts = {"q1": (2, 9)}
    assert suppress(counts, [], k=10) == {"q1"}
    assert suppress(counts, [], k=9) == frozenset()
    with pytest.raises(ValueError, match="at least 1"):
        suppress(counts, [], k=0)


@st.composite
def cohorts(draw):
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        size = draw(st.integers(min_value=0, max_value=6))
        a = draw(st.integers(min_value=0, max_value=size))
        b = draw(st.integers(min_value=0, max_value=size))
        any_domain = draw(st.integers(min_value=max(a, b), max_value=min(size, a + b)))
        rows.append((size, a, b, any_domain))
    return rows


def possible_rows(size: int):
    for a, b in itertools.product(range(size + 1), repeat=2):
        for any_domain in range(max(a, b), min(size, a + b) + 1):
            yield (a, b, any_domain)


def possible_values(cohort_rows, hidden, counts):
    """For every withheld cell, every value that some table consistent with the
    publication gives it: a dynamic programme over the cohorts' reachable column sums."""
    fixed = {
        position: counts[("all", column)][0]
        for position, column in enumerate(COLUMNS)
        if ("all", column) not in hidden
    }
    options = []
    for index, (size, *_numerators) in enumerate(cohort_rows):
        published = {
            position: counts[(index, column)][0]
            for position, column in enumerate(COLUMNS)
            if (index, column) not in hidden
        }
        options.append(
            [
                row
                for row in possible_rows(size)
                if all(row[position] == value for position, value in published.items())
            ]
        )
    before = [{(0,) * len(COLUMNS)}]  # before[i]: the sums cohorts 0..i-1 can reach
    for rows in options:
        before.append({add(total, row) for total in before[-1] for row in rows})
    after = [{(0,) * len(COLUMNS)}]  # after[j]: the sums of the last j cohorts
    for rows in reversed(options):
        after.append({add(total, row) for total in after[-1] for row in rows})

    def agrees(total):
        return all(total[position] == value for position, value in fixed.items())

    values = {cell: set() for cell in hidden}
    for index, rows in enumerate(options):
        rest = {
            add(prefix, suffix)
            for prefix in before[index]
            for suffix in after[len(options) - index - 1]
        }
        for row in rows:
            if any(agrees(add(total, row)) for total in rest):
                for position, column in enumerate(COLUMNS):
                    if (index, column) in values:
                        values[(index, column)].add(row[position])
    for total in filter(agrees, before[-1]):
        for position, column in enumerate(COLUMNS):
            if ("all", column) in values:
                values[("all", column)].add(total[position])
    return values


def add(left, right):
    return tuple(x + y for x, y in zip(left, right, strict=True))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(cohorts(), st.integers(min_value=1, max_value=6))
def test_nothing_withheld_can_be_recomputed_from_what_is_published(cohort_rows, k):
    counts, groups, rows = brief_table(cohort_rows)
    hidden = suppress(counts, groups, k=k, together=rows)

    for cell, (_, denominator) in counts.items():
        if 0 < denominator < k:
            assert cell in hidden, "a rate over fewer than k people was published"
    for cell, values in possible_values(cohort_rows, hidden, counts).items():
        assert counts[cell][1] == 0 or len(values) >= 2, (
            f"withheld cell {cell} can only be {values}"
        )


def test_the_briefs_groups_follow_the_programmes_domains():
    """A programme with four domains (not IDREAM's three): each domain column and "any
    domain" adds up to its total, and a small cohort's whole row goes with the next smallest
    cohort's, so that no column's total gives it away."""
    from orchestration.lib import brief
    from tests.unit.test_brief import BRIDGES, domain_rates

    rates = domain_rates(
        BRIDGES,
        {
            "1": ("youth", 10, (9, 8, 7, 6, 10)),
            "2": ("youth", 3, (2, 1, 1, 0, 2)),
            "3": ("youth", 8, (6, 5, 4, 3, 7)),
        },
    )
    groups, rows = brief.success_marker_groups(rates, BRIDGES)
    columns = brief.domains(BRIDGES)
    assert [group.total for group in groups] == [("all", domain) for domain in columns]
    hidden = suppress(brief.success_marker_counts(rates), groups, k=5, together=rows)
    assert hidden == {(cohort, domain) for cohort in ("2", "3") for domain in columns}
