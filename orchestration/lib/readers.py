"""Read one sheet or CSV into an all-text Polars frame that remembers its spreadsheet rows.

Everything is read as text: types are decided by the contract, not guessed by a reader,
so that `C1-07`, `007` and `1.0` arrive exactly as the person typed them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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


T = TypeVar("T")


def read_each(read: Callable[[Path], T], paths: list[Path]) -> list[T | RawDataError]:
    """`read(path)` for every path, in order, several files at a time: fastexcel and
    Polars let go of the GIL while they parse, so on two cores a hundred workbooks are
    read in about half the time (bench/). A file that breaks the contract gives its
    RawDataError in its place, so that every file is still read and reported."""

    def attempt(path: Path) -> T | RawDataError:
        try:
            return read(path)
        except RawDataError as error:
            return error

    if len(paths) < 2:
        return [attempt(path) for path in paths]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(attempt, paths))


# Excel saves a password-protected workbook as an OLE compound file, not a zip.
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def open_workbook(path: Path, file_label: str, password: str | None = None):
    """A fastexcel reader for `path`. A password-protected workbook is decrypted in memory
    with `password`; no decrypted copy is ever written."""
    import fastexcel  # imported here: only ingest needs the Excel engine

    source: Path | bytes = path
    with path.open("rb") as handle:
        protected = handle.read(len(_OLE_MAGIC)) == _OLE_MAGIC
    if protected:
        source = _decrypt(path, file_label, password)
    try:
        return fastexcel.read_excel(source)
    except Exception as error:
        raise RawDataError(
            [Problem(file_label, f"cannot be opened as an .xlsx workbook ({_first_line(error)})")]
        ) from error


def _decrypt(path: Path, file_label: str, password: str | None) -> bytes:
    import io

    import msoffcrypto

    try:
        office_file = msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes()))
        encrypted = office_file.is_encrypted()
    except Exception as error:
        raise RawDataError(
            [Problem(file_label, f"cannot be opened as an .xlsx workbook ({_first_line(error)})")]
        ) from error
    if not encrypted:
        raise RawDataError(
            [Problem(file_label, "is an old-format .xls workbook: save it as .xlsx")]
        )
    if not password:
        raise RawDataError(
            [
                Problem(
                    file_label,
                    "is password-protected: put its password in a file and point "
                    "IDREAM_WORKBOOK_PASSWORD_FILE at it",
                )
            ]
        )
    decrypted = io.BytesIO()
    try:
        office_file.load_key(password=password)
        office_file.decrypt(decrypted)
    except Exception as error:
        raise RawDataError(
            [
                Problem(
                    file_label,
                    "is password-protected and the password in IDREAM_WORKBOOK_PASSWORD_FILE "
                    f"does not open it ({_first_line(error)})",
                )
            ]
        ) from error
    return decrypted.getvalue()


def read_sheet(
    path: Path, sheet: str, file_label: str, password: str | None = None, workbook=None
) -> SourceTable:
    """One sheet as text. Pass `workbook` (from `open_workbook`) to read several sheets of
    one file without opening, or decrypting, it again."""
    if workbook is None:
        workbook = open_workbook(path, file_label, password)
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
