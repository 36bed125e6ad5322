"""One survey export file as a grid of text cells numbered as the spreadsheet shows them.

No header is assumed here: a Kobo or ODK export may carry title rows above it, so the
header is found later (`survey_export_headers.find_header`) among the grid's first rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.readers import open_workbook

RESPONSES_SHEET = "responses"
ROW = "source_row"
# CSV only: how many fields the line held, to catch a file cut short while copied.
FIELDS = "__fields"
_BOM = b"\xef\xbb\xbf"
_SNIFF_RECORDS = 10
_CELL_ERROR = re.compile(r"Error\((\w+)\)")
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
}


@dataclass(frozen=True)
class ExportGrid:
    """Cells as text (columns `c0`, `c1`, ... and `source_row`, 1-based as the spreadsheet
    program shows it), blank cells null, fully empty rows left out. `errors` maps
    (row, column index) to the error value (`#N/A`) a workbook cell holds."""

    file: str
    sheet: str | None
    cells: pl.DataFrame
    errors: dict[tuple[int, int], str]

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(file=self.file, message=message, sheet=self.sheet, row=row, column=column)

    @property
    def cell_columns(self) -> list[str]:
        return [name for name in self.cells.columns if name not in (ROW, FIELDS)]

    def first_rows(self, count: int) -> list[tuple[int, list[str | None]]]:
        head = self.cells.head(count).select(ROW, *self.cell_columns)
        return [(row[0], list(row[1:])) for row in head.iter_rows()]


def refuse_symlink(path: Path, raw_dir: Path, file_label: str) -> None:
    """The contract refuses symbolic links in the raw folder: a link can bring in a file
    nobody meant to hand over, and the raw folder must be the whole input. The raw folder
    itself may be a link (where it lives is the operator's choice); the file and every
    folder between it and the raw folder may not."""
    try:
        parts = path.relative_to(raw_dir).parts
    except ValueError:
        parts = ()
    inside = [raw_dir.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1)]
    for candidate in inside or [path]:
        if candidate.is_symlink():
            what = (
                "is a symbolic link"
                if candidate == path
                else f"is inside '{candidate.name}', a symbolic link"
            )
            raise RawDataError(
                [
                    Problem(
                        file_label,
                        f"{what} (to '{candidate.readlink()}'): links are refused; "
                        "copy the file into the raw folder instead",
                    )
                ]
            )


def read_export_grid(path: Path, file_label: str, password: str | None = None) -> ExportGrid:
    if path.suffix.lower() == ".csv":
        return read_csv_grid(path, file_label)
    return read_workbook_grid(path, file_label, password)


def read_workbook_grid(path: Path, file_label: str, password: str | None = None) -> ExportGrid:
    """The `responses` sheet (sheet names matched by the label rule), else the first
    sheet: KoboToolbox names its main sheet after the form and puts repeat groups after it."""
    workbook = open_workbook(path, file_label, password)
    names = workbook.sheet_names
    if not names:
        raise RawDataError([Problem(file_label, "has no sheets")])
    wanted = label_match_key(RESPONSES_SHEET)
    sheet = next((name for name in names if label_match_key(name) == wanted), names[0])
    try:
        # header_row=None with skip_rows=0 keeps leading empty rows, so that row i of the
        # frame is spreadsheet row i + 1 (by default calamine drops them).
        loaded = workbook.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        batch, cell_errors = loaded.to_arrow_with_errors()
    except Exception as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise RawDataError(
            [Problem(file_label, f"cannot be read ({message})", sheet=sheet)]
        ) from error
    frame = pl.from_arrow(batch)
    frame = frame.rename({name: f"c{index}" for index, name in enumerate(frame.columns)})
    errors = {}
    for error in cell_errors.errors if cell_errors else []:
        match = _CELL_ERROR.search(error.detail)
        if match:
            row, column = error.position
            errors[(row + 1, column)] = _EXCEL_ERRORS.get(match.group(1), f"#{match.group(1)}")
    return ExportGrid(file_label, sheet, _numbered(frame, None), errors)


def read_csv_grid(path: Path, file_label: str) -> ExportGrid:
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
    separator = max((",", ";"), key=lambda candidate: _widest(text, candidate))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise RawDataError([Problem(file_label, f"cannot be read as CSV ({error})")]) from error
    width = max((len(record) for record in records), default=0)
    if width == 0:
        raise RawDataError([Problem(file_label, "is empty: expected a header row")])
    columns = [f"c{index}" for index in range(width)]
    frame = pl.DataFrame(
        [record + [None] * (width - len(record)) for record in records],
        schema=dict.fromkeys(columns, pl.String),
        orient="row",
    )
    fields = pl.Series(FIELDS, [len(record) for record in records], dtype=pl.Int64)
    return ExportGrid(file_label, None, _numbered(frame, fields), {})


def _widest(text: str, separator: str) -> int:
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        return max((len(record) for record in itertools.islice(records, _SNIFF_RECORDS)), default=0)
    except csv.Error:
        return 0


def _numbered(frame: pl.DataFrame, fields: pl.Series | None) -> pl.DataFrame:
    """Blank cells (spaces, tabs, non-breaking spaces only) null, rows numbered from 1,
    fully empty rows dropped."""
    cells = frame.columns
    frame = frame.with_columns(
        pl.when(pl.col(name).str.strip_chars() == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in cells
    ).with_row_index(ROW, offset=1)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    if fields is not None:
        frame = frame.with_columns(fields)
    if not cells:
        return frame.clear()
    return frame.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in cells))
