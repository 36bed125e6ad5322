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
from orchestration.lib.readers import ROW_COLUMN, read_csv, read_sheet


def cell_value(raw_dir: Path, problem: Problem, password: str | None = None) -> str | None:
    """The text of the problem's cell as the file has it, or None where it cannot be read."""
    path = raw_dir / problem.file
    if problem.row is None or not problem.column or not path.is_file():
        return None
    try:
        if problem.sheet:
            table = read_sheet(path, problem.sheet, problem.file, password)
        else:
            table = read_csv(path, problem.file)
    except RawDataError:
        return None
    wanted = problem.column.strip().casefold()
    column = next((c for c in table.frame.columns if c.strip().casefold() == wanted), None)
    if column is None:
        return None
    cells = table.frame.filter(pl.col(ROW_COLUMN) == problem.row)[column]
    return cells[0] if len(cells) and cells[0] is not None else None
