"""Step 4 of ingest: keep the contract's columns of every sheet, and nothing else.

Minimisation is by allow-list: a column the contract does not name for reading (names,
emails, countries, free text, anything new) is never copied out of the grid. What is
kept is cleaned (what spreadsheets do to text, undone) and stacked, every row with its
lineage. A cell of a kept column that holds an error value or a formula with no saved
value is an error here, never a blank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from orchestration.lib.errors import Problem
from orchestration.lib.grids import ROW, Grid, cell, cell_error_message
from orchestration.lib.headers import ColumnSpec, FoundHeader, Header
from orchestration.lib.lineage import LINEAGE_SCHEMA, lineage
from orchestration.lib.stacked import FileProblems
from orchestration.lib.text import PUNCTUATION


def keep(
    found: Sequence[FoundHeader],
    spec: ColumnSpec,
    problems: FileProblems,
    require_rows: bool = True,
) -> pl.DataFrame:
    """The spec's columns of every sheet below its header (an absent optional column as
    blanks), cleaned, with lineage; stacked in the order given.
    `require_rows`: a sheet left with no rows is a problem of its file."""
    frames = []
    for item in found:
        data = item.grid.cells.filter(pl.col(ROW) > item.header.row)
        problems.add(error_cells(item.grid, item.header, data))
        frames.append(
            data.select(*(_column(item.header, name) for name in spec.names), *lineage(item.grid))
        )
    schema = dict.fromkeys(spec.names, pl.String) | LINEAGE_SCHEMA
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    frame = clean_columns(frame, list(spec.names))
    if require_rows:
        present = set(frame.select("source_file", "source_sheet").unique().iter_rows())
        problems.add(
            [
                item.grid.problem("has a header but no data rows")
                for item in found
                if (item.grid.file, item.grid.sheet) not in present
            ]
        )
    return frame


def _column(header: Header, name: str) -> pl.Expr:
    if name in header.columns:
        return pl.col(cell(header.columns[name].index)).alias(name)
    return pl.lit(None, dtype=pl.String).alias(name)


def error_cells(grid: Grid, header: Header, data: pl.DataFrame) -> list[Problem]:
    """A problem for each error cell of a kept column in `data`'s rows."""
    if not grid.errors:
        return []
    rows = set(data[ROW].to_list())
    by_index = {column.index: name for name, column in header.columns.items()}
    return [
        grid.problem(cell_error_message(value), row, by_index[index])
        for (row, index), value in sorted(grid.errors.items())
        if row in rows and index in by_index
    ]


def clean_text_expr(column: str) -> pl.Expr:
    """Column version of `text.clean_text`; a unit test keeps the two in step."""
    return (
        pl.col(column)
        .str.normalize("NFKC")
        .str.replace_many(PUNCTUATION)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace("", None)
        .alias(column)
    )


def clean_columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Clean `names`. No row is dropped here: the grid left out the fully empty rows, and
    a row holding anything (a name with no participant_id) is a row the contract reads,
    whose blank required cells are problems, not a row to pass over in silence."""
    return frame.with_columns([_clean_distinct(frame[name]) for name in names])


def _clean_distinct(column: pl.Series) -> pl.Series:
    """`clean_text_expr` on each distinct value once, mapped back to the rows: labels,
    statuses and ids repeat, and cleaning (NFKC above all) is the costly part, 2x faster
    at a million markers (bench/)."""
    name = column.name
    distinct = column.unique().to_frame()
    cleaned = distinct.with_columns(clean_text_expr(name).alias("__cleaned"))
    return (
        column.to_frame()
        .join(cleaned, on=name, how="left", maintain_order="left", nulls_equal=True)
        .get_column("__cleaned")
        .alias(name)
    )


def map_distinct(
    column: pl.Series, parse: Callable[[str], object], dtype: pl.DataType
) -> pl.Series:
    """`parse` on each distinct non-null value once, mapped back to the rows (null stays
    null): a Python call per row was a third of ingest at a million markers."""
    name = column.name
    distinct = column.drop_nulls().unique()
    lookup = pl.DataFrame(
        {name: distinct, "__parsed": [parse(value) for value in distinct]},
        schema={name: column.dtype, "__parsed": dtype},
    )
    return (
        column.to_frame()
        .join(lookup, on=name, how="left", maintain_order="left")
        .get_column("__parsed")
        .alias(name)
    )
