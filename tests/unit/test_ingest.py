"""The ingest rules, on small files, without Dagster or dbt."""

import re
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import ingest, survey
from orchestration.lib.errors import RawDataError
from orchestration.lib.labels import LabelDictionary
from orchestration.lib.readers import read_csv
from orchestration.lib.workbooks import write_csv, write_workbook
from orchestration.settings import SEEDS_DIR
from tests.programmes import achieved_outcome, minimal_programme, person

KEY = b"unit-test-key-0123456789"
LABELS = LabelDictionary.load(SEEDS_DIR / "label_dictionary.csv")
ANSWER_SCALES = survey.load_answer_scales(SEEDS_DIR / "survey_answer_categories.csv")


def _messages(error: RawDataError) -> list[str]:
    return [str(problem) for problem in error.problems]


def _roster_keys(raw: Path) -> set[str]:
    return set(ingest.ingest_roster(raw, LABELS, KEY).tables["participants"]["participant_key"])


def test_only_the_contract_columns_survive_the_roster(tmp_path):
    raw = minimal_programme().write(tmp_path)
    landed = ingest.ingest_roster(raw, LABELS, KEY).tables["participants"]
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


def test_a_participant_listed_twice_is_reported_with_both_rows(tmp_path):
    programme = minimal_programme()
    programme.roster.append(person("a-1 ", "2", "Individual"))
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(programme.write(tmp_path), LABELS, KEY)
    assert _messages(caught.value) == [
        "participants.xlsx, sheet 'participants', row 4, column 'participant_id': participant "
        "'a-1' is listed again (first on row 2); a participant belongs to one cohort"
    ]


def test_headers_that_mean_the_same_column_are_refused(tmp_path):
    header = ("participant_id", "Participant ID", "cohort", "participant_type")
    write_workbook(
        tmp_path / "participants.xlsx", {"participants": (header, [("A", "A", "1", "ind")])}
    )
    with pytest.raises(
        RawDataError, match="headers 'participant_id' and 'Participant ID' both mean"
    ):
        ingest.ingest_roster(tmp_path, LABELS, KEY)


def test_problems_of_every_workbook_are_reported_together(tmp_path):
    programme = minimal_programme()
    programme.markers["cohort_2.xlsx"] = achieved_outcome("Nobody", "Advocacy")
    programme.markers["cohort_1.xlsx"][0] = (
        "A-1",
        "Sport",
        *programme.markers["cohort_1.xlsx"][0][2:],
    )
    raw = programme.write(tmp_path)
    # An Excel lock file beside them is not a workbook to read.
    (raw / "success_markers" / "~$cohort_1.xlsx").write_bytes(b"lock")
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(raw, LABELS, KEY, _roster_keys(raw))
    messages = _messages(caught.value)
    assert any(
        m.startswith("success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'domain'")
        for m in messages
    )
    assert any("cohort_2.xlsx" in m and "'Nobody' is not in the roster" in m for m in messages)
    assert not any("~$" in m for m in messages)


def test_free_text_never_leaves_ingest(tmp_path):
    programme = minimal_programme()
    programme.unanticipated["cohort_1.xlsx"] = [("A-2", None, "midpoint", "SECRET STORY")]
    raw = programme.write(tmp_path)
    landed = ingest.ingest_success_markers(raw, LABELS, KEY, _roster_keys(raw))
    for frame in landed.tables.values():
        assert not {"outcome", "marker", "description"} & set(frame.columns)
        assert "SECRET STORY" not in frame.write_csv()
    assert landed.tables["unanticipated_outcomes"].height == 1


def _codebook(raw: Path) -> pl.DataFrame:
    codebook = ingest.ingest_codebook(raw, LABELS).tables["survey_codebook"]
    return survey.codebook_scales(codebook, LABELS)


def test_kobo_csv_with_bom_and_semicolons_keeps_only_contract_columns(tmp_path):
    programme = minimal_programme()
    programme.surveys = {
        "kobo.csv": (
            ("deviceid", "username", "_uuid", "_submission_time", "cohort", "con_01", "_id"),
            [("dev", "someone", "u1", "2024-05-01T10:00:00", "C1", "Strongly  agree", "9")],
        )
    }
    raw = programme.write(tmp_path)
    landed = ingest.ingest_survey(raw, _codebook(raw), ANSWER_SCALES, LABELS, {1})
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


def test_an_answer_from_the_other_scale_is_refused(tmp_path):
    programme = minimal_programme()
    _, rows = programme.surveys["survey.csv"]
    rows[0] = (*rows[0][:3], "More confident")
    raw = programme.write(tmp_path)
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_survey(raw, _codebook(raw), ANSWER_SCALES, LABELS, {1})
    (message,) = _messages(caught.value)
    assert message.startswith(
        "survey/survey.csv, row 2, column 'con_01': unknown answer 'More confident'"
    )
    assert "Strongly disagree, Disagree" in message


def test_a_missing_item_column_is_named(tmp_path):
    programme = minimal_programme()
    programme.codebook.append(("con_02", "connection", "Another", "agreement"))
    raw = programme.write(tmp_path)
    with pytest.raises(
        RawDataError, match=re.escape("survey/survey.csv, row 1, column 'con_02': required column")
    ):
        ingest.ingest_survey(raw, _codebook(raw), ANSWER_SCALES, LABELS, {1})


def test_a_semicolon_csv_is_told_apart_from_a_comma_csv(tmp_path):
    write_csv(tmp_path / "a.csv", ("x", "y"), [("1", "2,5")], separator=";", bom=True)
    table = read_csv(tmp_path / "a.csv", "a.csv")
    assert table.frame.select("x", "y", "source_row").row(0) == ("1", "2,5", 2)
    assert table.frame.width == 3


def test_missing_roster_is_named(tmp_path):
    with pytest.raises(RawDataError, match=re.escape("participants.xlsx: is missing")):
        ingest.ingest_roster(tmp_path, LABELS, KEY)
