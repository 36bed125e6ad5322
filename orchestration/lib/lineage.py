"""Lineage columns: every landed row says which file, sheet and spreadsheet row it came from."""

from __future__ import annotations

import polars as pl

from orchestration.lib.readers import ROW_COLUMN, SourceTable

LINEAGE_COLUMNS = ("source_file", "source_sheet", "source_row")


def with_lineage(selected: pl.DataFrame, table: SourceTable) -> pl.DataFrame:
    """`selected` must be row-aligned with `table.frame`."""
    return selected.with_columns(
        pl.lit(table.file, dtype=pl.String).alias("source_file"),
        pl.lit(table.sheet, dtype=pl.String).alias("source_sheet"),
        table.frame[ROW_COLUMN].alias("source_row"),
    )
