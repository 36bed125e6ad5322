"""Stacking many files' sheets into one frame must not lose where a problem is: each
problem still names file, sheet, row and column, file by file. And only the contract's
columns are ever copied out of a sheet."""

from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import readers
from orchestration.lib.columns import keep, map_distinct
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.grids import Grid, numbered
from orchestration.lib.headers import ColumnSpec, find_headers
from orchestration.lib.readers import read_each
from orchestration.lib.stacked import FileProblems, row_problems
from orchestration.lib.values import parse_whole_number

SPEC = ColumnSpec(required=("participant_id", "outcome_no"), optional=("final_status",))


def _grid(file: str, rows: list[list | None], sheet: str | None = "markers", errors=None) -> Grid:
    """Rows as a reader gives them, from spreadsheet row 1; None is an empty row."""
    width = max(len(row or []) for row in rows)
    cells = [(row or []) + [None] * (width - len(row or [])) for row in rows]
    frame = pl.DataFrame(cells, schema=[(f"x{i}", pl.String) for i in range(width)], orient="row")
    return Grid(file, sheet, numbered(frame), errors or {})


def _stack(grids: list[Grid], problems: FileProblems, require_rows: bool = True):
    return keep(find_headers(grids, SPEC, problems), SPEC, problems, require_rows)


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


def test_only_the_contract_columns_are_kept_in_order_with_lineage():
    grid = _grid("a.xlsx", [["Outcome No", "Name", "Participant ID"], ["1", "secret", "A"]])
    problems = FileProblems(["a.xlsx"])
    frame = _stack([grid], problems)
    assert frame.columns == [
        "participant_id",
        "outcome_no",
        "final_status",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert frame.rows() == [("A", "1", None, "a.xlsx", "markers", 2)]
    assert "secret" not in frame.write_csv()
    problems.raise_any()


def test_rows_are_cleaned_blank_ones_dropped_and_a_sheet_without_its_columns_is_its_files():
    good = _grid(
        "a.xlsx",
        [
            ["participant_id", "outcome_no"],
            [" A\u00a0 1 ", "1"],
            # Only spaces, tabs and non-breaking spaces: blank, and the row with it.
            ["\u00a0", " \t"],
            ["B", "2"],
        ],
    )
    missing = _grid("b.xlsx", [["participant_id"], ["C"]])
    problems = FileProblems(["a.xlsx", "b.xlsx"])
    frame = _stack([good, missing], problems)
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


def test_a_sheet_left_without_rows_is_a_problem_of_its_file_only():
    grids = [
        _grid("a.xlsx", [["participant_id", "outcome_no"], ["A", "1"]]),
        _grid("b.csv", [["participant_id", "outcome_no"], [" ", None]], sheet=None),
    ]
    problems = FileProblems(["a.xlsx", "b.csv"])
    frame = _stack(grids, problems)
    assert frame["source_file"].to_list() == ["a.xlsx"]
    assert problems.failed == {"b.csv"}
    # An optional sheet may have no rows.
    problems = FileProblems(["b.csv"])
    assert _stack(grids[1:], problems, require_rows=False).height == 0
    assert problems.failed == set()


def test_an_error_cell_of_a_kept_column_is_located_and_other_columns_error_cells_are_not():
    grid = _grid(
        "a.xlsx",
        [["title"], ["participant_id", "outcome_no", "comment"], ["A", None, None]],
        errors={(3, 1): "#REF!", (3, 2): "#N/A"},
    )
    problems = FileProblems(["a.xlsx"])
    _stack([grid], problems)
    with pytest.raises(RawDataError) as caught:
        problems.raise_any()
    assert [str(problem) for problem in caught.value.problems] == [
        "a.xlsx, sheet 'markers', row 3, column 'outcome_no': holds the error value #REF!: "
        "correct the formula or type the value"
    ]


def test_row_problems_are_located_by_lineage_with_the_raw_value():
    frame = _stack(
        [
            _grid("a.xlsx", [["participant_id", "outcome_no"], ["A", "1"], ["B", "two"]]),
            _grid("b.csv", [["participant_id", "outcome_no"], ["C", "0"]], sheet=None),
        ],
        FileProblems(["a.xlsx", "b.csv"]),
    )
    frame = frame.with_columns(
        map_distinct(frame["outcome_no"], parse_whole_number, pl.Int64).alias("n")
    )
    found = row_problems(frame, pl.col("n").is_null(), "outcome_no", lambda raw: f"'{raw}'")
    assert [str(problem) for problem in found] == [
        "a.xlsx, sheet 'markers', row 3, column 'outcome_no': 'two'",
        "b.csv, row 2, column 'outcome_no': '0'",
    ]


def test_file_problems_are_reported_file_by_file_sheet_by_sheet_and_row_by_row():
    problems = FileProblems(["a", "b"])
    problems.add([Problem("b", "first found", "s", 3), Problem("a", "second found", "s", 5)])
    problems.add([Problem("b", "third found", "s", 2), Problem("a", "fourth found", "t", 1)])
    problems.add([Problem("a", "fifth found", "s", 4), Problem("b", "first found", "s", 3)])
    assert problems.failed == {"a", "b"}
    with pytest.raises(RawDataError) as caught:
        problems.raise_any()
    # A problem found twice (a cell read for two purposes) is said once.
    assert [problem.message for problem in caught.value.problems] == [
        "fifth found",
        "second found",
        "fourth found",
        "third found",
        "first found",
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
