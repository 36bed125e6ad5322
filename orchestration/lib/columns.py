"""Allow-list the contract's columns: normalise headers, require, keep, clean.

Minimisation is by allow-list: a column the contract does not name for keeping (names,
emails, countries, free text, survey-tool metadata, anything new) is never copied.
"""

from __future__ import annotations

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


def select_contract_columns(
    table: SourceTable, spec: ColumnSpec, extra_required: tuple[str, ...] = ()
) -> SourceTable:
    """Rename headers to contract names, fail on missing ones, drop everything else."""
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

    kept = list(renamed.values())
    frame = table.frame.select([*renamed.keys(), ROW_COLUMN]).rename(renamed)
    frame = (
        frame.with_columns([_clean_distinct(frame[name]) for name in kept])
        # Blank rows between blocks and formatting-only rows carry no data.
        .filter(pl.any_horizontal([pl.col(name).is_not_null() for name in kept]))
    )
    for name in spec.optional:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    return SourceTable(frame=frame, file=table.file, sheet=table.sheet)


def require_rows(table: SourceTable) -> None:
    if table.frame.height == 0:
        raise RawDataError([table.problem("has a header but no data rows")])
