"""Which row of a survey export is its header, and which of its columns the contract reads.

Headers are matched by the contract's label rule (`label_match_key`). The tool columns are
found by their exact names (`_uuid`, `SubmissionDate`, ...); an item's column by its
`item_id` or `statement`, failing that by the part after a `/` (KoboToolbox's grouped
headers), failing that by the part after a `-` equalling the `item_id` (ODK Central's).
Every column found in none of these ways is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestration.lib.headers import Column, choose_header

# The contract's label rule, in one place: the programme definition's.
from orchestration.lib.programme_definition import label_match_key

# The contract's lists, in its order of preference: the first present is used.
RESPONSE_ID_HEADERS = ("response_id", "_uuid", "meta/instanceID", "meta-instanceID", "KEY")
SUBMISSION_TIME_HEADERS = ("submitted_at", "_submission_time", "SubmissionDate")
REVIEW_STATE_HEADERS = ("_validation_status", "ReviewState")


@dataclass(frozen=True)
class HeaderMap:
    """The columns one candidate header row gives; `conflicts` and `missing` are messages
    (with the column they name), empty when the row is a usable header."""

    row: int
    response_id: Column | None
    submitted_at: Column | None
    cohort: Column | None
    items: dict[str, Column]
    review_states: tuple[Column, ...]
    dropped: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    conflicts: tuple[tuple[str, str], ...]


def find_header(
    rows: Sequence[tuple[int, Sequence[str | None]]],
    items: dict[str, tuple[str, ...]],
    cohort_column: str,
) -> HeaderMap:
    """The header among `rows` (spreadsheet row, cells), the first non-empty rows of a
    sheet: the first of the first `HEADER_SEARCH_ROWS` whose headers name every required
    column (a response id, a submission time, the cohort, every item), by the search every
    sheet's header is found with (`headers.choose_header`). `items` maps an item id to the
    names its column may have (the id, the statement)."""
    return choose_header(rows, lambda row, cells: map_headers(row, cells, items, cohort_column))


def map_headers(
    row: int, cells: Sequence[str | None], items: dict[str, tuple[str, ...]], cohort_column: str
) -> HeaderMap:
    headers = {index: cell.strip() for index, cell in enumerate(cells) if cell and cell.strip()}
    keys = {index: label_match_key(header) for index, header in headers.items()}
    conflicts: list[tuple[str, str]] = []

    def first_of(names: tuple[str, ...]) -> Column | None:
        for name in names:
            found = [index for index, key in keys.items() if key == label_match_key(name)]
            if len(found) > 1:
                conflicts.append(_both(headers, found, f"'{name}'"))
            if found:
                return Column(found[0], headers[found[0]])
        return None

    response_id = first_of(RESPONSE_ID_HEADERS)
    submitted_at = first_of(SUBMISSION_TIME_HEADERS)
    review_keys = {label_match_key(name) for name in REVIEW_STATE_HEADERS}
    review_states = tuple(
        Column(index, headers[index]) for index, key in keys.items() if key in review_keys
    )
    taken = {column.index for column in (response_id, submitted_at, *review_states) if column}
    targets = {("cohort", cohort_column): (cohort_column,)}
    targets |= {("item", item_id): names for item_id, names in items.items()}
    found = _match_targets({i: h for i, h in headers.items() if i not in taken}, targets)
    conflicts += found.conflicts
    columns = {target: Column(index, headers[index]) for target, index in found.columns.items()}
    used = taken | set(found.columns.values())
    missing = [
        (f"no {what} column: expected one of {', '.join(names)}", names[0])
        for what, names, column in (
            ("response id", RESPONSE_ID_HEADERS, response_id),
            ("submission time", SUBMISSION_TIME_HEADERS, submitted_at),
        )
        if column is None
    ]
    missing += [
        (f"required column '{name}' is missing", name)
        for kind, name in targets
        if (kind, name) not in columns and (kind, name) not in found.contested
    ]
    return HeaderMap(
        row=row,
        response_id=response_id,
        submitted_at=submitted_at,
        cohort=columns.get(("cohort", cohort_column)),
        items={name: column for (kind, name), column in columns.items() if kind == "item"},
        review_states=review_states,
        dropped=tuple(header for index, header in headers.items() if index not in used),
        missing=tuple(missing),
        conflicts=tuple(conflicts),
    )


@dataclass(frozen=True)
class _Matched:
    columns: dict[tuple[str, str], int]
    conflicts: list[tuple[str, str]]
    # Targets a header means together with another: not missing, but not found either.
    contested: set[tuple[str, str]]


def _match_targets(
    headers: dict[int, str], targets: dict[tuple[str, str], tuple[str, ...]]
) -> _Matched:
    """Tier by tier (whole header, part after a `/`, part after a `-`), each target takes
    the header that means it at the first tier where one does; two headers meaning one
    target, or one header meaning two, is a conflict."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    by_id: dict[str, list[tuple[str, str]]] = {}
    for target, names in targets.items():
        for name in names:
            by_name.setdefault(label_match_key(name), []).append(target)
        # The id is the first name; only it is matched after a `-` (ODK writes names).
        by_id.setdefault(label_match_key(names[0]), []).append(target)
    tiers = (
        lambda header: {label_match_key(header)},
        lambda header: _parts_after(header, "/"),
        lambda header: _parts_after(header, "-"),
    )
    columns: dict[tuple[str, str], int] = {}
    conflicts: list[tuple[str, str]] = []
    contested: set[tuple[str, str]] = set()
    claimed: set[int] = set()
    for tier, parts_of in enumerate(tiers):
        lookup = by_id if tier == 2 else by_name
        candidates: dict[tuple[str, str], list[int]] = {}
        for index, header in headers.items():
            if index in claimed:
                continue
            meant = {
                target
                for part in parts_of(header)
                for target in lookup.get(part, [])
                if target not in columns
            }
            if len(meant) > 1:
                names = " and ".join(sorted(f"'{name}'" for _, name in meant))
                conflicts.append((f"header '{header}' means both {names}", header))
                contested |= meant
                claimed.add(index)
            for target in meant if len(meant) == 1 else ():
                candidates.setdefault(target, []).append(index)
        for target, indices in candidates.items():
            if len(indices) > 1:
                conflicts.append(_both(headers, indices, f"'{target[1]}'"))
            columns[target] = indices[0]
            claimed.update(indices)
    return _Matched(columns, conflicts, contested)


def _parts_after(header: str, separator: str) -> set[str]:
    """The keys of what follows each `separator`: a Kobo group label may itself be nested
    (`Outer/Inner/Statement`) and a statement may hold a `/` (`UN/regional bodies`)."""
    pieces = header.split(separator)
    return {label_match_key(separator.join(pieces[start:])) for start in range(1, len(pieces))}


def _both(headers: dict[int, str], indices: list[int], meaning: str) -> tuple[str, str]:
    named = " and ".join(f"'{headers[index]}'" for index in indices)
    every = "both" if len(indices) == 2 else "all"
    return (f"headers {named} {every} mean {meaning}", headers[indices[1]])
