"""Stacking many files' sheets into one frame must not lose where a problem is: each
problem still names file, sheet, row and column, file by file."""

from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import readers
from orchestration.lib.columns import ColumnSpec, contract_frame, map_distinct
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.readers import SourceTable, read_each
from orchestration.lib.stacked import (
    FileProblems,
    require_rows_per_table,
    row_problems,
    stack,
    without_failed,
)
from orchestration.lib.values import parse_whole_number

SPEC = ColumnSpec(required=("participant_id", "outcome_no"), optional=("final_status",))


def _table(file: str, columns: dict[str, list], sheet: str | None = "markers") -> SourceTable:
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    frame = frame.with_row_index("source_row", offset=2).with_columns(
        pl.col("source_row").cast(pl.Int64)
    )
    return SourceTable(frame=frame, file=file, sheet=sheet)


def test_map_distinct_parses_each_value_once_and_keeps_rows_and_nulls():
    calls = []

    def parse(value: str) -> int | None:
        calls.append(value)
        return parse_whole_number(value)

    column = pl.Series("n", ["2", None, "2", "x", "1.0"])
    parsed = map_distinct(column, parse, pl.Int64)
    assert parsed.to_list() == [2, None, 2, None, 1]
    assert parsed.name == "n"
    assert sorted(calls) == ["1.0", "2", "x"]


def test_contract_frame_renames_orders_fills_and_adds_lineage():
    table = _table("a.xlsx", {"Outcome No": ["1"], "Name": ["secret"], "Participant ID": ["A"]})
    frame = contract_frame(table, SPEC)
    assert frame.columns == [
        "participant_id",
        "outcome_no",
        "final_status",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert frame.row(0) == ("A", "1", None, "a.xlsx", "markers", 2)


def test_stack_cleans_drops_blank_rows_and_skips_files_that_fail():
    good = _table(
        "a.xlsx", {"participant_id": [" A\u00a0 1 ", None, "B"], "outcome_no": ["1", " ", "2"]}
    )
    missing = _table("b.xlsx", {"participant_id": ["C"]})
    problems = FileProblems(["a.xlsx", "b.xlsx"])
    frame = stack([good, missing], SPEC, problems)
    assert frame.select("participant_id", "source_file", "source_row").rows() == [
        ("A 1", "a.xlsx", 2),
        ("B", "a.xlsx", 4),
    ]
    assert problems.failed == {"b.xlsx"}
    with pytest.raises(RawDataError) as caught:
        problems.raise_any()
    assert [str(problem) for problem in caught.value.problems] == [
        "b.xlsx, sheet 'markers', row 1, column 'outcome_no': required column 'outcome_no' "
        "is missing"
    ]


def test_a_table_left_without_rows_is_a_problem_of_its_file_only():
    tables = [
        _table("a.xlsx", {"participant_id": ["A"], "outcome_no": ["1"]}),
        _table("b.csv", {"participant_id": [" "], "outcome_no": [None]}, sheet=None),
    ]
    problems = FileProblems(["a.xlsx", "b.csv"])
    frame = require_rows_per_table(stack(tables, SPEC, problems), tables, problems)
    assert frame["source_file"].to_list() == ["a.xlsx"]
    assert problems.failed == {"b.csv"}


def test_row_problems_are_located_by_lineage_with_the_raw_value():
    frame = stack(
        [
            _table("a.xlsx", {"participant_id": ["A", "B"], "outcome_no": ["1", "two"]}),
            _table("b.csv", {"participant_id": ["C"], "outcome_no": ["0"]}, sheet=None),
        ],
        SPEC,
        FileProblems(["a.xlsx", "b.csv"]),
    )
    frame = frame.with_columns(map_distinct(frame["outcome_no"], int_or_none, pl.Int64).alias("n"))
    found = row_problems(frame, pl.col("n").fill_null(0) < 1, "outcome_no", lambda raw: f"'{raw}'")
    assert [str(problem) for problem in found] == [
        "a.xlsx, sheet 'markers', row 3, column 'outcome_no': 'two'",
        "b.csv, row 2, column 'outcome_no': '0'",
    ]


def int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def test_file_problems_are_reported_file_by_file_whatever_the_order_found():
    problems = FileProblems(["a", "b"])
    problems.add([Problem("b", "first found"), Problem("a", "second found")])
    problems.add([Problem("b", "third found")])
    frame = pl.DataFrame({"source_file": ["a", "b", "c"]})
    assert without_failed(frame, problems)["source_file"].to_list() == ["c"]
    with pytest.raises(RawDataError) as caught:
        problems.raise_any()
    assert [problem.message for problem in caught.value.problems] == [
        "second found",
        "first found",
        "third found",
    ]
    FileProblems(["a"]).raise_any()  # nothing found: nothing raised


def test_read_each_keeps_the_order_and_puts_each_files_error_in_its_place(monkeypatch):
    def read(path: Path) -> str:
        if path.name == "bad":
            raise RawDataError([Problem(path.name, "cannot be read")])
        return path.name

    monkeypatch.setattr(readers.os, "cpu_count", lambda: 3)
    results = read_each(read, [Path(name) for name in ("a", "bad", "c", "d")])
    assert results[0] == "a" and results[2:] == ["c", "d"]
    assert isinstance(results[1], RawDataError)
    assert results[1].problems[0].file == "bad"
