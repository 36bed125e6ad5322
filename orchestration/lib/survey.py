"""The survey codebook (survey/codebook.xlsx, sheet `items`) as the contract names its
columns and as `raw.survey_codebook` lands it.

Read by `ingest.ingest_codebook`; the exports are read against the landed codebook by
`survey_exports.read_survey_export` (`ingest.ingest_survey`).
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import map_distinct
from orchestration.lib.headers import ColumnSpec
from orchestration.lib.lineage import LINEAGE_COLUMNS
from orchestration.lib.stacked import FileProblems, row_problems
from orchestration.lib.text import normalise_header

CODEBOOK_SHEET = "items"
CODEBOOK_COLUMNS = ColumnSpec(required=("item_id", "section", "statement", "scale"))
CODEBOOK_LANDED = ("item_id", "section", "statement", "scale", "item_order", *LINEAGE_COLUMNS)


def numbered_items(items: pl.DataFrame, problems: FileProblems) -> pl.DataFrame:
    """Item ids as exports name their columns (`SEC 01 ` -> `sec_01`), and the items'
    order in the codebook; a blank id or statement is a problem of its row."""
    for column in ("item_id", "statement"):
        problems.add(
            row_problems(
                items, pl.col(column).is_null(), column, lambda _, c=column: f"{c} is blank"
            )
        )
    return items.with_columns(
        map_distinct(items["item_id"], normalise_header, pl.String),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("item_order"),
    )
