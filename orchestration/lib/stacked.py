"""Many files' rows as one frame, checked once rather than per file, and their problems
gathered file by file.

Per file, the fixed cost of each Polars call outweighed the work at a hundred workbooks
(bench/). Stacking loses nothing a person needs: every row carries its lineage
(source_file, source_sheet, source_row), so a problem still names file, sheet, row and
column, and `FileProblems` reports them file by file, as a file read alone would.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.lineage import LINEAGE_COLUMNS


class FileProblems:
    """Every problem of every file, for one RawDataError: a person fixing a folder of
    workbooks wants them all in one message, not one per run. Reported in the order of
    `files`; within a file, sheet by sheet and row by row (a row's problems in the order
    found), as people read a sheet."""

    def __init__(self, files: list[str]):
        self._by_file: dict[str, list[Problem]] = {file: [] for file in files}

    def add(self, problems: list[Problem]) -> None:
        for problem in problems:
            self._by_file.setdefault(problem.file, []).append(problem)

    @property
    def failed(self) -> set[str]:
        return {file for file, problems in self._by_file.items() if problems}

    def raise_any(self) -> None:
        # dict.fromkeys: a cell read for two purposes (a marker and its free text) is
        # reported once.
        problems = list(
            dict.fromkeys(
                problem for found in self._by_file.values() for problem in _in_order(found)
            )
        )
        if problems:
            raise RawDataError(problems)


def _in_order(problems: list[Problem]) -> list[Problem]:
    sheets = list(dict.fromkeys(problem.sheet for problem in problems))
    return sorted(
        problems,
        key=lambda problem: (sheets.index(problem.sheet), problem.row or 0),
    )


def row_problems(
    frame: pl.DataFrame, failing: pl.Expr, column: str, message: Callable[[str | None], str]
) -> list[Problem]:
    """One problem per row where `failing` holds, located by the row's lineage and
    saying `message(the raw value of column)`."""
    rows = frame.filter(failing).select(*LINEAGE_COLUMNS, pl.col(column).alias("__value"))
    return [
        Problem(file=file, message=message(value), sheet=sheet, row=row, column=column)
        for file, sheet, row, value in rows.iter_rows()
    ]
