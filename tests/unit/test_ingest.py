"""Ingest, on small files, without Dagster or dbt: what must hold for a file to be landed
(readable, its sheet, its required columns, typed values) and the allow-list of columns.
The contract's value rules are the GX suites' (tests/unit/test_quality_suites.py)."""

import re

import pytest

from orchestration.lib import ingest
from orchestration.lib.errors import RawDataError
from orchestration.lib.readers import read_csv
from orchestration.lib.workbooks import write_csv, write_workbook
from tests.programmes import minimal_programme, outcome

KEY = b"unit-test-key-0123456789"


def _messages(error: RawDataError) -> list[str]:
    return [str(problem) for problem in error.problems]


def test_only_the_contract_columns_survive_the_roster(tmp_path):
    raw = minimal_programme().write(tmp_path)
    landed = ingest.ingest_roster(raw, KEY).tables["participants"]
    assert landed.columns == [
        "participant_key",
        "cohort",
        "participant_type",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert landed["cohort"].to_list() == [1, 1]
    assert landed["source_row"].to_list() == [2, 3]
    assert "Name of A-1" not in landed.write_csv() and "A-1" not in landed.write_csv()


def test_headers_that_mean_the_same_column_are_refused(tmp_path):
    header = ("participant_id", "Participant ID", "cohort", "participant_type")
    write_workbook(
        tmp_path / "participants.xlsx", {"participants": (header, [("A", "A", "1", "ind")])}
    )
    with pytest.raises(
        RawDataError, match="headers 'participant_id' and 'Participant ID' both mean"
    ):
        ingest.ingest_roster(tmp_path, KEY)


def test_an_unreadable_cohort_is_located(tmp_path):
    programme = minimal_programme()
    programme.roster[1] = ("A-2", "the second", *programme.roster[1][2:])
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(programme.write(tmp_path), KEY)
    assert _messages(caught.value) == [
        "participants.xlsx, sheet 'participants', row 3, column 'cohort': cohort 'the second' is "
        "not a cohort number such as 1, 'Cohort 1' or 'C1'"
    ]


def test_problems_of_every_workbook_are_reported_together(tmp_path):
    programme = minimal_programme()
    programme.markers["cohort_2.xlsx"] = outcome("A-1", "Advocacy", 2)
    programme.markers["cohort_2.xlsx"][1] = (
        "A-1",
        "Advocacy",
        "two",
        *programme.markers["cohort_2.xlsx"][1][3:],
    )
    programme.markers["cohort_1.xlsx"][0] = (None, *programme.markers["cohort_1.xlsx"][0][1:])
    raw = programme.write(tmp_path)
    # An Excel lock file beside them is not a workbook to read.
    (raw / "success_markers" / "~$cohort_1.xlsx").write_bytes(b"lock")
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(raw, KEY)
    assert _messages(caught.value) == [
        "success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'participant_id': "
        "participant_id is blank",
        "success_markers/cohort_2.xlsx, sheet 'markers', row 3, column 'outcome_no': "
        "outcome_no 'two' is not a whole number of 1 or more",
    ]


def test_free_text_never_leaves_ingest(tmp_path):
    programme = minimal_programme()
    programme.unanticipated["cohort_1.xlsx"] = [("A-2", None, "midpoint", "SECRET STORY")]
    raw = programme.write(tmp_path)
    landed = ingest.ingest_success_markers(raw, KEY)
    for frame in landed.tables.values():
        assert not {"outcome", "marker", "description"} & set(frame.columns)
        assert "SECRET STORY" not in frame.write_csv()
        assert "Outcome 1 of A-1" not in frame.write_csv()
    assert landed.tables["unanticipated_outcomes"].height == 1


def test_kobo_csv_with_bom_and_semicolons_keeps_only_contract_columns(tmp_path):
    programme = minimal_programme()
    programme.surveys = {
        "kobo.csv": (
            ("deviceid", "username", "_uuid", "_submission_time", "cohort", "con_01", "_id"),
            [("dev", "someone", "u1", "2024-05-01T10:00:00", "C1", "Strongly  agree", "9")],
        )
    }
    raw = programme.write(tmp_path)
    landed = ingest.ingest_survey(raw, ["con_01"])
    responses, answers = landed.tables["survey_responses"], landed.tables["survey_answers"]
    assert responses.columns == [
        "response_id",
        "submitted_at",
        "cohort",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert responses["response_id"].to_list() == ["u1"]
    assert answers.select("item_id", "answer").rows() == [("con_01", "Strongly agree")]
    assert "someone" not in responses.write_csv() + answers.write_csv()


def test_a_missing_item_column_is_named(tmp_path):
    raw = minimal_programme().write(tmp_path)
    with pytest.raises(
        RawDataError, match=re.escape("survey/survey.csv, row 1, column 'con_02': required column")
    ):
        ingest.ingest_survey(raw, ["con_01", "con_02"])


def test_an_unreadable_submission_time_is_located(tmp_path):
    programme = minimal_programme()
    _, rows = programme.surveys["survey.csv"]
    rows[1] = (rows[1][0], "last Tuesday", *rows[1][2:])
    with pytest.raises(
        RawDataError, match=re.escape("row 3, column 'submitted_at': submitted_at 'last Tuesday'")
    ):
        ingest.ingest_survey(programme.write(tmp_path), ["con_01"])


def test_a_semicolon_csv_is_told_apart_from_a_comma_csv(tmp_path):
    write_csv(tmp_path / "a.csv", ("x", "y"), [("1", "2,5")], separator=";", bom=True)
    table = read_csv(tmp_path / "a.csv", "a.csv")
    assert table.frame.select("x", "y", "source_row").row(0) == ("1", "2,5", 2)
    assert table.frame.width == 3


def test_missing_roster_is_named(tmp_path):
    with pytest.raises(RawDataError, match=re.escape("participants.xlsx: is missing")):
        ingest.ingest_roster(tmp_path, KEY)


def test_survey_problems_are_listed_file_by_file_and_row_by_row(tmp_path):
    programme = minimal_programme()
    header = ("response_id", "submitted_at", "cohort", "con_01")
    programme.surveys = {
        "a.csv": (header, [("r1", "soon", "1", "Agree"), (None, "2024-05-01", "C x", "Agree")]),
        "b.csv": (header, [(None, "2024-05-01", "1", "Agree")]),
    }
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_survey(programme.write(tmp_path), ["con_01"])
    assert _messages(caught.value) == [
        "survey/a.csv, row 2, column 'submitted_at': submitted_at 'soon' is not an ISO "
        "date-time or Excel date",
        "survey/a.csv, row 3, column 'response_id': response_id is blank",
        "survey/a.csv, row 3, column 'cohort': cohort 'C x' is not a cohort number",
        "survey/b.csv, row 2, column 'response_id': response_id is blank",
    ]


def test_a_workbook_stops_at_its_first_failing_sheet(tmp_path):
    programme = minimal_programme()
    programme.markers["cohort_1.xlsx"][0] = (None, *programme.markers["cohort_1.xlsx"][0][1:])
    programme.markers["cohort_2.xlsx"] = outcome("A-2", "Advocacy", 1)
    for name in ("cohort_1.xlsx", "cohort_2.xlsx"):
        programme.unanticipated[name] = [(None, None, "final", "a description")]
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(programme.write(tmp_path), KEY)
    assert _messages(caught.value) == [
        "success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'participant_id': "
        "participant_id is blank",
        "success_markers/cohort_2.xlsx, sheet 'unanticipated', row 2, column 'participant_id': "
        "participant_id is blank",
    ]
