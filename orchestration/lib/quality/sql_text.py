"""Small pieces of portable SQL text (DuckDB and PostgreSQL alike) that the suites' queries
are built from: quoted names, literals from the programme definition, lookups by value, and distinct
counts over a window (PostgreSQL has no `count(distinct ...) over`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def identifier(name: str) -> str:
    """A table, schema or column name as SQL: double-quoted, any double quote doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    """A value of the programme definition or a suite as SQL: text quoted, never executed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def in_list(expression: str, values: Iterable) -> str:
    """`expression in (...)`; false for an empty list (SQL has no empty `in ()`)."""
    values = list(values)
    if not values:
        return f"({expression} is not null and false)"
    return f"{expression} in ({', '.join(literal(v) for v in values)})"


def lookup(expression: str, mapping: Mapping, default: str | None = None) -> str:
    """The value `mapping` gives `expression`, else `default` (the expression itself: a
    label for an id the definition knows, the id as it is otherwise)."""
    otherwise = expression if default is None else default
    if not mapping:
        return otherwise
    cases = " ".join(f"when {literal(k)} then {literal(v)}" for k, v in mapping.items())
    return f"case {expression} {cases} else {otherwise} end"


def stated(mapping: Mapping[int, int], expression: str) -> str:
    """A count `programme.toml` states for the row's cohort, null where it states none."""
    return f"cast({lookup(expression, mapping, 'null') if mapping else 'null'} as bigint)"


def distinct_over(expression: str, partition: list[str]) -> str:
    """How many distinct values (null counted as one, as Polars' n_unique does) of
    `expression` the row's partition holds, with window functions both engines have."""
    by = ", ".join(partition)
    return (
        f"(dense_rank() over (partition by {by} order by {expression} asc nulls last)"
        f" + dense_rank() over (partition by {by} order by {expression} desc nulls first)"
        " - 1)"
    )


def any_over(condition: str, partition: list[str]) -> str:
    """Whether the condition holds on some row of the row's partition (null: not)."""
    return (
        f"(max(case when {condition} then 1 else 0 end) over (partition by "
        f"{', '.join(partition)}) = 1)"
    )


def values_table(name: str, columns: list[str], rows: list[tuple]) -> str:
    """A small table of the definition's rows, as a derived table `name(columns)`."""
    if not rows:
        nulls = ", ".join(f"cast(null as varchar) as {column}" for column in columns)
        return f"(select {nulls} where false) as {name}"
    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"(values {body}) as {name}({', '.join(columns)})"


def typed_rows(columns: dict[str, str], rows: list[tuple]) -> str:
    """A select of a few rows made in Python, each column cast to its SQL type (`columns`:
    name -> type), so that a column null in every row still compares as its type."""
    if not rows:
        nulls = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in columns.items())
        return f"select {nulls} where false"
    casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())
    return f"select {casts} from {values_table('given', list(columns), rows)}"
