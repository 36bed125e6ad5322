"""Small-cell suppression of published rates (the programme's disclosure policy).

A rate over fewer than `k` people can point at one person, so it is withheld (primary
suppression). Withholding one cell is not enough when the table also publishes a total:
the hidden numerator is the total minus the other cells. So further cells are withheld
(complementary suppression) until every hidden numerator has at least two values that
agree with everything published: the other cells, the totals and the denominators, which
are published (cohort sizes are not secret).

Pure functions over plain numbers; the brief decides which cells form which groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

DEFAULT_MIN_CELL_SIZE = 5
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Group:
    """Cells whose numerators and denominators add up to the `total` cell, e.g. one domain
    column of the success-marker table: the cohorts' cells and the "all cohorts" cell.
    `total` is None when the table publishes no total for them."""

    cells: tuple[Hashable, ...]
    total: Hashable | None = None


def suppress(
    counts: Mapping[Hashable, tuple[int, int]],
    groups: Iterable[Group],
    k: int = DEFAULT_MIN_CELL_SIZE,
    together: Iterable[Iterable[Hashable]] = (),
) -> frozenset[Hashable]:
    """The keys of `counts` (key -> (numerator, denominator)) to withhold.

    `together` lists sets of cells withheld as one, such as one cohort's row: its cells
    bound each other (a cohort's "any domain" count is at least each domain's), so a row
    that is partly published could narrow a hidden cell to one value. Cells with a zero
    denominator have no rate to withhold and are never chosen.
    """
    if k < 1:
        raise ValueError(f"the minimum cell size must be at least 1, not {k}")
    groups, linked = tuple(groups), [frozenset(cells) for cells in together]
    hidden = {key for key, (_, denominator) in counts.items() if 0 < denominator < k}
    while True:
        before = len(hidden)
        hidden = _with_linked(hidden, linked)
        for group in groups:
            hidden |= _complement(group, counts, hidden)
        if len(hidden) == before:
            return frozenset(hidden)


def _with_linked(hidden: set[Hashable], linked: list[frozenset[Hashable]]) -> set[Hashable]:
    result = set(hidden)
    for cells in linked:
        if result & cells:
            result |= cells
    return result


def _complement(
    group: Group, counts: Mapping[Hashable, tuple[int, int]], hidden: set[Hashable]
) -> set[Hashable]:
    """One more cell to withhold when the group's hidden numerators can be recomputed."""
    if group.total is None or group.total in hidden:
        return set()
    cells_hidden = [cell for cell in group.cells if cell in hidden]
    if not cells_hidden or not _recoverable(group, counts, cells_hidden, hidden):
        return set()
    # The smallest published cell costs readers the least information.
    candidates = sorted(
        (cell for cell in group.cells if cell not in hidden and counts[cell][1] > 0),
        key=lambda cell: (counts[cell][1], counts[cell][0], repr(cell)),
    )
    return {candidates[0]} if candidates else {group.total}


def _recoverable(
    group: Group,
    counts: Mapping[Hashable, tuple[int, int]],
    cells_hidden: list[Hashable],
    hidden: set[Hashable],
) -> bool:
    """Whether some hidden numerator has exactly one value consistent with the total.

    The hidden numerators x_i (0 <= x_i <= n_i) sum to the residual r; each x_j can take
    every value in [max(0, r - (capacity - n_j)), min(n_j, r)], and no other.
    """
    residual = counts[group.total][0] - sum(
        counts[cell][0] for cell in group.cells if cell not in hidden
    )
    capacity = sum(counts[cell][1] for cell in cells_hidden)
    for cell in cells_hidden:
        size = counts[cell][1]
        if size == 0:
            continue  # a rate over nobody: its numerator, 0, is no secret
        low, high = max(0, residual - (capacity - size)), min(size, residual)
        if low == high:
            return True
    return False
