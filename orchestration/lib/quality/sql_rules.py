"""Each expectation type the suites use, as SQL: which rows it considers, which of them it
finds unexpected. The engine counts them; only the first failing rows (capped) come back.

The meanings are GX's for the same expectation and kwargs:
- column values (`in_set`, `between`, `unique`): null values are not checked;
  `not_be_null`: null values are the unexpected ones;
- `unique`: every row whose value another row also holds is unexpected;
- column pairs: rows are skipped per `ignore_row_if` (default: both values missing); a pair
  with a value missing is unexpected (GX's pandas comparison of a missing value is false);
- table expectations look at the columns or the row count.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib.quality.sql_text import identifier, in_list, literal

TABLE_TYPES = ("expect_table_columns_to_match_set", "expect_table_row_count_to_be_between")


@dataclass(frozen=True)
class Rule:
    """One expectation as SQL over the suite's rows. `unexpected`: the predicate of a failing
    row; `considered`: the rows the expectation looks at (GX's element count less the
    missing ones); `window`: a helper column the predicate reads (`unique`'s count)."""

    index: int
    type: str
    kwargs: dict
    columns: list[str]
    unexpected: str | None = None
    considered: str | None = None
    window: str | None = None


def resolve(kwargs: dict, parameters: dict) -> dict:
    """The expectation's kwargs with `{"$PARAMETER": name}` replaced by its value."""
    return {
        key: parameters[value["$PARAMETER"]]
        if isinstance(value, dict) and "$PARAMETER" in value
        else value
        for key, value in kwargs.items()
    }


def rule(index: int, type_: str, kwargs: dict) -> Rule:
    """`kwargs` resolved. An expectation type not listed here raises ValueError: a suite
    using it needs its SQL first."""
    if type_ in TABLE_TYPES:
        return Rule(index, type_, kwargs, [])
    if type_.startswith("expect_column_pair_values"):
        a, b = identifier(kwargs["column_A"]), identifier(kwargs["column_B"])
        ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
        considered = {
            "both_values_are_missing": f"not ({a} is null and {b} is null)",
            "either_value_is_missing": f"({a} is not null and {b} is not null)",
            "neither": "true",
        }[ignore]
        if type_ == "expect_column_pair_values_to_be_equal":
            failing = f"not coalesce({a} = {b}, false)"
        elif type_ == "expect_column_pair_values_a_to_be_greater_than_b":
            operator = ">=" if kwargs.get("or_equal") else ">"
            failing = f"not coalesce({a} {operator} {b}, false)"
        else:
            raise ValueError(f"no SQL for {type_}")
        return Rule(
            index,
            type_,
            kwargs,
            [kwargs["column_A"], kwargs["column_B"]],
            f"({considered} and {failing})",
            considered,
        )
    column = identifier(kwargs["column"])
    present = f"{column} is not null"
    if type_ == "expect_column_values_to_not_be_null":
        return Rule(index, type_, kwargs, [kwargs["column"]], f"{column} is null", "true")
    if type_ == "expect_column_values_to_be_in_set":
        failing = f"not ({in_list(column, kwargs['value_set'])})"
        return Rule(index, type_, kwargs, [kwargs["column"]], f"({present} and {failing})", present)
    if type_ == "expect_column_values_to_be_between":
        bounds = [
            f"{column} {operator} {literal(kwargs[key])}"
            for key, operator in (("min_value", "<"), ("max_value", ">"))
            if kwargs.get(key) is not None
        ]
        failing = " or ".join(bounds) or "false"
        return Rule(
            index, type_, kwargs, [kwargs["column"]], f"({present} and ({failing}))", present
        )
    if type_ == "expect_column_values_to_be_unique":
        window = f"count(*) over (partition by {column})"
        return Rule(
            index,
            type_,
            kwargs,
            [kwargs["column"]],
            f"({present} and rule_{index}_rows > 1)",
            present,
            window,
        )
    raise ValueError(f"no SQL for {type_}")


def table_success(item: Rule, columns: list[str], row_count: int) -> tuple[bool, object]:
    """A table expectation's verdict and GX's `observed_value`."""
    if item.type == "expect_table_row_count_to_be_between":
        low, high = item.kwargs.get("min_value"), item.kwargs.get("max_value")
        passed = (low is None or row_count >= low) and (high is None or row_count <= high)
        return passed, row_count
    expected = set(item.kwargs["column_set"])
    if item.kwargs.get("exact_match", True):
        return set(columns) == expected, columns
    return expected <= set(columns), columns
