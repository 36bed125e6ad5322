"""Ingest, on small files, without Dagster or dbt: what must hold for a file to be landed
(readable, its sheet, its header and required columns, labels the definition lists, typed
values), the allow-list of columns, and where each problem is said to be.
The contract's rules across rows and tables are the GX suites' (tests/unit/test_bad_inputs.py).
"""

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from orchestration.lib import ingest, raw_files
from orchestration.lib.errors import RawDataError
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.readers import read_csv
from orchestration.lib.survey_export_rules import CodebookItem
from orchestration.lib.workbooks import write_csv, write_workbook
from tests.programmes import (
    CODEBOOK_HEADER,
    MARKER_HEADER,
    ROSTER_HEADER,
    minimal_programme,
    outcome,
    person,
)

KEY = b"unit-test-key-0123456789"
DATA = Path(__file__).parent / "data"
IDREAM = idream_definition()
CON_01 = CodebookItem("con_01", "I feel connected", "agreement")


class Formula:
    """A formula cell: `cached` is its saved result (an Excel error value such as
    `#N/A`), or None for a formula saved with no result at all."""

    def __init__(self, formula: str, cached: str | None):
        self.formula, self.cached = formula, cached


def write_sheet(path: Path, sheets: dict[str, list[list | None]]) -> Path:
    """Rows exactly as given (None: an empty row), so that title rows and empty rows land
    where a person would put them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    unsaved = []
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row or []):
                if isinstance(value, Formula):
                    sheet.write_formula(row_index, column_index, value.formula, None, value.cached)
                    if value.cached is None:
                        unsaved.append(
                            xlsxwriter.utility.xl_rowcol_to_cell(row_index, column_index)
                        )
                elif value is not None:
                    sheet.write(row_index, column_index, value)
    workbook.close()
    if unsaved:
        _drop_saved_results(path, unsaved)
    return path


def _drop_saved_results(path: Path, cells: list[str]) -> None:
    """xlsxwriter always saves a result (0) with a formula; a script's workbook may not."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for reference in cells:
        sheet = re.sub(rf'(<c r="{reference}"[^>]*>)(<f>[^<]*</f>)<v>[^<]*</v>', r"\1\2", sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def write_ods(path: Path, sheet: str, rows: list[list[str | None]]) -> Path:
    """A LibreOffice Calc file (.ods) with one sheet of text cells, written by hand: its
    format is a zip of XML parts, and no ODS writer is among the project's dependencies."""
    table = "".join(
        "<table:table-row>"
        + "".join(
            "<table:table-cell/>"
            if value is None
            else f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{sheet}">{table}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        book.writestr("META-INF/manifest.xml", manifest)
        book.writestr("content.xml", content)
    return path


def messages(caught: pytest.ExceptionInfo) -> list[str]:
    return [str(problem) for problem in caught.value.problems]


def marker_rows(participant_id: str = "A-1", domain: str = "Resilience") -> list[list]:
    return [list(row) for row in outcome(participant_id, domain, 1)]


# The roster


def test_only_the_contract_columns_survive_the_roster_and_types_are_codes(tmp_path):
    raw = minimal_programme().write(tmp_path)
    landed = ingest.ingest_roster(raw, IDREAM, KEY).tables["participants"]
    assert landed.columns == [
        "participant_key",
        "cohort",
        "participant_type",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    # `Individual` and `ind` are both the type `individual`.
    assert landed.select("cohort", "participant_type", "source_row").rows() == [
        (1, "individual", 2),
        (1, "individual", 3),
    ]
    assert "Name of A-1" not in landed.write_csv() and "A-1" not in landed.write_csv()


def test_a_title_row_above_the_roster_header_is_skipped_and_rows_keep_their_numbers(tmp_path):
    rows = [
        ["IDREAM roster, cohort 1 (confidential)"],
        None,
        list(ROSTER_HEADER),
        list(person("A-1", "1", "Individual")),
        None,
        list(person("A-2", "C1", "org")),
    ]
    write_sheet(tmp_path / "participants.xlsx", {"participants": rows})
    landed = ingest.ingest_roster(tmp_path, IDREAM, KEY).tables["participants"]
    assert landed.select("participant_type", "source_row").rows() == [
        ("individual", 4),
        ("organization", 6),
    ]


def test_after_an_empty_first_row_rows_are_numbered_as_the_spreadsheet_shows_them(tmp_path):
    # Guards against the reader's habit of starting at the first row that holds anything:
    # messages and source_row pointed one row too high.
    rows = [None, list(ROSTER_HEADER), list(person("A-1", "1", "ind")), ["A-2", "one", "ind"]]
    write_sheet(tmp_path / "participants.xlsx", {"participants": rows})
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(tmp_path, IDREAM, KEY)
    assert messages(caught) == [
        "participants.xlsx, sheet 'participants', row 4, column 'cohort': cohort 'one' is not "
        "a cohort number such as 1, 'Cohort 1' or 'C1'"
    ]


def test_a_header_below_the_first_ten_rows_is_not_found(tmp_path):
    rows = [[f"note {number}"] for number in range(10)] + [list(ROSTER_HEADER)]
    write_sheet(tmp_path / "participants.xlsx", {"participants": rows})
    with pytest.raises(RawDataError, match="row 1, column 'participant_id': required column"):
        ingest.ingest_roster(tmp_path, IDREAM, KEY)


def test_sheet_names_and_headers_follow_the_label_rule(tmp_path):
    header = ["Participant ID", "COHORT", "participant-type", "Name"]
    write_sheet(
        tmp_path / "participants.xlsx",
        {"Notes": [["x"]], " Participants ": [header, ["A-1", "2", "Organisation", "Secret"]]},
    )
    landed = ingest.ingest_roster(tmp_path, IDREAM, KEY).tables["participants"]
    assert landed.select("cohort", "participant_type", "source_sheet").rows() == [
        (2, "organization", " Participants ")
    ]


def test_headers_that_mean_the_same_column_are_refused(tmp_path):
    header = ("participant_id", "Participant ID", "cohort", "participant_type")
    write_workbook(
        tmp_path / "participants.xlsx", {"participants": (header, [("A", "A", "1", "ind")])}
    )
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(tmp_path, IDREAM, KEY)
    assert messages(caught) == [
        "participants.xlsx, sheet 'participants', row 1, column 'Participant ID': headers "
        "'participant_id' and 'Participant ID' both mean 'participant_id'"
    ]


def test_an_unknown_participant_type_names_the_types_the_definition_lists(tmp_path):
    programme = minimal_programme()
    programme.roster[1] = ("A-2", "1", "Person", *programme.roster[1][3:])
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(programme.write(tmp_path), IDREAM, KEY)
    assert messages(caught) == [
        "participants.xlsx, sheet 'participants', row 3, column 'participant_type': unknown "
        "participant type 'Person': expected individual or organization (also accepted: "
        "individuals, ind, organizations, Organisation, org)"
    ]


def test_missing_roster_is_named(tmp_path):
    with pytest.raises(RawDataError, match=re.escape("participants.xlsx: is missing")):
        ingest.ingest_roster(tmp_path, IDREAM, KEY)


# Success markers


def test_markers_statuses_and_levels_land_as_codes_with_one_status_row_per_review(tmp_path):
    programme = minimal_programme()
    programme.markers["cohort_1.xlsx"] = outcome(
        "A-1",
        "Psychosocial Resilience",
        1,
        (("Yes", "partially  achieved"), (None, "No"), (None, None)),
    )
    landed = ingest.ingest_success_markers(programme.write(tmp_path), IDREAM, KEY)
    markers = landed.tables["success_markers"]
    assert markers.select("domain", "outcome_no", "level", "source_row").rows() == [
        ("resilience", 1, "realistic", 2),
        ("resilience", 1, "ambitious", 3),
        ("resilience", 1, "very_ambitious", 4),
    ]
    statuses = landed.tables["success_marker_statuses"]
    assert statuses.select("level", "review", "status", "source_row").rows() == [
        ("realistic", "midpoint", "achieved", 2),
        ("realistic", "final", "partially_achieved", 2),
        ("ambitious", "final", "not_achieved", 3),
    ]
    assert (
        statuses["participant_key"].unique().to_list()
        == markers["participant_key"].unique().to_list()
    )


def test_a_status_column_per_review_of_the_definition(tmp_path):
    toml = '[markers]\nreviews = ["Baseline", "Mid-term", "Endline"]\n'
    definition = ProgrammeSettings.from_toml(_toml(toml), "three").definition
    header = ["participant_id", "domain", "outcome_no", "level", "Baseline status"]
    header += ["mid_term_status", "ENDLINE_STATUS", "final_status"]
    rows = [header, ["A-1", "Advocacy", 1, "Realistic", None, "Achieved", "No", "Yes"]]
    write_sheet(tmp_path / "success_markers" / "c1.xlsx", {"markers": rows})
    landed = ingest.ingest_success_markers(tmp_path, definition, KEY)
    # `final_status` is no review of this programme: an extra column, never read.
    assert landed.tables["success_marker_statuses"].select("review", "status").rows() == [
        ("mid_term", "achieved"),
        ("endline", "not_achieved"),
    ]


def _toml(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def test_unknown_status_domain_and_level_name_what_the_definition_lists(tmp_path):
    rows = marker_rows()
    rows[0][MARKER_HEADER.index("domain")] = "Wellbeing"
    rows[1][MARKER_HEADER.index("final_status")] = "Done"
    rows[2][MARKER_HEADER.index("level")] = "Extremely ambitious"
    write_sheet(tmp_path / "success_markers" / "c1.xlsx", {"markers": [MARKER_HEADER, *rows]})
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(tmp_path, IDREAM, KEY)
    where = "success_markers/c1.xlsx, sheet 'markers'"
    assert messages(caught) == [
        f"{where}, row 2, column 'domain': unknown domain 'Wellbeing': expected Resilience, "
        "Advocacy or Integrated Security (also accepted: Psychosocial Resilience, Effective "
        "Advocacy, Security)",
        f"{where}, row 3, column 'final_status': unknown status 'Done': expected Achieved, "
        "Partially achieved or Not achieved (also accepted: Yes, No)",
        f"{where}, row 4, column 'level': unknown level 'Extremely ambitious': expected "
        "Realistic, Ambitious or Very ambitious",
    ]


def test_an_error_value_or_an_unsaved_formula_in_final_status_is_an_error_not_a_blank(tmp_path):
    # Guards against reading `#N/A` as a marker not reviewed: the run succeeded with
    # different figures.
    rows = marker_rows()
    final = MARKER_HEADER.index("final_status")
    rows[0][final] = Formula("=VLOOKUP(A2,Statuses!A:B,2,FALSE)", "#N/A")
    rows[1][final] = Formula('=IF(B3="","","Achieved")', None)
    # An error value in a column that is not read (the marker's text) is not a problem.
    rows[2][MARKER_HEADER.index("marker")] = Formula("=1/0", "#DIV/0!")
    write_sheet(tmp_path / "success_markers" / "c1.xlsx", {"markers": [MARKER_HEADER, *rows]})
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(tmp_path, IDREAM, KEY)
    where = "success_markers/c1.xlsx, sheet 'markers'"
    assert messages(caught) == [
        f"{where}, row 2, column 'final_status': holds the error value #N/A: correct the "
        "formula or type the value",
        f"{where}, row 3, column 'final_status': holds a formula with no saved value: open "
        "the file in a spreadsheet program, let it calculate, and save it again",
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
        ingest.ingest_success_markers(raw, IDREAM, KEY)
    assert messages(caught) == [
        "success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'participant_id': "
        "participant_id is blank",
        "success_markers/cohort_2.xlsx, sheet 'markers', row 3, column 'outcome_no': "
        "outcome_no 'two' is not a whole number of 1 or more",
    ]


def test_every_sheet_of_a_workbook_is_checked(tmp_path):
    programme = minimal_programme()
    programme.markers["cohort_1.xlsx"][0] = (None, *programme.markers["cohort_1.xlsx"][0][1:])
    programme.markers["cohort_2.xlsx"] = outcome("A-2", "Advocacy", 1)
    for name in ("cohort_1.xlsx", "cohort_2.xlsx"):
        programme.unanticipated[name] = [(None, None, "annual", "a description")]
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(programme.write(tmp_path), IDREAM, KEY)
    blank = "participant_id is blank"
    annual = "unknown review 'annual': expected midpoint or final (also accepted: mid point)"
    assert messages(caught) == [
        f"success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'participant_id': {blank}",
        f"success_markers/cohort_1.xlsx, sheet 'unanticipated', row 2, column 'review': {annual}",
        "success_markers/cohort_1.xlsx, sheet 'unanticipated', row 2, column "
        f"'participant_id': {blank}",
        f"success_markers/cohort_2.xlsx, sheet 'unanticipated', row 2, column 'review': {annual}",
        "success_markers/cohort_2.xlsx, sheet 'unanticipated', row 2, column "
        f"'participant_id': {blank}",
    ]


def test_free_text_never_leaves_ingest_unless_asked_for(tmp_path):
    programme = minimal_programme()
    programme.unanticipated["cohort_1.xlsx"] = [("A-2", None, "Mid point", "SECRET STORY")]
    raw = programme.write(tmp_path)
    landed = ingest.ingest_success_markers(raw, IDREAM, KEY)
    for frame in landed.tables.values():
        assert not {"outcome", "marker", "description"} & set(frame.columns)
        assert "SECRET STORY" not in frame.write_csv()
        assert "Outcome 1 of A-1" not in frame.write_csv()
    assert landed.tables["unanticipated_outcomes"].select("domain", "review").rows() == [
        (None, "midpoint")
    ]
    assert landed.restricted == {
        ingest.MARKER_TEXTS: None,
        ingest.UNANTICIPATED_TEXTS: None,
    }
    kept = ingest.ingest_success_markers(raw, IDREAM, KEY, keep_free_text=True).restricted
    texts = kept[ingest.UNANTICIPATED_TEXTS]
    assert texts.columns == [
        "participant_key",
        "description",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert texts["description"].to_list() == ["SECRET STORY"]
    assert kept[ingest.MARKER_TEXTS].height == 18


def test_xls_and_ods_workbooks_are_read_and_a_file_that_is_none_is_refused(tmp_path):
    # Guards against an .xls marker workbook skipped without a word (its cohort at 0%).
    folder = tmp_path / "success_markers"
    folder.mkdir()
    # Saved by xlwt 1.3.0 as Excel 97-2003 does: a title row, an empty row, the header.
    shutil.copy(DATA / "markers.xls", folder / "cohort_1.XLS")
    cells = [[str(value) if value else None for value in row] for row in marker_rows("A-2")]
    write_ods(folder / "cohort_2.ods", "Markers", [[None], list(MARKER_HEADER), *cells])
    (folder / "cohort_3.xls").write_bytes(b"this is no workbook")
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(tmp_path, IDREAM, KEY)
    assert len(caught.value.problems) == 1
    assert str(caught.value.problems[0]).startswith(
        "success_markers/cohort_3.xls: cannot be opened as a workbook (.xlsx, .xlsm, .xlsb, "
        ".xls or .ods): "
    )
    (folder / "cohort_3.xls").unlink()
    landed = ingest.ingest_success_markers(tmp_path, IDREAM, KEY)
    assert landed.tables["success_markers"].select(
        "source_file", "level", "outcome_no", "source_row"
    ).rows() == [
        ("success_markers/cohort_1.XLS", "realistic", 1, 4),
        ("success_markers/cohort_1.XLS", "ambitious", 1, 5),
        ("success_markers/cohort_1.XLS", "very_ambitious", 1, 6),
        ("success_markers/cohort_2.ods", "realistic", 1, 3),
        ("success_markers/cohort_2.ods", "ambitious", 1, 4),
        ("success_markers/cohort_2.ods", "very_ambitious", 1, 5),
    ]
    assert landed.tables["success_marker_statuses"].select("review", "status").rows() == [
        ("final", "achieved"),
        ("midpoint", "not_achieved"),
    ]


# Finding files


def test_other_files_and_sub_folders_are_listed_not_read(tmp_path):
    raw = minimal_programme().write(tmp_path)
    (raw / "README.txt").write_text("notes")
    (raw / ".DS_Store").write_text("")
    (raw / "success_markers" / "old").mkdir()
    (raw / "success_markers" / "old" / "cohort_1_v1.xlsx").write_bytes(b"old")
    (raw / "success_markers" / "plan.pdf").write_bytes(b"%PDF")
    (raw / "survey" / "form.xml").write_text("<form/>")
    assert ingest.ingest_roster(raw, IDREAM, KEY).ignored_files == ["README.txt"]
    markers = ingest.ingest_success_markers(raw, IDREAM, KEY)
    assert markers.files == ["success_markers/cohort_1.xlsx"]
    assert markers.ignored_files == ["success_markers/old/", "success_markers/plan.pdf"]
    survey = ingest.ingest_survey(raw, IDREAM, [CON_01])
    assert survey.ignored_files == ["survey/form.xml"]


def test_workbook_kinds_are_found_whatever_the_case_of_their_extension(tmp_path):
    raw = minimal_programme().write(tmp_path)
    (raw / "participants.xlsx").rename(raw / "participants.XLSX")
    (raw / "survey" / "codebook.xlsx").rename(raw / "survey" / "Codebook.xlsm")
    for name in ("b.XLSB", "c.xls", "d.Ods", "e.CSV"):
        (raw / "success_markers" / name).write_bytes(b"")
    assert raw_files.roster_file(raw).name == "participants.XLSX"
    assert raw_files.codebook_file(raw).name == "Codebook.xlsm"
    assert [path.name for path in raw_files.marker_workbooks(raw)] == [
        "b.XLSB",
        "c.xls",
        "cohort_1.xlsx",
        "d.Ods",
    ]
    assert [path.name for path in raw_files.survey_exports(raw)] == ["survey.csv"]
    assert raw_files.ignored_files(raw, raw_files.MARKERS_FOLDER) == ["success_markers/e.CSV"]


def test_two_rosters_are_refused(tmp_path):
    raw = minimal_programme().write(tmp_path)
    (raw / "participants.ods").write_bytes(b"")
    with pytest.raises(RawDataError) as caught:
        raw_files.roster_file(raw)
    assert messages(caught) == [
        "participants.xlsx: is there more than once (participants.ods and participants.xlsx): "
        "keep one"
    ]


def test_a_symbolic_link_anywhere_in_the_raw_folder_is_refused(tmp_path):
    raw = minimal_programme().write(tmp_path / "raw")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "cohort_9.xlsx").write_bytes(b"")
    (raw / "success_markers" / "cohort_9.xlsx").symlink_to(elsewhere / "cohort_9.xlsx")
    (raw / "survey" / "old").symlink_to(elsewhere)
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_roster(raw, IDREAM, KEY)
    assert messages(caught) == [
        f"success_markers/cohort_9.xlsx: is a symbolic link (to '{elsewhere / 'cohort_9.xlsx'}'): "
        "links are refused; copy the file into the raw folder instead",
        f"survey/old: is a symbolic link (to '{elsewhere}'): links are refused; copy the "
        "folder into the raw folder instead",
    ]
    # The raw folder itself may be a link: where it lives is the operator's choice.
    (raw / "success_markers" / "cohort_9.xlsx").unlink()
    (raw / "survey" / "old").unlink()
    (tmp_path / "linked_raw").symlink_to(raw)
    assert (
        ingest.ingest_roster(tmp_path / "linked_raw", IDREAM, KEY).tables["participants"].height
        == 2
    )


# The survey


def test_unknown_section_and_scale_in_the_codebook_name_the_definitions(tmp_path):
    rows = [
        list(CODEBOOK_HEADER),
        ["sec_01", "Wellbeing", "I rest", "confidence"],
        ["sec_02", "Security", "I plan", "frequency"],
    ]
    write_sheet(tmp_path / "survey" / "codebook.xlsx", {"items": rows})
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_codebook(tmp_path, IDREAM)
    assert messages(caught) == [
        "survey/codebook.xlsx, sheet 'items', row 2, column 'section': unknown section "
        "'Wellbeing': expected Security, Advocacy or Connection",
        "survey/codebook.xlsx, sheet 'items', row 3, column 'scale': unknown scale "
        "'frequency': expected confidence or agreement",
    ]


def test_the_codebook_lands_sections_and_scales_as_ids(tmp_path):
    rows = [
        ["Survey items (v3)"],
        list(CODEBOOK_HEADER),
        ["SEC 01 ", "security", "I plan", "Confidence"],
        ["con_01", "Connection", "I feel connected", "agreement"],
    ]
    write_sheet(tmp_path / "survey" / "codebook.xlsx", {"Items": rows})
    codebook = ingest.ingest_codebook(tmp_path, IDREAM).tables["survey_codebook"]
    assert codebook.drop("source_file", "source_sheet").rows() == [
        ("sec_01", "security", "I plan", "confidence", 1, 3),
        ("con_01", "connection", "I feel connected", "agreement", 2, 4),
    ]


def test_kobo_csv_with_bom_and_semicolons_keeps_only_contract_columns(tmp_path):
    programme = minimal_programme()
    programme.surveys = {
        "kobo.csv": (
            ("deviceid", "username", "_uuid", "_submission_time", "cohort", "con_01", "_id"),
            [("dev", "someone", "u1", "2024-05-01T10:00:00+02:00", "C1", "Strongly  agree", "9")],
        )
    }
    landed = ingest.ingest_survey(programme.write(tmp_path), IDREAM, [CON_01])
    responses, answers = landed.tables["survey_responses"], landed.tables["survey_answers"]
    assert responses.drop("source_file", "source_sheet").rows() == [
        ("u1", datetime(2024, 5, 1, 8), 1, 2)
    ]
    # Naive, in UTC, as the raw table's column is declared.
    assert responses.schema["submitted_at"] == pl.Datetime("us")
    assert answers.select("item_id", "answer").rows() == [("con_01", "strongly_agree")]
    assert "someone" not in responses.write_csv() + answers.write_csv()
    assert (landed.excluded_by_review, landed.dropped_headers) == (0, 3)


def test_a_missing_item_column_is_named(tmp_path):
    raw = minimal_programme().write(tmp_path)
    con_02 = CodebookItem("con_02", "Another", "agreement")
    with pytest.raises(
        RawDataError, match=re.escape("survey/survey.csv, row 1, column 'con_02': required column")
    ):
        ingest.ingest_survey(raw, IDREAM, [CON_01, con_02])


def test_survey_problems_are_listed_file_by_file_and_row_by_row(tmp_path):
    programme = minimal_programme()
    header = ("response_id", "submitted_at", "cohort", "con_01")
    programme.surveys = {
        "a.csv": (header, [("r1", "soon", "1", "Agree"), (None, "2024-05-01", "C x", "Maybe")]),
        "b.csv": (header, [(None, "2024-05-01", "1", "Agree")]),
    }
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_survey(programme.write(tmp_path), IDREAM, [CON_01])
    assert messages(caught) == [
        "survey/a.csv, row 2, column 'submitted_at': submission time 'soon' is not an ISO "
        "date-time or an Excel date",
        "survey/a.csv, row 3, column 'response_id': response id is blank",
        "survey/a.csv, row 3, column 'cohort': cohort 'C x' is not a cohort number such as 1, "
        "'Cohort 1' or 'C1'",
        "survey/a.csv, row 3, column 'con_01': answer 'Maybe' to item 'con_01' is not a label "
        "of scale 'agreement' (Strongly disagree, Disagree, Neither agree nor disagree, Agree, "
        "Strongly agree, Not applicable, N/A, Don't know)",
        "survey/b.csv, row 2, column 'response_id': response id is blank",
    ]


def test_a_semicolon_csv_is_told_apart_from_a_comma_csv(tmp_path):
    write_csv(tmp_path / "a.csv", ("x", "y"), [("1", "2,5")], separator=";", bom=True)
    grid = read_csv(tmp_path / "a.csv", "a.csv")
    assert grid.cells.select("c0", "c1", "source_row").rows() == [("x", "y", 1), ("1", "2,5", 2)]


def test_answers_land_as_the_ids_of_the_programmes_own_scale_and_turned_down_are_counted(
    tmp_path,
):
    definition = ProgrammeSettings.from_toml(
        _toml(
            '[survey]\ncohort_column = "Training group"\nexcluded = ["Prefer not to say"]\n'
            '[[survey.scales]]\nid = "usefulness"\n'
            'categories = ["Not useful", "Somewhat useful", "Very useful"]\ntop = 1\n'
            '[[survey.sections]]\nid = "training"\nlabel = "Training"\nphrase = "training items"\n'
        ),
        "other",
    ).definition
    rows = [
        ["_uuid", "_submission_time", "Training group", "grp/use_01", "_validation_status"],
        ["u1", "2024-05-01T10:00:00Z", "cohort_2", "very_useful", ""],
        ["u2", "2024-05-01T11:00:00Z", "2", "prefer_not_to_say", "validation_status_approved"],
        ["u3", "2024-05-01T12:00:00Z", "2", "garbage", "validation_status_not_approved"],
    ]
    write_csv(tmp_path / "survey" / "kobo.csv", rows[0], rows[1:], separator=";", bom=True)
    item = CodebookItem("use_01", "The training was useful", "usefulness")
    landed = ingest.ingest_survey(tmp_path, definition, [item])
    assert landed.tables["survey_answers"].select("response_id", "answer").rows() == [
        ("u1", "very_useful"),
        ("u2", "prefer_not_to_say"),
    ]
    assert landed.tables["survey_responses"]["cohort"].to_list() == [2, 2]
    assert landed.excluded_by_review == 1


def test_an_unsaved_formula_is_located_when_the_sheet_starts_right_of_column_a(tmp_path):
    # The reader's grid starts at the first column that holds a value; the formula's
    # column is counted from there too.
    rows = [[None, *row] for row in [list(MARKER_HEADER), *marker_rows()]]
    rows[3][1 + MARKER_HEADER.index("final_status")] = Formula("=B2", None)
    write_sheet(tmp_path / "success_markers" / "c1.xlsx", {"markers": rows})
    with pytest.raises(RawDataError) as caught:
        ingest.ingest_success_markers(tmp_path, IDREAM, KEY)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "final_status")]
