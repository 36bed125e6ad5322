"""Landing ingest's tables on a real PostgreSQL (the session's throwaway server): every
column type ingest produces comes back as it went in, the fingerprints are recorded with
the tables, and a landing that fails half-way leaves every table as it was."""

from datetime import UTC, date, datetime

import polars as pl
import psycopg
import pytest

from orchestration.lib.postgres_frames import frame_of
from orchestration.lib.postgres_landing import landed_fingerprint, postgres_type, replace_tables
from orchestration.lib.spilled import SpilledTable, SpillFolder

AWKWARD = ["tab\there", 'quote " and \\ backslash', "new\nline", "Défenseure ✊", None]


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "text": AWKWARD,
            "whole": [1, -2, 2**40, 0, None],
            "small": pl.Series([1, 2, 3, 4, None], dtype=pl.Int32),
            "share": [0.125, 1 / 3, -0.0, 1e-12, None],
            "flag": [True, False, None, True, False],
            "day": [date(2026, 1, 31), None, date(1999, 12, 31), date(2026, 2, 1), None],
            "submitted_at": pl.Series(
                [datetime(2026, 3, 1, 9, 30, tzinfo=UTC), None, None, None, None],
                dtype=pl.Datetime("us", "UTC"),
            ),
            "local": [datetime(2026, 3, 1, 9, 30, 15, 250000), None, None, None, None],
            "blank": pl.Series([None] * 5, dtype=pl.Null),
        }
    )


@pytest.fixture
def connection(postgres_server, request):
    url = postgres_server.create_database(f"landing_{request.node.name[-40:].lower()}")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("set timezone = 'Asia/Kathmandu'")  # not UTC: offsets must survive
        yield connection


def _read(connection, table: str) -> pl.DataFrame:
    cursor = connection.execute(f"select * from {table}")
    names = [column.name for column in cursor.description]
    return pl.DataFrame(cursor.fetchall(), schema=names, orient="row", infer_schema_length=None)


def test_every_column_type_comes_back_as_it_went_in(connection):
    frame = _frame()
    assert replace_tables(connection, "raw", {"survey": frame}, "print-1") == {"survey": 5}
    back = _read(connection, "raw.survey")
    assert back.columns == frame.columns
    for column in ["text", "whole", "small", "share", "flag", "day", "local"]:
        assert back[column].to_list() == frame[column].to_list(), column
    assert back["submitted_at"].to_list()[0] == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert back["blank"].to_list() == [None] * 5
    types = dict(
        connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'survey'"
        ).fetchall()
    )
    assert types == {
        "text": "character varying",
        "whole": "bigint",
        "small": "integer",
        "share": "double precision",
        "flag": "boolean",
        "day": "date",
        "submitted_at": "timestamp with time zone",
        "local": "timestamp without time zone",
        "blank": "character varying",
    }


def test_a_query_s_columns_keep_the_server_s_types_when_no_value_gives_one(connection):
    """An empty table, or a column null in every row, reads back typed as on DuckDB (the
    level patterns' mart of a programme where every level is nested: their wording calls
    string methods on its columns)."""
    connection.execute(
        "create table marts_like (levels varchar, n bigint, share numeric, day date, "
        "flag boolean, at timestamptz)"
    )
    empty = frame_of(connection.execute("select * from marts_like"))
    assert empty.schema == pl.Schema(
        {
            "levels": pl.String,
            "n": pl.Int64,
            "share": pl.Float64,
            "day": pl.Date,
            "flag": pl.Boolean,
            "at": pl.Datetime("us", "UTC"),
        }
    )
    connection.execute("insert into marts_like (n) values (3), (4)")
    nulls = frame_of(connection.execute("select levels, n from marts_like order by n"))
    assert nulls.schema == pl.Schema({"levels": pl.String, "n": pl.Int64})
    assert nulls["n"].to_list() == [3, 4]
    assert nulls["levels"].str.split(", ").to_list() == [None, None]


def test_fingerprints_are_recorded_with_the_tables_they_landed(connection):
    one, two = pl.DataFrame({"a": [1]}), pl.DataFrame({"b": ["x"]})
    assert landed_fingerprint(connection, "raw", ["one"]) is None  # nothing landed yet
    replace_tables(connection, "raw", {"one": one, "two": two}, "print-1")
    assert landed_fingerprint(connection, "raw", ["one", "two"]) == "print-1"
    replace_tables(connection, "raw", {"two": two}, "print-2")
    assert landed_fingerprint(connection, "raw", ["two"]) == "print-2"
    assert landed_fingerprint(connection, "raw", ["one", "two"]) is None  # not alike
    assert landed_fingerprint(connection, "raw", ["one", "three"]) is None  # one never landed


def test_a_landing_that_fails_half_way_leaves_every_table_as_it_was(connection):
    replace_tables(connection, "raw", {"one": pl.DataFrame({"a": [1, 2]})}, "print-1")
    unlandable = pl.DataFrame({"items": [[1, 2]]})  # a list column: no PostgreSQL type here
    with pytest.raises(ValueError, match="no PostgreSQL column type for Polars' List"):
        replace_tables(
            connection,
            "raw",
            {"one": pl.DataFrame({"a": [9]}), "two": unlandable},
            "print-2",
        )
    assert _read(connection, "raw.one")["a"].to_list() == [1, 2]
    assert landed_fingerprint(connection, "raw", ["one"]) == "print-1"
    missing = connection.execute("select to_regclass('raw.two')").fetchone()[0]
    assert missing is None


def test_free_text_lands_apart_and_a_none_removes_it(connection):
    notes = pl.DataFrame({"marker_key": ["k1"], "outcome": ["a defender's own words"]})
    replace_tables(
        connection, "raw", {"one": pl.DataFrame({"a": [1]})}, "p", "restricted", {"notes": notes}
    )
    assert _read(connection, "restricted.notes")["outcome"].to_list() == ["a defender's own words"]
    replace_tables(
        connection, "raw", {"one": pl.DataFrame({"a": [1]})}, "p", "restricted", {"notes": None}
    )
    assert connection.execute("select to_regclass('restricted.notes')").fetchone()[0] is None


def test_an_unknown_column_type_is_named():
    assert postgres_type(pl.Datetime("ms")) == "timestamp"
    with pytest.raises(ValueError, match="Polars' Decimal"):
        postgres_type(pl.Decimal(10, 2))


def test_a_spilled_table_lands_its_parts_in_order(connection, tmp_path):
    """A survey spilled to Parquet by ingest lands as the frame it was, parts and row groups
    in order, without being read whole."""
    folder = SpillFolder(tmp_path)
    first = _frame()
    second = pl.concat([_frame()] * 3).with_columns(pl.col("whole") * 10)
    spilled = SpilledTable.stacked(
        [
            folder.part(first, "survey"),
            folder.part_of_slices(second.iter_slices(4), "survey"),
        ]
    )
    assert replace_tables(connection, "raw", {"survey": spilled}, "print-1") == {"survey": 20}
    back = _read(connection, "raw.survey")
    expected = pl.concat([first, second])
    for column in ["text", "whole", "small", "share", "flag", "day", "local"]:
        assert back[column].to_list() == expected[column].to_list(), column
    assert landed_fingerprint(connection, "raw", ["survey"]) == "print-1"
