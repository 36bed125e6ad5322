"""Write small workbooks and CSVs the way the programme's staff do: for samples and tests.

Fixed document properties make a regenerated workbook byte-identical to the committed one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

FIXED_CREATED = datetime(2024, 6, 30, 12, 0, 0)
# A sheet holds 1,048,576 rows, the header included.
EXCEL_MAX_DATA_ROWS = 1_048_575
Row = Sequence[Any]


def write_workbook(
    path: Path, sheets: dict[str, tuple[Row, Iterable[Row]]], streamed: bool = False
) -> None:
    """`sheets` maps a sheet name to (header, rows); datetimes become real Excel dates.
    `streamed`: rows are written one by one (xlsxwriter's constant-memory mode), for
    sheets of up to a million rows."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "constant_memory": streamed}
    )
    workbook.set_properties({"created": FIXED_CREATED, "author": "IDREAM M&E"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for row_index, row in enumerate(rows, start=1):
            if row_index > EXCEL_MAX_DATA_ROWS:
                raise ValueError(f"{path.name}: sheet {name!r} has more rows than Excel allows")
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(row_index, column_index, value, date_format)
                else:
                    sheet.write(row_index, column_index, value)
    workbook.close()


def write_csv(
    path: Path, header: Row, rows: Sequence[Row], separator: str = ",", bom: bool = False
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=separator, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
