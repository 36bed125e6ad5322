"""Read one sheet or CSV into an all-text Polars frame that remembers its spreadsheet rows.

Everything is read as text: types are decided by the contract, not guessed by a reader,
so that `C1-07`, `007` and `1.0` arrive exactly as the person typed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.errors import Problem, RawDataError

ROW_COLUMN = "source_row"
# The header is spreadsheet row 1, so data row i (0-based) is row i + 2.
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class SourceTable:
    """Raw cells of one sheet or CSV, with the names people use to find them."""

    frame: pl.DataFrame
    file: str
    sheet: str | None

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(file=self.file, sheet=self.sheet, row=row, column=column, message=message)


def read_sheet(path: Path, sheet: str, file_label: str) -> SourceTable:
    import fastexcel  # imported here: only ingest needs the Excel engine

    try:
        workbook = fastexcel.read_excel(path)
    except Exception as error:
        raise RawDataError(
            [Problem(file_label, f"cannot be opened as an .xlsx workbook ({_first_line(error)})")]
        ) from error
    if sheet not in workbook.sheet_names:
        found = ", ".join(repr(name) for name in workbook.sheet_names) or "none"
        raise RawDataError([Problem(file_label, f"has no sheet '{sheet}' (sheets found: {found})")])
    try:
        frame = workbook.load_sheet_by_name(sheet, dtypes="string").to_polars()
    except Exception as error:
        raise RawDataError(
            [Problem(file_label, f"cannot be read ({_first_line(error)})", sheet=sheet)]
        ) from error
    return _with_rows(SourceTable(frame=frame, file=file_label, sheet=sheet))


def has_sheet(path: Path, sheet: str) -> bool:
    import fastexcel

    return sheet in fastexcel.read_excel(path).sheet_names


def read_csv(path: Path, file_label: str) -> SourceTable:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
    except UnicodeDecodeError as error:
        raise RawDataError([Problem(file_label, f"is not UTF-8 text ({error.reason})")]) from error
    if not header.strip():
        raise RawDataError([Problem(file_label, "is empty: expected a header row")])
    # Kobo exports use ';'; other tools ','. The header line decides.
    separator = ";" if header.count(";") > header.count(",") else ","
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8")
    except Exception as error:
        raise RawDataError(
            [Problem(file_label, f"cannot be read as CSV ({_first_line(error)})")]
        ) from error
    return _with_rows(SourceTable(frame=frame, file=file_label, sheet=None))


def _with_rows(table: SourceTable) -> SourceTable:
    if table.frame.width == 0:
        raise RawDataError([table.problem("is empty: expected a header row")])
    frame = table.frame.with_row_index(ROW_COLUMN, offset=FIRST_DATA_ROW).with_columns(
        pl.col(ROW_COLUMN).cast(pl.Int64)
    )
    return SourceTable(frame=frame, file=table.file, sheet=table.sheet)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
