"""Allow-list the contract's columns: normalise headers, require, keep, clean.

Minimisation is by allow-list: a column the contract does not name for keeping (names,
emails, countries, free text, survey-tool metadata, anything new) is never copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.text import PUNCTUATION, normalise_header


@dataclass(frozen=True)
class ColumnSpec:
    """The contract's view of one input table."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Alternative header -> contract name, after header normalisation.
    aliases: dict[str, str] = field(default_factory=dict)


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


def contract_renames(
    table: SourceTable, spec: ColumnSpec, extra_required: tuple[str, ...] = ()
) -> dict[str, str]:
    """Header -> contract name of the columns to keep; fails on missing or doubled ones."""
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    wanted = set(spec.required) | set(spec.optional) | set(extra_required)
    for header in table.frame.columns:
        if header == ROW_COLUMN:
            continue
        name = normalise_header(header)
        name = spec.aliases.get(name, name)
        if name not in wanted:
            continue
        if name in seen:
            problems.append(
                table.problem(
                    f"headers '{seen[name]}' and '{header}' both mean '{name}'",
                    row=1,
                    column=header,
                )
            )
            continue
        seen[name] = header
        renamed[header] = name
    for name in (*spec.required, *extra_required):
        if name not in seen:
            problems.append(
                table.problem(f"required column '{name}' is missing", row=1, column=name)
            )
    if problems:
        raise RawDataError(problems)
    return renamed


def contract_columns(spec: ColumnSpec, extra_required: tuple[str, ...] = ()) -> list[str]:
    return list(dict.fromkeys((*spec.required, *extra_required, *spec.optional)))


def contract_frame(
    table: SourceTable, spec: ColumnSpec, extra_required: tuple[str, ...] = ()
) -> pl.DataFrame:
    """The contract's columns of one table, raw, in `contract_columns` order (an absent
    optional one as blanks) and with lineage, so that the frames of many files stack."""
    renamed = contract_renames(table, spec, extra_required)
    by_name = {name: header for header, name in renamed.items()}
    return table.frame.select(
        *(
            pl.col(by_name[name]).alias(name)
            if name in by_name
            else pl.lit(None, dtype=pl.String).alias(name)
            for name in contract_columns(spec, extra_required)
        ),
        pl.lit(table.file, dtype=pl.String).alias("source_file"),
        pl.lit(table.sheet, dtype=pl.String).alias("source_sheet"),
        pl.col(ROW_COLUMN),
    )


def clean_columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Clean `names` and drop the rows where all of them are blank: blank rows between
    blocks and formatting-only rows carry no data."""
    frame = frame.with_columns([_clean_distinct(frame[name]) for name in names])
    return frame.filter(pl.any_horizontal([pl.col(name).is_not_null() for name in names]))


def select_contract_columns(
    table: SourceTable, spec: ColumnSpec, extra_required: tuple[str, ...] = ()
) -> SourceTable:
    """Rename headers to contract names, fail on missing ones, drop everything else."""
    frame = contract_frame(table, spec, extra_required).drop("source_file", "source_sheet")
    frame = clean_columns(frame, contract_columns(spec, extra_required))
    return SourceTable(frame=frame, file=table.file, sheet=table.sheet)


def require_rows(table: SourceTable) -> None:
    if table.frame.height == 0:
        raise RawDataError([table.problem("has a header but no data rows")])
