"""Step 3 of ingest: find each sheet's header row and the columns the contract names.

The header is the first of the sheet's first rows that holds every required column; the
rows above it are title rows. Headers are matched by the contract's label rule, so
`Participant ID`, `participant_id` and `PARTICIPANT-ID` are one column. (Survey exports,
whose headers the survey tools write, have their own rules: `survey_export_headers`.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from orchestration.lib.errors import Problem
from orchestration.lib.grids import Grid
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.stacked import FileProblems

# The contract: the header is among the sheet's first 10 rows (the first that are not empty).
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """A column of the sheet: its index in the grid (`c<index>`) and its header's text."""

    index: int
    header: str


@dataclass(frozen=True)
class ColumnSpec:
    """The contract's view of one sheet: the columns it reads, by their contract names.
    Every other column (names, emails, free text, anything new) is never read."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


@dataclass(frozen=True)
class Header:
    """One candidate header row: the contract's columns it holds, and what is wrong with
    it as a header (`missing` required names; `conflicts`: message and header)."""

    row: int
    columns: dict[str, Column]
    missing: tuple[str, ...]
    conflicts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FoundHeader:
    grid: Grid
    header: Header


def find_headers(
    grids: Sequence[Grid], spec: ColumnSpec, problems: FileProblems
) -> list[FoundHeader]:
    """The header of each grid; a grid without a usable one is a problem of its file."""
    found = []
    for grid in grids:
        header, wrong = find_header(grid, spec)
        if wrong:
            problems.add(wrong)
        else:
            found.append(FoundHeader(grid, header))
    return found


class Candidate(Protocol):
    missing: tuple


C = TypeVar("C", bound=Candidate)


def choose_header(
    rows: Sequence[tuple[int, Sequence[str | None]]], read_row: Callable[[int, Sequence], C]
) -> C:
    """The contract's header search, for sheets and survey exports alike: the first of the
    first `HEADER_SEARCH_ROWS` rows (spreadsheet row, cells) that `read_row` finds every
    required column in; rows above it are title rows. When none is, the one missing the
    fewest (the earliest on a tie), so that its missing columns can be named. `rows` is
    not empty."""
    candidates = []
    for row, cells in rows[:HEADER_SEARCH_ROWS]:
        candidate = read_row(row, cells)
        if not candidate.missing:
            return candidate
        candidates.append(candidate)
    return min(candidates, key=lambda candidate: len(candidate.missing))


def find_header(grid: Grid, spec: ColumnSpec) -> tuple[Header, list[Problem]]:
    """`choose_header` over the grid's first rows, with the problems of the row chosen."""
    rows = grid.first_rows(HEADER_SEARCH_ROWS)
    if not rows:
        return Header(1, {}, spec.required, ()), [grid.problem("is empty: expected a header row")]
    header = choose_header(rows, lambda row, cells: map_header(row, cells, spec))
    wrong = [grid.problem(message, header.row, column) for message, column in header.conflicts]
    wrong += [
        grid.problem(f"required column '{name}' is missing", header.row, name)
        for name in header.missing
    ]
    return header, wrong


def map_header(row: int, cells: Sequence[str | None], spec: ColumnSpec) -> Header:
    wanted = {label_match_key(name): name for name in spec.names}
    columns: dict[str, Column] = {}
    conflicts = []
    for index, text in enumerate(cells):
        name = wanted.get(label_match_key(text)) if text else None
        if name is None:
            continue
        if name in columns:
            conflicts.append(
                (f"headers '{columns[name].header}' and '{text}' both mean '{name}'", text)
            )
            continue
        columns[name] = Column(index, text)
    missing = tuple(name for name in spec.required if name not in columns)
    return Header(row, columns, missing, tuple(conflicts))


def same_row(found: Sequence[FoundHeader], spec: ColumnSpec) -> list[FoundHeader]:
    """The headers already found, read again for `spec`'s columns (the free text, read
    apart): one sheet has one header row, whatever is read from it."""
    remapped = []
    for item in found:
        cells = next(
            cells
            for row, cells in item.grid.first_rows(HEADER_SEARCH_ROWS)
            if row == item.header.row
        )
        remapped.append(FoundHeader(item.grid, map_header(item.header.row, cells, spec)))
    return remapped
