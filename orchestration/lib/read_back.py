"""Read one located cell back from the raw file, for the person at the terminal.

Some problems can only be fixed with what the warehouse never holds: a participant code
that is not on the roster is a pseudonym in the warehouse, and the person who keeps the
spreadsheet needs the code they typed. The value is shown on the terminal only; it is
never logged, stored or written to a report.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.grids import ROW, cell
from orchestration.lib.headers import HEADER_SEARCH_ROWS
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.readers import open_workbook, read_csv, read_sheet


def cell_value(raw_dir: Path, problem: Problem, password: str | None = None) -> str | None:
    """The text of the problem's cell as the file has it, or None where it cannot be read.
    The problem's row is the spreadsheet's, as ingest numbers it; its column is found, by
    the label rule, in the first of the sheet's first rows that names it."""
    path = raw_dir / problem.file
    if problem.row is None or not problem.column or not path.is_file():
        return None
    try:
        if problem.sheet:
            grid = read_sheet(open_workbook(path, problem.file, password), problem.sheet)
        else:
            grid = read_csv(path, problem.file)
    except RawDataError:
        return None
    wanted = label_match_key(problem.column)
    for _, cells in grid.first_rows(HEADER_SEARCH_ROWS):
        index = next(
            (i for i, text in enumerate(cells) if text and label_match_key(text) == wanted), None
        )
        if index is not None:
            values = grid.cells.filter(pl.col(ROW) == problem.row)[cell(index)]
            return values[0] if len(values) and values[0] is not None else None
    return None
