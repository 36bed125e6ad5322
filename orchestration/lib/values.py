"""The contract's typed values in the sheets: cohort numbers and whole numbers.

Each parser returns None for what it cannot read; `to_numbers` locates those cells.
(Survey exports' ids, times and cohorts: `survey_export_values`.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from orchestration.lib.columns import map_distinct
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.stacked import FileProblems, row_problems

_COHORT = re.compile(r"^(?:cohort|c)?\s*0*(\d+)(?:\.0+)?$")
_WHOLE = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")
COHORT_EXPECTED = "a cohort number such as 1, 'Cohort 1' or 'C1'"
OUTCOME_NO_EXPECTED = "a whole number of 1 or more"


def parse_cohort(value: str | None) -> int | None:
    """`1`, `Cohort 1`, `cohort_1`, `Cohort-1`, `C1`, ` cohort 1 ` and Excel's `1.0` all
    mean cohort 1 (the contract's forms, read by its label rule; a form's choice name
    `cohort_1` too)."""
    if value is None:
        return None
    typed = value.strip().lower()
    # The label rule's reading only for a word before the number (`cohort_1`): a `-1`
    # is no cohort.
    for text in (typed, label_match_key(typed)) if typed[:1].isalpha() else (typed,):
        match = _COHORT.match(text)
        if match and int(match.group(1)) >= 1:
            return int(match.group(1))
    return None


def parse_whole_number(value: str | None) -> int | None:
    """A whole number of 1 or more (`3`, Excel's `3.0`); None for anything else."""
    if value is None:
        return None
    match = _WHOLE.match(value)
    return int(match.group(1)) if match and int(match.group(1)) >= 1 else None


def to_numbers(
    frame: pl.DataFrame,
    column: str,
    parse: Callable[[str], int | None],
    expected: str,
    problems: FileProblems,
) -> pl.DataFrame:
    """`column` as whole numbers; a cell `parse` cannot read, or a blank one, is a problem
    of its row. `frame` carries lineage columns."""
    numbers = frame.with_columns(map_distinct(frame[column], parse, pl.Int64).alias("__number"))
    problems.add(
        row_problems(
            numbers,
            pl.col("__number").is_null(),
            column,
            lambda raw: f"{column} is blank: expected {expected}"
            if raw is None
            else f"{column} '{raw}' is not {expected}",
        )
    )
    return numbers.with_columns(pl.col("__number").alias(column)).drop("__number")
