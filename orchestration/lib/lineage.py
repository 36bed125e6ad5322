"""Lineage columns: every landed row says which file, sheet and spreadsheet row it came from."""

from __future__ import annotations

import polars as pl

from orchestration.lib.grids import ROW, Grid

LINEAGE_COLUMNS = ("source_file", "source_sheet", "source_row")
LINEAGE_SCHEMA = {"source_file": pl.String, "source_sheet": pl.String, "source_row": pl.Int64}


def lineage(grid: Grid) -> list[pl.Expr]:
    """The lineage of the grid's rows, for a `select` on `grid.cells`."""
    return [
        pl.lit(grid.file, dtype=pl.String).alias("source_file"),
        pl.lit(grid.sheet, dtype=pl.String).alias("source_sheet"),
        pl.col(ROW).alias("source_row"),
    ]
