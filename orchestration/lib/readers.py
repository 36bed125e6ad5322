"""Read one sheet of a workbook, or one CSV file, into a `Grid` of text cells.

Step 2 of ingest (see ingest.py). Workbooks are whatever fastexcel (calamine) opens:
.xlsx, .xlsm, .xlsb, .xls and .ods; a password-protected one is decrypted in memory.
Rows keep the numbers the spreadsheet program shows, empty rows counted.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.formulas import formulas_without_values
from orchestration.lib.grids import FIELDS, NO_SAVED_VALUE, Grid, cell, numbered
from orchestration.lib.programme_definition import label_match_key

T = TypeVar("T")
WORKBOOK_KINDS = ".xlsx, .xlsm, .xlsb, .xls or .ods"
# Excel saves a password-protected workbook, and an old .xls one, as an OLE compound file.
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_BOM = b"\xef\xbb\xbf"
_SNIFF_RECORDS = 10
_SNIFF_CHARS = 1 << 20
_CELL_ERROR = re.compile(r"Error\((\w+)\)")
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}


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


@dataclass(frozen=True)
class Workbook:
    """An open workbook: fastexcel's reader, and what it was opened from (the path, or the
    decrypted bytes, which are never written anywhere)."""

    file: str
    reader: Any
    source: Path | bytes

    @property
    def sheet_names(self) -> list[str]:
        return list(self.reader.sheet_names)

    def sheet_named(self, wanted: str) -> str | None:
        """The sheet whose name is `wanted` by the label rule (` Markers ` is `markers`).
        Two such sheets are refused: which one holds the data is the person's to say."""
        key = label_match_key(wanted)
        found = [name for name in self.sheet_names if label_match_key(name) == key]
        if len(found) > 1:
            named = " and ".join(f"'{name}'" for name in found)
            raise RawDataError(
                [Problem(self.file, f"has sheets {named}, which both mean '{wanted}': keep one")]
            )
        return found[0] if found else None

    def require_sheet(self, wanted: str) -> str:
        sheet = self.sheet_named(wanted)
        if sheet is None:
            found = ", ".join(f"'{name}'" for name in self.sheet_names) or "none"
            raise RawDataError(
                [Problem(self.file, f"has no sheet '{wanted}' (sheets found: {found})")]
            )
        return sheet


def open_workbook(path: Path, file_label: str, password: str | None = None) -> Workbook:
    import fastexcel  # imported here: only ingest needs the Excel engine

    source: Path | bytes = path
    with path.open("rb") as handle:
        ole = handle.read(len(_OLE_MAGIC)) == _OLE_MAGIC
    if ole:
        source = _decrypted_if_protected(path, file_label, password)
    try:
        reader = fastexcel.read_excel(source)
    except Exception as error:
        raise RawDataError(
            [
                Problem(
                    file_label,
                    f"cannot be opened as a workbook ({WORKBOOK_KINDS}): {_first_line(error)}",
                )
            ]
        ) from error
    return Workbook(file_label, reader, source)


def _decrypted_if_protected(path: Path, file_label: str, password: str | None) -> Path | bytes:
    """An OLE file is an old .xls workbook, read as it is, or a password-protected one
    (any format), decrypted in memory with `password`."""
    import msoffcrypto

    try:
        office_file = msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes()))
        encrypted = office_file.is_encrypted()
    except Exception:
        # Not a file msoffcrypto knows: let the workbook reader say what it is.
        return path
    if not encrypted:
        return path
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


def read_sheet(workbook: Workbook, sheet: str) -> Grid:
    """Every cell of `sheet` (a name from `workbook.sheet_names`) as text."""
    try:
        # header_row=None with skip_rows=0 keeps leading empty rows, so that row i of the
        # frame is spreadsheet row i + 1 (by default calamine drops them).
        loaded = workbook.reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        batch, cell_errors = loaded.to_arrow_with_errors()
    except Exception as error:
        raise RawDataError(
            [Problem(workbook.file, f"cannot be read ({_first_line(error)})", sheet=sheet)]
        ) from error
    frame = pl.from_arrow(batch)
    errors = {}
    for error in cell_errors.errors if cell_errors else []:
        match = _CELL_ERROR.search(error.detail)
        if match:
            row, column = error.position
            errors[(row + 1, column)] = _EXCEL_ERRORS.get(match.group(1), f"#{match.group(1)}")
    for row, column in formulas_without_values(workbook.source, sheet):
        errors.setdefault((row, column), NO_SAVED_VALUE)
    return Grid(workbook.file, sheet, numbered(frame), errors)


def read_csv(path: Path, file_label: str) -> Grid:
    """UTF-8 (a byte-order mark allowed), `,` or `;` (whichever splits the first records
    into more fields: Kobo quotes every field, so a `;` file parsed on `,` stays whole),
    quoted fields, any line ending. A quoted field may span lines: rows are records."""
    data = path.read_bytes()
    start = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        row = data[:offset].count(b"\n") + 1
        raise RawDataError(
            [
                Problem(
                    file_label,
                    f"is not UTF-8 text: byte 0x{data[offset]:02x} at byte offset {offset} "
                    f"({error.reason}); save it again as 'CSV UTF-8'",
                    row=row,
                )
            ]
        ) from error
    # The first records are in the first MiB of any export; reading the whole text into a
    # StringIO for them cost a second per 50 MB.
    head = text[:_SNIFF_CHARS]
    del text
    separator = max((",", ";"), key=lambda candidate: _widest(head, candidate))
    width = _widest(head, separator)[0]
    # Every record as wide as the first ones (an export as the tools write it) is read by
    # Arrow's parser, 4x faster than the csv module; any other file (a row cut short, a
    # title row above the header) by the csv module, which counts each record's fields.
    frame = _read_even_csv(data[start:], separator, width)
    if frame is None:
        return _read_uneven_csv(data[start:].decode("utf-8"), separator, file_label)
    fields = pl.repeat(width, frame.height, dtype=pl.Int64, eager=True).alias(FIELDS)
    return Grid(file_label, None, numbered(frame, fields), {})


def _read_even_csv(data: bytes, separator: str, width: int) -> pl.DataFrame | None:
    """Every record's `width` fields as text, or None when a record has another number
    of fields (Arrow does not say where, the csv module does)."""
    import pyarrow as pa
    import pyarrow.csv as arrow_csv

    if width == 0:
        return None
    uneven = False

    def refuse(_row) -> str:
        nonlocal uneven
        uneven = True
        return "skip"

    names = [cell(index) for index in range(width)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(data),
            read_options=arrow_csv.ReadOptions(column_names=names),
            parse_options=arrow_csv.ParseOptions(
                delimiter=separator,
                newlines_in_values=True,
                # An empty line is a record, so that rows keep the numbers a spreadsheet shows.
                ignore_empty_lines=False,
                invalid_row_handler=refuse,
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if uneven:
        return None
    frame = pl.from_arrow(table)
    del table
    # Arrow keeps what it freed for its next file, two files' worth on two readers; the
    # landing that follows needs that memory more.
    pa.default_memory_pool().release_unused()
    return frame


def _read_uneven_csv(text: str, separator: str, file_label: str) -> Grid:
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise RawDataError([Problem(file_label, f"cannot be read as CSV ({error})")]) from error
    width = max((len(record) for record in records), default=0)
    if width == 0:
        raise RawDataError([Problem(file_label, "is empty: expected a header row")])
    frame = pl.DataFrame(
        [record + [None] * (width - len(record)) for record in records],
        schema=[(cell(index), pl.String) for index in range(width)],
        orient="row",
    )
    fields = pl.Series(FIELDS, [len(record) for record in records], dtype=pl.Int64)
    return Grid(file_label, None, numbered(frame, fields), {})


def _widest(text: str, separator: str) -> tuple[int, int]:
    """How wide the first records are when split on `separator`: the widest, then all
    fields together (a two-column file ties on the widest when one row has a `,` in it)."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        widths = [len(record) for record in itertools.islice(records, _SNIFF_RECORDS)]
    except csv.Error:
        return (0, 0)
    return (max(widths, default=0), sum(widths))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def read_workbook(
    path: Path,
    file_label: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    password: str | None = None,
) -> dict[str, Grid]:
    """The sheets of one workbook the contract names (`markers`; `unanticipated` if it is
    there), opened and decrypted once, keyed by the contract's sheet names. A required
    sheet the workbook lacks is a problem; every problem of the file is raised at once."""
    workbook = open_workbook(path, file_label, password)
    grids: dict[str, Grid] = {}
    problems: list[Problem] = []
    for wanted in (*required, *optional):
        try:
            sheet = (
                workbook.require_sheet(wanted)
                if wanted in required
                else workbook.sheet_named(wanted)
            )
            if sheet is not None:
                grids[wanted] = read_sheet(workbook, sheet)
        except RawDataError as error:
            problems += error.problems
    if problems:
        raise RawDataError(problems)
    return grids
