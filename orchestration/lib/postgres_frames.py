"""A PostgreSQL query's rows as a Polars frame, its columns typed as the server typed them.

Polars infers a column's type from its values, so a column with no value (an empty mart, a
column null in every row) comes out as Polars' `Null` type, where DuckDB's `.pl()` gives
the column's own type; code written against DuckDB's frames then fails on it (a string
method on `Null`). Such columns take the type the server's description names.
"""

from __future__ import annotations

import polars as pl

# PostgreSQL's type oids (pg_type) of the column types the pipeline's tables use.
_TYPES = {
    16: pl.Boolean,
    20: pl.Int64,
    21: pl.Int64,
    23: pl.Int64,
    25: pl.String,
    700: pl.Float64,
    701: pl.Float64,
    1043: pl.String,
    1082: pl.Date,
    1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"),
    1700: pl.Float64,
}


def frame_of(cursor) -> pl.DataFrame:
    """The rows a psycopg cursor has not fetched yet, with its description's column types
    where the values give none."""
    names = [column.name for column in cursor.description]
    rows = cursor.fetchall()
    # Every column's type from all its rows: a column null in its first rows is still a
    # number where it is one.
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    untyped = {
        column.name: _TYPES[column.type_code]
        for column in cursor.description
        if frame.schema[column.name] == pl.Null and column.type_code in _TYPES
    }
    return frame.cast(untyped) if untyped else frame
