"""A sheet or a CSV as a grid of text cells, its rows numbered as the spreadsheet shows them.

What `readers` gives every later step of ingest. No header is assumed: a title row may
stand above it, so the header is found later (`headers`, `survey_export_headers`) among
the grid's first rows. Cells are text, as the person typed them, so that `C1-07`, `007`
and `1.0` arrive unchanged; types are decided by the contract, not guessed by a reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.errors import Problem

ROW = "source_row"
# CSV only: how many fields the line held, to catch a file cut short while it was copied.
FIELDS = "__fields"
# What `Grid.errors` says of a formula cell whose result the file does not hold.
NO_SAVED_VALUE = "a formula with no saved value"


@dataclass(frozen=True)
class Grid:
    """Cells as text (columns `c0`, `c1`, ... and `source_row`, 1-based as the spreadsheet
    program shows it, empty rows counted), blank cells null, fully empty rows left out.

    `errors` maps (row, column index) to what a workbook cell holds instead of a value
    (`#N/A`, or a formula with no saved value): such a cell reads as null in `cells`, and
    in a column that is read it is an error, never a blank."""

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
        """(spreadsheet row, cells) of the first `count` rows that are not empty."""
        head = self.cells.head(count).select(ROW, *self.cell_columns)
        return [(row[0], list(row[1:])) for row in head.iter_rows()]


def cell(index: int) -> str:
    """The grid's name of the column at `index` (0 = the sheet's first used column)."""
    return f"c{index}"


def numbered(frame: pl.DataFrame, fields: pl.Series | None = None) -> pl.DataFrame:
    """`frame`'s row i is spreadsheet row i + 1: blank cells (spaces, tabs, non-breaking
    spaces only) become null, rows are numbered, and fully empty rows are dropped."""
    frame = frame.rename({name: cell(index) for index, name in enumerate(frame.columns)})
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


def cell_error_message(value: str) -> str:
    """What a person is told of a cell of `Grid.errors` in a column that is read."""
    if value == NO_SAVED_VALUE:
        return (
            f"holds {NO_SAVED_VALUE}: open the file in a spreadsheet program, let it "
            "calculate, and save it again"
        )
    return f"holds the error value {value}: correct the formula or type the value"
