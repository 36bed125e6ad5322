"""Many files' sheets as one frame, cleaned, typed and checked once rather than per file.

Per file, the fixed cost of each Polars call outweighed the work at a hundred workbooks
(bench/). Stacking loses nothing a person needs: every row carries its lineage
(source_file, source_sheet, source_row), so a problem still names file, sheet, row and
column, and `FileProblems` reports them file by file, as a file parsed alone would.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from orchestration.lib.columns import ColumnSpec, clean_columns, contract_columns, contract_frame
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.lineage import LINEAGE_COLUMNS
from orchestration.lib.readers import SourceTable


class FileProblems:
    """Problems in the order of `files`, then of finding. Like a file parsed alone, a
    file stops at its first failing check: later checks skip a file in `failed`."""

    def __init__(self, files: list[str]):
        self._by_file: dict[str, list[Problem]] = {file: [] for file in files}

    def add(self, problems: list[Problem]) -> None:
        for problem in problems:
            self._by_file.setdefault(problem.file, []).append(problem)

    @property
    def failed(self) -> set[str]:
        return {file for file, problems in self._by_file.items() if problems}

    def raise_any(self) -> None:
        problems = [problem for found in self._by_file.values() for problem in found]
        if problems:
            raise RawDataError(problems)


def stack(
    tables: list[SourceTable],
    spec: ColumnSpec,
    problems: FileProblems,
    extra_required: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The contract's columns of every table not failed yet, cleaned, blank rows dropped,
    with lineage. A table lacking a required column is a problem of its file."""
    frames = []
    for table in tables:
        if table.file in problems.failed:
            continue
        try:
            frames.append(contract_frame(table, spec, extra_required))
        except RawDataError as error:
            problems.add(error.problems)
    names = contract_columns(spec, extra_required)
    if not frames:
        return pl.DataFrame(schema=_schema(names))
    return clean_columns(pl.concat(frames), names)


def _schema(names: list[str]) -> dict[str, pl.DataType]:
    return {
        **dict.fromkeys([*names, *LINEAGE_COLUMNS[:2]], pl.String),
        LINEAGE_COLUMNS[2]: pl.Int64,
    }


def require_rows_per_table(
    frame: pl.DataFrame, tables: list[SourceTable], problems: FileProblems
) -> pl.DataFrame:
    """A table left with no rows is a problem of its file; the frame without failed files."""
    present = set(frame.select("source_file", "source_sheet").unique().iter_rows())
    problems.add(
        [
            table.problem("has a header but no data rows")
            for table in tables
            if table.file not in problems.failed and (table.file, table.sheet) not in present
        ]
    )
    return without_failed(frame, problems)


def without_failed(frame: pl.DataFrame, problems: FileProblems) -> pl.DataFrame:
    failed = problems.failed
    return frame.filter(~pl.col("source_file").is_in(list(failed))) if failed else frame


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
