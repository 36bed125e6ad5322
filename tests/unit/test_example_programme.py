"""The second example programme (examples/paralegal_fellowship) is what its generator writes,
its definition is valid, and its survey exports read as the contract says the tools'
exports read. Its figures are checked end to end in tests/e2e/test_example_programme.py."""

import hashlib
from pathlib import Path

import polars as pl
import pytest

from orchestration import example_programme as example
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import label_id
from orchestration.lib.survey_exports import SurveyRules, codebook_items, read_survey_export
from orchestration.lib.tool_exports import (
    choice_name,
    kobo_sheet_name,
    odk_submission_date,
    write_kobo_csv,
)

EXAMPLE_RAW = example.EXAMPLES_DIR / example.PROGRAMME_ID


def test_the_committed_example_is_what_the_generator_writes(tmp_path):
    """examples/ is generated, not hand-edited: regenerating it gives the same bytes."""
    written = example.generate(tmp_path)
    for path in written:
        committed = EXAMPLE_RAW / path.relative_to(tmp_path)
        assert committed.exists(), committed
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256(committed.read_bytes()).digest()
        ), path
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(EXAMPLE_RAW) for p in EXAMPLE_RAW.rglob("*") if p.is_file()
    }


def test_the_example_is_shaped_nothing_like_idream():
    settings = ProgrammeSettings.load(EXAMPLE_RAW)
    definition = settings.definition
    assert (definition.id, definition.name) == ("paralegal_fellowship", example.PROGRAMME_NAME)
    assert [t.id for t in definition.participant_types] == ["paralegal", "clinic"]
    assert [d.id for d in definition.domains] == [
        "casework",
        "legal_education",
        "referrals",
        "self_care",
    ]
    assert [level.id for level in definition.markers.levels] == ["expected", "stretch"]
    assert [review.id for review in definition.markers.reviews] == ["month_4", "month_8", "exit"]
    assert [(s.id, len(s.categories), s.top) for s in definition.survey.scales] == [
        ("agreement", 4, 2),
        ("frequency", 3, 1),
    ]
    assert [e.id for e in definition.survey.excluded] == [
        "prefer_not_to_say",
        "not_relevant_to_my_work",
    ]
    assert [s.id for s in definition.survey.sections] == [
        "case_skills",
        "outreach",
        "peer_support",
    ]
    assert definition.survey.cohort_column == "Which cohort are you in?"
    assert settings.cohort_sizes == {1: 6, 2: 8, 3: 6}
    assert settings.survey_respondents == {1: 5, 2: 4, 3: 3}
    # The generator's plan and the definition agree on the domains and the roster.
    assert [domain for domain, _ in example.DOMAINS] == [d.id for d in definition.domains]
    assert {c: len(kinds) for c, kinds in example.TYPES.items()} == settings.cohort_sizes


@pytest.fixture(scope="module")
def exports():
    """Both exports as the pipeline's reader reads them, against the example's definition."""
    definition = ProgrammeSettings.load(EXAMPLE_RAW).definition
    codebook = pl.read_excel(EXAMPLE_RAW / "survey" / "codebook.xlsx", sheet_name="items")
    items, rules = codebook_items(codebook), SurveyRules.of(definition)
    return {
        path.name: read_survey_export(path, EXAMPLE_RAW, items, rules)
        for path in sorted((EXAMPLE_RAW / "survey").iterdir())
        if path.name != "codebook.xlsx"
    }


def test_the_kobo_labels_export_reads_by_label_and_drops_the_tool_columns(exports):
    kobo = exports["fellowship_exit_survey_kobo.xlsx"]
    # Cohorts 1 and 3; one cohort-1 submission was "Not approved".
    assert kobo.responses["cohort"].to_list() == [1] * 5 + [3] * 3
    assert kobo.excluded_by_review == 1
    assert kobo.responses["source_sheet"].unique().to_list() == [example.FORM_TITLE]
    # Kobo writes its header on row 1; row 7 is the submission that was not approved.
    assert kobo.responses["source_row"].to_list() == [2, 3, 4, 5, 6, 8, 9, 10]
    assert {"_id", "_index", "_submitted_by", "start", "end", example.COMMENT_QUESTION} <= set(
        kobo.dropped_headers
    )
    first = kobo.answers.filter(pl.col("response_id") == kobo.responses["response_id"][0])
    # Answers land as the definition's codes of the labels Kobo wrote.
    assert first["answer"].to_list() == [
        "agree",
        "somewhat_agree",
        "agree",
        "more_often",
        "more_often",
        "agree",
        "not_relevant_to_my_work",
    ]


def test_the_odk_central_export_reads_by_name_and_leaves_the_rejected_out(exports):
    odk = exports["cohort_2_odk_central.csv"]
    assert odk.responses["cohort"].to_list() == [2] * 4
    assert odk.excluded_by_review == 1
    # `uuid:` is not part of the id.
    assert not any(rid.startswith("uuid:") for rid in odk.responses["response_id"])
    assert odk.responses["submitted_at"][0].isoformat() == "2024-12-09T15:40:51.482000+00:00"
    assert {"SubmitterName", "DeviceID", "KEY", "closing-anything_else"} <= set(odk.dropped_headers)
    skipped = odk.answers.filter(pl.col("answer").is_null())
    assert skipped["item_id"].to_list() == ["peer_02"]


def test_every_kept_response_of_the_plan_is_in_the_exports(exports):
    """The hand computation starts from RESPONSES: the exports hold exactly those answers."""
    letters = {"prefer_not_to_say": "X", "not_relevant_to_my_work": "R", None: "-"}
    for scale in example.SCALES.values():
        letters |= {label_id(label): str(position) for position, label in enumerate(scale, 1)}
    read = []
    for contents in exports.values():
        for (response_id,), group in contents.answers.group_by("response_id", maintain_order=True):
            cohort = contents.responses.filter(pl.col("response_id") == response_id)["cohort"]
            read.append((cohort.item(), "".join(letters[a] for a in group["answer"])))
    planned = [(cohort, answers) for cohort, answers, _ in example.RESPONSES]
    assert sorted(read) == sorted(planned)


def test_the_roster_and_a_marker_workbook_have_title_rows_above_their_headers():
    roster = pl.read_excel(
        EXAMPLE_RAW / "participants.xlsx", sheet_name="participants", has_header=False
    )
    assert roster.row(0)[0].endswith("participant roster")
    markers = pl.read_excel(
        EXAMPLE_RAW / "success_markers" / "cohort_2_markers.xlsx",
        sheet_name="markers",
        has_header=False,
    )
    assert markers.row(0)[0].endswith("success markers")


def test_choice_names_are_what_kobo_makes_of_labels():
    assert choice_name("Much more confident") == "much_more_confident"
    assert choice_name("Don't know") == "don_t_know"
    assert choice_name("Which cohort are you in?") == "which_cohort_are_you_in"
    assert kobo_sheet_name("A form title longer than thirty-one characters") == (
        "A form title longer than thirty"
    )


def test_odk_submission_dates_are_utc_with_milliseconds():
    from datetime import datetime

    assert odk_submission_date(datetime(2024, 12, 9, 15, 40, 51, 482000)) == (
        "2024-12-09T15:40:51.482Z"
    )
    assert odk_submission_date(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000Z"


def test_kobo_csv_is_semicolons_every_field_quoted_crlf_and_a_bom(tmp_path: Path):
    path = tmp_path / "export.csv"
    write_kobo_csv(path, ("_uuid", "grp/sec_01"), [("a1", "more_confident"), ("a2", None)])
    assert path.read_bytes() == (
        b'\xef\xbb\xbf"_uuid";"grp/sec_01"\r\n"a1";"more_confident"\r\n"a2";""\r\n'
    )
