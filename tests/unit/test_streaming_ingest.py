"""A large survey is read column-wise and spilled to Parquet export by export (issue 17):
the fast paths must read every value exactly as the per-value readers do, and a spilled
survey must land the very tables an in-memory one does, in one transaction."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lib import ingest, readers, warehouse
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.spilled import SpilledTable
from orchestration.lib.survey_export_rules import CodebookItem, SurveyRules
from orchestration.lib.survey_export_values import (
    parse_response_id,
    parse_response_ids,
    parse_submission_time,
    parse_submission_times,
)
from orchestration.lib.survey_exports import read_survey_export
from tests.programmes import minimal_programme

HEADER = "response_id,submitted_at,cohort,sec_01,con_01"


@pytest.mark.parametrize(
    "text",
    [
        # Kobo: every field quoted, `;`, a byte-order mark, CRLF, a quoted field on two lines.
        '\ufeff"response_id";"submitted_at";"cohort";"sec_01"\r\n'
        '"r1";"2024-05-01";"C1";"More\r\nconfident"\r\n"r2";"2024-05-01";"C1";""\r\n',
        # ODK: quotes only where needed, an embedded quote, a trailing empty field.
        f'{HEADER}\nr1,2024-05-01,1,"He said ""more""",\nr2,2024-05-01,1,,Agree\n',
        # Blank and whitespace-only lines keep the records' numbers.
        f"{HEADER}\n\nr1,2024-05-01,1, ,Agree\n  ,,,,\nr2,2024-05-01,1,x,y",
        # A title row above the header, narrower than it.
        f"IDREAM survey export\n{HEADER}\nr1,2024-05-01,1,a,b\n",
        # A row cut short, and one too long.
        f"{HEADER}\nr1,2024-05-01,1,a\nr2,2024-05-01,1,a,b,c\n",
        # A single column.
        "response_id\nr1\n\nr2\n",
        # Old Mac line ends; a quote inside and after a field; a quote never closed.
        f"{HEADER}\rr1,2024-05-01,1,a,b\r\rr2,2024-05-01,1,x,y",
        f'{HEADER}\nr1,2024-05-01,1,a"b,"c"d\n',
        f'{HEADER}\nr1,2024-05-01,1,"a,b\n',
    ],
    ids=[
        "kobo",
        "odk",
        "blank lines",
        "title row",
        "ragged",
        "one column",
        "carriage returns",
        "stray quotes",
        "unclosed quote",
    ],
)
def test_a_csv_reads_as_the_csv_module_reads_it(tmp_path, text):
    """The Arrow reader is used only where it gives the csv module's grid, cell for cell,
    row numbers and field counts included; every other file is read by the csv module."""
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    body = text.removeprefix("\ufeff")
    separator = ";" if body.startswith('"response_id";') else ","
    expected = readers._read_uneven_csv(body, separator, "export.csv")
    grid = readers.read_csv(path, "export.csv")
    assert grid.cells.to_dicts() == expected.cells.to_dicts()
    assert grid.cells.schema == expected.cells.schema


TIMES = [
    "2024-05-01T10:00:00",
    "2024-05-01 10:00:00Z",
    "2024-05-01T10:00:00.5+03:00",
    "2024-05-01T10:00:00.123456-05:30",
    "2024-05-01T23:59:59.7",
    "2024-05-01T10:00:59.9999995",
    "2024-05-01T10:00:00+0300",
    "2024-05-01",
    " 2024-05-01T10:00:00 ",
    "2024-02-30T10:00:00",
    "2024-05-01T24:00:00",
    "2024-05-01T10:00:60",
    "2024-05-01T10:00:00+24:00",
    "45413.4166666667",
    "0",
    "last Tuesday",
    "",
    None,
]


@pytest.mark.parametrize("from_workbook", [False, True])
def test_times_read_by_column_are_the_times_read_one_by_one(from_workbook):
    """The column-wise reading takes only the plain ISO times, and gives each the UTC time
    (rounded to the second from a workbook) the per-value reading gives; it leaves every
    other text to the per-value reading."""
    column = parse_submission_times(pl.Series("submitted_at", TIMES), from_workbook)
    expected = [
        None if text is None else parse_submission_time(text, from_workbook) for text in TIMES
    ]
    assert column.to_list() == expected
    assert column.dtype == pl.Datetime("us", "UTC")


def test_response_ids_read_by_column_are_the_ids_read_one_by_one():
    ids = ["uuid:abc-1", "UUID:x_2", " uuid: y ", "uuid:", "abc.3", "é-4", "", None]
    expected = [None if text is None else parse_response_id(text) for text in ids]
    assert parse_response_ids(pl.Series("response_id", ids)).to_list() == expected


def test_answers_made_long_a_slice_at_a_time_are_the_long_answers(tmp_path):
    items = [
        CodebookItem("sec_01", "Assess the physical risks of my work", "confidence"),
        CodebookItem("con_01", "I feel connected to other IDREAM participants", "agreement"),
    ]
    rows = [f"r{n},2024-05-01,1,More confident,{'Agree' if n % 2 else ''}" for n in range(7)]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    export = read_survey_export(path, tmp_path, items, SurveyRules.of())
    whole = export.answers
    assert whole.select("response_id", "item_id").rows()[:4] == [
        ("r0", "sec_01"),
        ("r0", "con_01"),
        ("r1", "sec_01"),
        ("r1", "con_01"),
    ]
    assert pl.concat(export.answer_slices(3)).equals(whole)
    assert whole.height == 14


def _survey_programme(tmp_path: Path) -> Path:
    """The minimal programme with its survey in two exports."""
    programme = minimal_programme()
    header, _ = programme.surveys["survey.csv"]
    more = [(f"extra-{n}", "2024-05-02T09:00:00+02:00", "1", "Agree") for n in range(5)]
    programme.surveys["survey_2.csv"] = (header, more)
    return programme.write(tmp_path / "raw")


def _read(raw: Path, scratch: Path | None) -> ingest.Landed:
    definition = ProgrammeSettings.load(raw).definition
    codebook = ingest.ingest_codebook(raw, definition).tables["survey_codebook"]
    items = [CodebookItem(*row) for row in codebook.select("item_id", "statement", "scale").rows()]
    return ingest.ingest_survey(raw, definition, items, scratch=scratch)


def _landed_rows(database: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select * from raw.{table} order by rowid").fetchall()


def test_a_spilled_survey_lands_the_tables_an_in_memory_one_lands(tmp_path):
    raw = _survey_programme(tmp_path)
    in_memory = _read(raw, None)
    spilled = _read(raw, tmp_path / "scratch")
    for name in ("survey_responses", "survey_answers"):
        table = spilled.tables[name]
        assert isinstance(table, SpilledTable)
        assert len(table.parts) == 2
        assert (table.height, table.schema) == (
            in_memory.tables[name].height,
            in_memory.tables[name].schema,
        )
    warehouse.replace_tables(tmp_path / "memory.duckdb", in_memory.tables, "print")
    warehouse.replace_tables(tmp_path / "spilled.duckdb", spilled.tables, "print")
    for name in ("survey_responses", "survey_answers", "survey_exclusions"):
        rows = _landed_rows(tmp_path / "spilled.duckdb", name)
        assert rows == _landed_rows(tmp_path / "memory.duckdb", name)
    # Naive UTC times, in the exports' order: the second export's 09:00+02:00 is 07:00.
    responses = _landed_rows(tmp_path / "spilled.duckdb", "survey_responses")
    assert responses[-1][:2] == ("extra-4", datetime(2024, 5, 2, 7, 0))
    assert (
        warehouse.landed_fingerprint(
            tmp_path / "spilled.duckdb", ["survey_responses", "survey_answers"]
        )
        == "print"
    )


def test_spilled_parts_go_with_the_tables_that_read_them(tmp_path):
    raw = _survey_programme(tmp_path)
    scratch = tmp_path / "scratch"
    landed = _read(raw, scratch)
    assert list(scratch.glob("*/*.parquet"))
    del landed
    gc.collect()
    assert list(scratch.iterdir()) == []


def test_a_survey_that_cannot_be_landed_leaves_no_parts(tmp_path):
    raw = _survey_programme(tmp_path)
    broken = raw / "survey" / "survey_2.csv"
    broken.write_text(broken.read_text(encoding="utf-8").replace("Agree", "Agreed", 1))
    scratch = tmp_path / "scratch"
    with pytest.raises(Exception, match="answer 'Agreed' to item 'con_01'"):
        _read(raw, scratch)
    gc.collect()
    assert list(scratch.iterdir()) == []


def test_a_failed_spilled_landing_leaves_every_table_as_it_was(tmp_path):
    raw = _survey_programme(tmp_path)
    database = tmp_path / "w.duckdb"
    warehouse.replace_tables(database, _read(raw, None).tables, "before")
    before = _landed_rows(database, "survey_answers")
    spilled = _read(raw, tmp_path / "scratch")
    # The answers' last part is lost after the responses were landed in the transaction.
    spilled.tables["survey_answers"].parts[-1].unlink()
    with pytest.raises(duckdb.Error):
        warehouse.replace_tables(database, spilled.tables, "after")
    assert _landed_rows(database, "survey_answers") == before
    assert warehouse.landed_fingerprint(database, ["survey_responses"]) == "before"
