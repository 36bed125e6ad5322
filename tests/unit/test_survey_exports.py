"""Survey exports as KoboToolbox and ODK Central write them (raw-data contract v2), read by
`orchestration.lib.survey_exports` from small files written here."""

from __future__ import annotations

import csv
import dataclasses
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from orchestration.lib.errors import RawDataError
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.survey_export_values import parse_submission_time
from orchestration.lib.survey_exports import (
    CodebookItem,
    SurveyRules,
    codebook_items,
    read_survey_export,
)

SEC = CodebookItem("sec_01", "Assess the physical risks of my work", "confidence")
CON = CodebookItem("con_01", "I feel connected to other IDREAM participants", "agreement")
ITEMS = [SEC, CON]
# KoboToolbox names an XLSX export's main sheet after the form.
FORM_SHEET = "IDREAM participant survey 2024"


@dataclass(frozen=True)
class ErrorCell:
    """A formula whose cached value is an Excel error (`#N/A`)."""

    formula: str
    value: str


def write_xlsx(path: Path, sheets: dict[str, list[list | None]]) -> Path:
    """Rows as given (None: an empty row); datetimes become Excel date cells."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row or []):
                if isinstance(value, datetime):
                    sheet.write_datetime(row_index, column_index, value, when)
                elif isinstance(value, ErrorCell):
                    sheet.write_formula(row_index, column_index, value.formula, None, value.value)
                elif value is not None:
                    sheet.write(row_index, column_index, value)
    workbook.close()
    return path


def write_csv(path: Path, rows: list[list], separator=",", bom=False, quote_all=False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        csv.writer(handle, delimiter=separator, lineterminator="\r\n", quoting=quoting).writerows(
            rows
        )
    return path


def read(path: Path, raw: Path, **rules) -> object:
    """Read with IDREAM's survey rules, or with some of them replaced."""
    return read_survey_export(path, raw, ITEMS, dataclasses.replace(SurveyRules.of(), **rules))


def messages(caught: pytest.ExceptionInfo) -> list[str]:
    return [str(problem) for problem in caught.value.problems]


def everything(contents) -> str:
    return contents.responses.write_csv() + contents.answers.write_csv()


def test_kobo_xlsx_in_labels_mode_reads_the_form_sheet_by_statement(tmp_path):
    header = [
        "start",
        "end",
        "Cohort",
        SEC.statement,
        CON.statement,
        "What is your name?",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_index",
    ]
    started = datetime(2024, 5, 1, 9, 0, 0)
    rows = [
        header,
        [
            started,
            started,
            "Cohort 2",
            "Much more confident",
            "Don\u2019t know",
            "Amina K.",
            101,
            "u-1",
            datetime(2024, 5, 1, 10, 0, 0),
            "Approved",
            1,
        ],
        [
            started,
            started,
            "C2",
            "much  more CONFIDENT",
            None,
            "Bakhyt L.",
            102,
            "u-2",
            datetime(2024, 5, 1, 11, 0, 0),
            "Not approved",
            2,
        ],
        [
            started,
            started,
            2,
            "About the same",
            "Agree",
            "Chen M.",
            103,
            "u-3",
            datetime(2024, 5, 1, 12, 0, 0),
            None,
            3,
        ],
    ]
    # A repeat group's sheet follows the main one.
    path = write_xlsx(
        tmp_path / "survey" / "kobo.xlsx",
        {FORM_SHEET: rows, "household": [["_parent_index"], [1]]},
    )
    contents = read(path, tmp_path)
    assert contents.responses.rows() == [
        ("u-1", datetime(2024, 5, 1, 10, tzinfo=UTC), 2, "survey/kobo.xlsx", FORM_SHEET, 2),
        ("u-3", datetime(2024, 5, 1, 12, tzinfo=UTC), 2, "survey/kobo.xlsx", FORM_SHEET, 4),
    ]
    assert contents.answers.select("response_id", "item_id", "answer").rows() == [
        ("u-1", "sec_01", "much_more_confident"),
        ("u-1", "con_01", "dont_know"),
        ("u-3", "sec_01", "about_the_same"),
        ("u-3", "con_01", "agree"),
    ]
    assert contents.excluded_by_review == 1
    assert contents.dropped_headers == ("start", "end", "What is your name?", "_id", "_index")
    assert "Amina" not in everything(contents)


def test_a_responses_sheet_is_read_before_the_first_sheet(tmp_path):
    header = ["_uuid", "_submission_time", "cohort", "sec_01", "con_01"]
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "notes": [["written by hand"]],
            " Responses ": [header, ["u-1", "2024-05-01T10:00:00", "1", "More confident", None]],
        },
    )
    contents = read(path, tmp_path)
    assert contents.responses["source_sheet"].to_list() == [" Responses "]
    assert contents.answers["answer"].to_list() == ["more_confident", None]


def test_kobo_csv_with_grouped_headers_and_choice_names(tmp_path):
    header = ["start", "cohort", "grp_security/sec_01", "grp_connection/con_01", "deviceid"]
    header += ["_uuid", "_submission_time", "_validation_status", "_submitted_by"]
    rows = [
        header,
        [
            "2024-05-01T09:00:00",
            "cohort_3",
            "much_more_confident",
            "don_t_know",
            "collect:x",
            "u-1",
            "2024-05-01T10:00:00",
            "validation_status_approved",
            "enumerator1",
        ],
        [
            "2024-05-01T09:00:00",
            "cohort_3",
            "less_confident",
            "strongly_agree",
            "collect:y",
            "u-2",
            "2024-05-01T11:00:00",
            "validation_status_not_approved",
            "enumerator2",
        ],
        [
            "2024-05-01T09:00:00",
            "c3",
            "n_a",
            "neither_agree_nor_disagree",
            "collect:z",
            "u-3",
            "2024-05-01T12:00:00",
            "",
            "enumerator3",
        ],
    ]
    path = write_csv(tmp_path / "survey" / "kobo.csv", rows, ";", bom=True, quote_all=True)
    contents = read(path, tmp_path)
    assert contents.responses.select("response_id", "cohort", "source_row").rows() == [
        ("u-1", 3, 2),
        ("u-3", 3, 4),
    ]
    assert contents.responses["source_sheet"].to_list() == [None, None]
    assert contents.answers.select("response_id", "item_id", "answer").rows() == [
        ("u-1", "sec_01", "much_more_confident"),
        ("u-1", "con_01", "dont_know"),
        # IDREAM's `N/A` is another spelling of `Not applicable`.
        ("u-3", "sec_01", "not_applicable"),
        ("u-3", "con_01", "neither_agree_nor_disagree"),
    ]
    assert contents.excluded_by_review == 1
    assert "enumerator" not in everything(contents)
    assert "collect:" not in everything(contents)


def test_odk_central_csv_with_groups_review_states_and_uuid_keys(tmp_path):
    def row(time: str, key: str, sec: str, con: str, state: str) -> dict[str, str]:
        return {
            "SubmissionDate": time,
            "start": time,
            "cohort": "1",
            "security-sec_01": sec,
            "connection-con_01": con,
            "meta-instanceID": f"uuid:{key}",
            "KEY": f"uuid:{key}",
            "SubmitterID": "5",
            "SubmitterName": "Jane Doe",
            "AttachmentsPresent": "0",
            "AttachmentsExpected": "0",
            "Status": "",
            "ReviewState": state,
            "DeviceID": "enketo:1",
            "Edits": "0",
            "FormVersion": "2024050101",
        }

    submissions = [
        row("2024-05-01T10:00:00.123Z", "a1", "more_confident", "agree", "approved"),
        row("2024-05-01T10:05:00.000Z", "a2", "garbage", "agree", "rejected"),
        row("2024-05-01T10:10:00.000Z", "a3", "", "disagree", "hasIssues"),
        row("2024-05-01T10:15:00.000Z", "a4", "about_the_same", "", ""),
    ]
    rows = [list(submissions[0]), *(list(submission.values()) for submission in submissions)]
    path = write_csv(tmp_path / "survey" / "odk.csv", rows)
    contents = read(path, tmp_path)
    assert contents.responses.select("response_id", "submitted_at", "source_row").rows() == [
        ("a1", datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC), 2),
        ("a3", datetime(2024, 5, 1, 10, 10, tzinfo=UTC), 4),
        ("a4", datetime(2024, 5, 1, 10, 15, tzinfo=UTC), 5),
    ]
    # The rejected submission is left out before its answers are checked ('garbage').
    assert contents.excluded_by_review == 1
    assert contents.answers.filter(pl.col("answer").is_not_null()).height == 4
    assert "Jane Doe" not in everything(contents)
    assert "SubmitterName" in contents.dropped_headers
    assert "KEY" in contents.dropped_headers  # meta-instanceID comes first in the contract


def test_the_excluded_review_states_are_the_programmes(tmp_path):
    rows = [
        ["meta-instanceID", "SubmissionDate", "cohort", "sec_01", "con_01", "ReviewState"],
        ["uuid:a1", "2024-05-01T10:00:00Z", "1", "More confident", "Agree", "rejected"],
        ["uuid:a2", "2024-05-01T10:00:00Z", "1", "More confident", "Agree", "hasIssues"],
    ]
    path = write_csv(tmp_path / "odk.csv", rows)
    # The label rule reads ODK's `hasIssues` as one word: `Has issues` would not match it.
    contents = read(path, tmp_path, exclude_review_states=["HASISSUES"])
    assert contents.responses["response_id"].to_list() == ["a1"]
    assert contents.excluded_by_review == 1


def test_title_rows_above_the_header_keep_the_spreadsheets_row_numbers(tmp_path):
    header = ["_uuid", "_submission_time", "cohort", "sec_01", "con_01"]
    rows = [
        ["IDREAM survey, exported 2024-06-30"],
        None,
        header,
        ["u-1", "2024-05-01T10:00:00", "1", "More confident", "Agree"],
        None,
        ["u-2", "2024-05-01T11:00:00", "1", "Very confident", "Agree"],
    ]
    workbook = write_xlsx(tmp_path / "titled.xlsx", {"responses": rows})
    with pytest.raises(RawDataError) as caught:
        read(workbook, tmp_path)
    assert messages(caught) == [
        "titled.xlsx, sheet 'responses', row 6, column 'sec_01': answer 'Very confident' to "
        "item 'sec_01' is not a label of scale 'confidence' (Much less confident, Less "
        "confident, About the same, More confident, Much more confident, Not applicable, "
        "N/A, Don't know)"
    ]
    rows[5][3] = "Much more confident"
    # An empty first row is counted too: calamine would otherwise start at the title.
    workbook = write_xlsx(tmp_path / "titled.xlsx", {"responses": [None, *rows]})
    assert read(workbook, tmp_path).responses["source_row"].to_list() == [5, 7]
    text = write_csv(tmp_path / "titled.csv", [rows[0], [], *rows[2:4]])
    assert read(text, tmp_path).responses["source_row"].to_list() == [4]


def test_a_header_below_the_tenth_row_is_not_searched_for(tmp_path):
    header = ["_uuid", "_submission_time", "cohort", "sec_01", "con_01"]
    rows = [[f"note {n}"] for n in range(10)] + [header, ["u", "2024-05-01", "1", None, None]]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "late.csv", rows), tmp_path)
    assert messages(caught)[0] == (
        "late.csv, row 1, column 'response_id': no response id column: expected one of "
        "response_id, _uuid, meta/instanceID, meta-instanceID, KEY"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01 10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T13:00:00+03:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T05:30:00-04:30", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.250Z", datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.250+02:00", datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)),
        # An Excel serial (days since 1899-12-30), rounded to the second.
        ("45413.4166666667", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("45413.41666", datetime(2024, 5, 1, 9, 59, 59, tzinfo=UTC)),
        ("45413", datetime(2024, 5, 1, tzinfo=UTC)),
    ],
)
def test_submission_times_in_a_csv(tmp_path, written, expected):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01"],
        ["r1", written, "1", None, None],
    ]
    contents = read(write_csv(tmp_path / "times.csv", rows), tmp_path)
    assert contents.responses["submitted_at"].to_list() == [expected]
    assert contents.responses.schema["submitted_at"] == pl.Datetime("us", "UTC")


def test_submission_times_in_a_workbook_are_rounded_to_the_second(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01"],
        ["r1", datetime(2024, 5, 1, 10, 0, 0, 600000), "1", None, None],
        ["r2", 45413.5, "1", None, None],
        ["r3", "2024-05-01T10:00:00.4+01:00", "1", None, None],
    ]
    contents = read(write_xlsx(tmp_path / "times.xlsx", {"responses": rows}), tmp_path)
    assert contents.responses["submitted_at"].to_list() == [
        datetime(2024, 5, 1, 10, 0, 1, tzinfo=UTC),
        datetime(2024, 5, 1, 12, tzinfo=UTC),
        datetime(2024, 5, 1, 9, tzinfo=UTC),
    ]


def test_a_time_without_offset_is_utc_whatever_the_machines_zone(monkeypatch):
    # Guards against datetime.astimezone() on a naive time, which reads the local zone.
    monkeypatch.setenv("TZ", "Asia/Tbilisi")
    time.tzset()
    try:
        assert parse_submission_time("2024-05-01T10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("written", ["last Tuesday", "2024-13-01", "0", "-45413", "1e5", ""])
def test_what_is_no_submission_time(written):
    assert parse_submission_time(written) is None


def test_an_unreadable_or_blank_submission_time_is_located(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01"],
        ["r1", "last Tuesday", "1", None, None],
        ["r2", " ", "1", None, None],
    ]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "survey" / "t.csv", rows), tmp_path)
    assert messages(caught) == [
        "survey/t.csv, row 2, column 'submitted_at': submission time 'last Tuesday' is not an "
        "ISO date-time or an Excel date",
        "survey/t.csv, row 3, column 'submitted_at': submission time is blank",
    ]


def test_a_csv_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "survey" / "windows.csv"
    path.parent.mkdir()
    text = "response_id,submitted_at,cohort,sec_01,con_01\r\nr1,2024-05-01,1,Don\x92t know,\r\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(RawDataError) as caught:
        read(path, tmp_path)
    offset = text.index("\x92")
    assert messages(caught) == [
        f"survey/windows.csv, row 2: is not UTF-8 text: byte 0x92 at byte offset {offset} "
        "(invalid start byte); save it again as 'CSV UTF-8'"
    ]


def test_a_byte_order_mark_does_not_shift_the_offset(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfresponse_id\xff")
    with pytest.raises(RawDataError, match=re.escape("byte 0xff at byte offset 14 ")):
        read(path, tmp_path)


def test_symbolic_links_are_refused(tmp_path):
    real = write_csv(tmp_path / "elsewhere" / "real.csv", [["response_id"]])
    (tmp_path / "raw" / "survey").mkdir(parents=True)
    link = tmp_path / "raw" / "survey" / "linked.csv"
    link.symlink_to(real)
    with pytest.raises(RawDataError) as caught:
        read(link, tmp_path / "raw")
    assert messages(caught) == [
        f"survey/linked.csv: is a symbolic link (to '{real}'): links are refused; copy the "
        "file into the raw folder instead"
    ]
    (tmp_path / "raw2").mkdir()
    (tmp_path / "raw2" / "survey").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(RawDataError, match="is inside 'survey', a symbolic link"):
        read(tmp_path / "raw2" / "survey" / "real.csv", tmp_path / "raw2")


def test_an_unknown_header_is_dropped_with_its_values(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01", "Your email", ""],
        ["r1", "2024-05-01", "1", None, None, "me@example.org", "x"],
    ]
    contents = read(write_csv(tmp_path / "e.csv", rows), tmp_path)
    assert contents.dropped_headers == ("Your email",)
    assert "example.org" not in everything(contents)
    assert contents.responses.columns == [
        "response_id",
        "submitted_at",
        "cohort",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert contents.answers.columns == [
        "response_id",
        "item_id",
        "answer",
        "source_file",
        "source_sheet",
        "source_row",
    ]


def test_headers_that_mean_one_item_are_refused(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "grp_a/sec_01", "grp_b/sec_01", "con_01"],
        ["r1", "2024-05-01", "1", None, None, None],
    ]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "two.csv", rows), tmp_path)
    assert messages(caught) == [
        "two.csv, row 1, column 'grp_b/sec_01': headers 'grp_a/sec_01' and 'grp_b/sec_01' "
        "both mean 'sec_01'"
    ]


def test_a_header_that_means_two_items_is_refused(tmp_path):
    # con_01's statement is sec_01's id: the header 'sec_01' could be either.
    items = [SEC, CodebookItem("con_01", "sec_01", "agreement")]
    rows = [["response_id", "submitted_at", "cohort", "sec_01"], ["r1", "2024-05-01", "1", ""]]
    with pytest.raises(RawDataError) as caught:
        read_survey_export(write_csv(tmp_path / "both.csv", rows), tmp_path, items)
    assert messages(caught) == [
        "both.csv, row 1, column 'sec_01': header 'sec_01' means both 'con_01' and 'sec_01'"
    ]


def test_an_item_whose_scale_is_not_defined_is_a_programming_error(tmp_path):
    rows = [["response_id", "submitted_at", "cohort", "sec_01"], ["r1", "2024-05-01", "1", ""]]
    item = CodebookItem("sec_01", "S", "frequency")
    with pytest.raises(ValueError, match="item 'sec_01': scale 'frequency' is not defined"):
        read_survey_export(write_csv(tmp_path / "s.csv", rows), tmp_path, [item])


def test_a_whole_header_is_preferred_to_a_grouped_one(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "grp/sec_01", SEC.statement, "g-con_01"],
        ["r1", "2024-05-01", "1", "Agree", "Less confident", "agree"],
    ]
    contents = read(write_csv(tmp_path / "pref.csv", rows), tmp_path)
    assert contents.answers["answer"].to_list() == ["less_confident", "agree"]
    assert contents.dropped_headers == ("grp/sec_01",)


def test_a_missing_item_is_named_at_the_header_row(tmp_path):
    rows = [["IDREAM"], ["response_id", "submitted_at", "cohort", "sec_01"], ["r1", "x", "1", ""]]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "m.csv", rows), tmp_path)
    assert messages(caught) == [
        "m.csv, row 2, column 'con_01': required column 'con_01' is missing"
    ]


def test_an_answer_that_is_no_label_of_the_scale_is_located(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01"],
        ["r1", "2024-05-01", "1", "dont_know", "Agree"],
        ["r2", "2024-05-01", "1", "don_t_know", "More confident"],
    ]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "survey" / "a.csv", rows), tmp_path)
    assert messages(caught) == [
        "survey/a.csv, row 2, column 'sec_01': answer 'dont_know' to item 'sec_01' is not a "
        "label of scale 'confidence' (Much less confident, Less confident, About the same, "
        "More confident, Much more confident, Not applicable, N/A, Don't know)",
        "survey/a.csv, row 3, column 'con_01': answer 'More confident' to item 'con_01' is not "
        "a label of scale 'agreement' (Strongly disagree, Disagree, Neither agree nor "
        "disagree, Agree, Strongly agree, Not applicable, N/A, Don't know)",
    ]


def test_blank_ids_and_unreadable_cohorts_are_all_reported(tmp_path):
    rows = [
        ["KEY", "SubmissionDate", "cohort", "sec_01", "con_01"],
        ["uuid:", "2024-05-01", "Cohort one", None, None],
        ["", "2024-05-01", "", None, None],
    ]
    with pytest.raises(RawDataError) as caught:
        read(write_csv(tmp_path / "ids.csv", rows), tmp_path)
    assert messages(caught) == [
        "ids.csv, row 2, column 'KEY': response id 'uuid:' is blank after its uuid: prefix",
        "ids.csv, row 2, column 'cohort': cohort 'Cohort one' is not a cohort number such as "
        "1, 'Cohort 1' or 'C1'",
        "ids.csv, row 3, column 'KEY': response id is blank",
        "ids.csv, row 3, column 'cohort': cohort is blank",
    ]


def test_an_excel_error_value_is_an_error_not_a_blank(tmp_path):
    rows = [
        ["response_id", "submitted_at", "cohort", "sec_01", "con_01", "ignored"],
        ["r1", "2024-05-01", "1", ErrorCell("=NA()", "#N/A"), None, ErrorCell("=1/0", "#DIV/0!")],
    ]
    with pytest.raises(RawDataError) as caught:
        read(write_xlsx(tmp_path / "err.xlsx", {"responses": rows}), tmp_path)
    assert messages(caught) == [
        "err.xlsx, sheet 'responses', row 2, column 'sec_01': holds the error value #N/A: "
        "correct the formula or type the value"
    ]


def test_a_csv_row_with_too_few_fields_is_an_error(tmp_path):
    path = tmp_path / "cut.csv"
    # A quoted field may span lines: the row after it is still row 3, as a spreadsheet shows.
    path.write_text(
        "response_id,submitted_at,cohort,sec_01,con_01,comment\n"
        'r1,2024-05-01,1,Less confident,Agree,"two\nlines"\n'
        "r2,2024-05-01,1,Less confident,Agr\n",
        encoding="utf-8",
    )
    with pytest.raises(RawDataError) as caught:
        read(path, tmp_path)
    assert messages(caught) == [
        "cut.csv, row 3: has 5 fields where the header (row 1) has 6: was the file cut short?"
    ]


def test_a_header_without_rows_is_an_error_but_all_rejected_is_not(tmp_path):
    header = ["meta-instanceID", "SubmissionDate", "cohort", "sec_01", "con_01", "ReviewState"]
    with pytest.raises(RawDataError, match=re.escape("empty.csv, row 1: has a header but no")):
        read(write_csv(tmp_path / "empty.csv", [header]), tmp_path)
    rejected = [header, ["uuid:a", "2024-05-01", "1", "?", "?", "rejected"]]
    contents = read(write_csv(tmp_path / "rejected.csv", rejected), tmp_path)
    assert (contents.responses.height, contents.answers.height) == (0, 0)
    assert contents.excluded_by_review == 1


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Don\u2019t know", "Don't know", True),
        ("don_t_know", "Don't know", True),
        ("dont_know", "Don't know", False),
        ("Very-ambitious", " VERY  AMBITIOUS ", True),
        ("N/A", "n_a", True),
        ("Neither\u00a0agree nor disagree", "neither_agree_nor_disagree", True),
    ],
)
def test_the_label_rule(one, other, same):
    assert (label_match_key(one) == label_match_key(other)) is same


def test_codebook_items_come_from_the_codebook_frame():
    codebook = pl.DataFrame(
        {"item_id": ["sec_01"], "section": ["security"], "statement": ["S"], "scale": ["x"]}
    )
    assert codebook_items(codebook) == [CodebookItem("sec_01", "S", "x")]
