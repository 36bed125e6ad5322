"""Every class of bad input, as a change to `minimal_programme()`, with the located problem a
run must report for it: the file, sheet, row and column, and what the message says.

The rules are proved case by case at unit level (tests/unit/test_bad_inputs.py, on the
files these breakers write); one case of each stage also runs the whole pipeline
(tests/e2e/test_bad_input.py).
"""

from pathlib import Path

from tests.programmes import MARKER_HEADER, minimal_programme

LEVEL = MARKER_HEADER.index("level")
DOMAIN = MARKER_HEADER.index("domain")
FINAL = MARKER_HEADER.index("final_status")
PARTICIPANT = MARKER_HEADER.index("participant_id")


def _replace(rows: list[tuple], index: int, column: int, value) -> None:
    row = list(rows[index])
    row[column] = value
    rows[index] = tuple(row)


def _markers(programme):
    return programme.markers["cohort_1.xlsx"]


def break_missing_column(programme):
    programme.roster = [row[:2] + row[3:] for row in programme.roster]

    def write(raw_dir):
        from orchestration.lib.workbooks import write_workbook

        programme.write(raw_dir)
        header = ("participant_id", "cohort", "name", "email", "country_of_exile")
        write_workbook(raw_dir / "participants.xlsx", {"participants": (header, programme.roster)})

    return write


def break_roster_row_with_a_name_only(programme):
    # Someone added a person's name and email but not their programme code: a row the
    # contract reads (only fully empty rows are passed over), not one to drop in silence.
    programme.roster.append((None, None, None, "Name of a newcomer", "new@example.org", None))


def break_domain(programme):
    _replace(_markers(programme), 0, DOMAIN, "Wellbeing")


def break_level(programme):
    _replace(_markers(programme), 1, LEVEL, "Extremely ambitious")


def break_status(programme):
    _replace(_markers(programme), 0, FINAL, "Done")


def break_answer(programme):
    _, rows = programme.surveys["survey.csv"]
    rows[1] = (*rows[1][:3], "Maybe")


def break_participant(programme):
    for index in range(3):
        _replace(_markers(programme), index, PARTICIPANT, "Z-9")


def break_repeated_level(programme):
    rows = _markers(programme)
    _replace(rows, 2, LEVEL, "Realistic")


def break_missing_level(programme):
    del _markers(programme)[2]


def break_survey_cohort(programme):
    _, rows = programme.surveys["survey.csv"]
    rows[0] = (rows[0][0], rows[0][1], "7", rows[0][3])


def break_corrupt_workbook(programme):
    def write(raw_dir):
        programme.write(raw_dir)
        (raw_dir / "success_markers" / "cohort_1.xlsx").write_bytes(b"PK\x03\x04 not really a zip")

    return write


def break_empty_workbook(programme):
    _markers(programme).clear()


def break_participant_type(programme):
    programme.roster[1] = (*programme.roster[1][:2], "Person", *programme.roster[1][3:])


def break_duplicate_participant(programme):
    programme.roster.append(programme.roster[0])


def break_cohort_size(programme):
    programme.programme_settings = '[cohort_sizes]\n"1" = 3\n'


def break_answer_scale(programme):
    _, rows = programme.surveys["survey.csv"]
    rows[0] = (*rows[0][:3], "More confident")


def break_codebook_section(programme):
    programme.codebook[0] = ("con_01", "wellbeing", *programme.codebook[0][2:])


def break_unanticipated_review(programme):
    programme.unanticipated["cohort_1.xlsx"] = [("A-1", "", "annual", "a description")]


def break_codebook_scale(programme):
    programme.codebook[0] = (*programme.codebook[0][:3], "frequency")


def break_status_error_value(programme):
    """`final_status` looked up with a formula that found nothing: `#N/A`, saved as such."""

    def write(raw_dir):
        import xlsxwriter

        programme.write(raw_dir)
        workbook = xlsxwriter.Workbook(str(raw_dir / "success_markers" / "cohort_1.xlsx"))
        sheet = workbook.add_worksheet("markers")
        sheet.write_row(0, 0, MARKER_HEADER)
        for number, row in enumerate(_markers(programme), start=1):
            sheet.write_row(number, 0, ["" if value is None else value for value in row])
        sheet.write_formula(2, FINAL, "=VLOOKUP(A3,Lookup!A:B,2,FALSE)", None, "#N/A")
        workbook.close()

    return write


def break_symbolic_link(programme):
    def write(raw_dir):
        programme.write(raw_dir)
        elsewhere = raw_dir.parent / f"{raw_dir.name}_elsewhere"
        elsewhere.mkdir()
        (raw_dir / "success_markers" / "cohort_1.xlsx").rename(elsewhere / "cohort_1.xlsx")
        (raw_dir / "success_markers" / "cohort_1.xlsx").symlink_to(elsewhere / "cohort_1.xlsx")

    return write


def break_survey_encoding(programme):
    def write(raw_dir):
        programme.write(raw_dir)
        path = raw_dir / "survey" / "survey.csv"
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))

    return write


def break_survey_cut_short(programme):
    def write(raw_dir):
        programme.write(raw_dir)
        path = raw_dir / "survey" / "survey.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text(text[: text.rindex(",")] + "\n", encoding="utf-8")

    return write


def break_survey_cohort_column(programme):
    _, rows = programme.surveys["survey.csv"]
    programme.surveys["survey.csv"] = (("response_id", "submitted_at", "group", "con_01"), rows)


CASES = {
    # name: (breaker, file, sheet, row, column, what the message says)
    "missing required column": (
        break_missing_column,
        "participants.xlsx",
        "participants",
        1,
        "participant_type",
        "required column 'participant_type' is missing",
    ),
    "roster row with a name but no participant_id": (
        break_roster_row_with_a_name_only,
        "participants.xlsx",
        "participants",
        4,
        "participant_id",
        "participant_id is blank",
    ),
    "unknown domain": (
        break_domain,
        "success_markers/cohort_1.xlsx",
        "markers",
        2,
        "domain",
        "unknown domain 'Wellbeing': expected Resilience, Advocacy or Integrated Security",
    ),
    "unknown level": (
        break_level,
        "success_markers/cohort_1.xlsx",
        "markers",
        3,
        "level",
        "unknown level 'Extremely ambitious': expected Realistic, Ambitious or Very ambitious",
    ),
    "unknown status": (
        break_status,
        "success_markers/cohort_1.xlsx",
        "markers",
        2,
        "final_status",
        "unknown status 'Done': expected Achieved, Partially achieved or Not achieved",
    ),
    "unknown answer": (
        break_answer,
        "survey/survey.csv",
        None,
        3,
        "con_01",
        "answer 'Maybe' to item 'con_01' is not a label of scale 'agreement' (Strongly "
        "disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree",
    ),
    "participant not in roster": (
        break_participant,
        "success_markers/cohort_1.xlsx",
        "markers",
        2,
        "participant_id",
        "participant is not in the roster",
    ),
    "repeated level": (
        break_repeated_level,
        "success_markers/cohort_1.xlsx",
        "markers",
        4,
        "level",
        "level 'Realistic' is repeated for outcome 1",
    ),
    "missing level": (
        break_missing_level,
        "success_markers/cohort_1.xlsx",
        "markers",
        2,
        "level",
        "has no 'Very ambitious' marker",
    ),
    "survey cohort not in roster": (
        break_survey_cohort,
        "survey/survey.csv",
        None,
        2,
        "cohort",
        "cohort 7 is not in the roster",
    ),
    "corrupt workbook": (
        break_corrupt_workbook,
        "success_markers/cohort_1.xlsx",
        None,
        None,
        None,
        "cannot be opened as a workbook (.xlsx, .xlsm, .xlsb, .xls or .ods)",
    ),
    "empty workbook": (
        break_empty_workbook,
        "success_markers/cohort_1.xlsx",
        "markers",
        None,
        None,
        "has a header but no data rows",
    ),
    "unknown participant type": (
        break_participant_type,
        "participants.xlsx",
        "participants",
        3,
        "participant_type",
        "unknown participant type 'Person': expected individual or organization",
    ),
    "participant listed twice": (
        break_duplicate_participant,
        "participants.xlsx",
        "participants",
        4,
        "participant_id",
        "participant is listed more than once; a participant belongs to one cohort",
    ),
    "cohort size differs from the programme settings": (
        break_cohort_size,
        "participants.xlsx",
        "participants",
        2,
        "cohort",
        "cohort 1 has 2 participants on the roster, but the programme settings say 3",
    ),
    "answer of the other scale": (
        break_answer_scale,
        "survey/survey.csv",
        None,
        2,
        "con_01",
        "answer 'More confident' to item 'con_01' is not a label of scale 'agreement'",
    ),
    "unknown codebook section": (
        break_codebook_section,
        "survey/codebook.xlsx",
        "items",
        2,
        "section",
        "unknown section 'wellbeing': expected Security, Advocacy or Connection",
    ),
    "unknown review of an unanticipated outcome": (
        break_unanticipated_review,
        "success_markers/cohort_1.xlsx",
        "unanticipated",
        2,
        "review",
        "unknown review 'annual': expected midpoint or final",
    ),
    "unknown codebook scale": (
        break_codebook_scale,
        "survey/codebook.xlsx",
        "items",
        2,
        "scale",
        "unknown scale 'frequency': expected confidence or agreement",
    ),
    "error value in a status": (
        break_status_error_value,
        "success_markers/cohort_1.xlsx",
        "markers",
        3,
        "final_status",
        "holds the error value #N/A",
    ),
    "symbolic link": (
        break_symbolic_link,
        "success_markers/cohort_1.xlsx",
        None,
        None,
        None,
        "is a symbolic link",
    ),
    "survey CSV that is not UTF-8": (
        break_survey_encoding,
        "survey/survey.csv",
        None,
        1,
        None,
        "is not UTF-8 text: byte 0xff at byte offset 0",
    ),
    "survey CSV cut short": (
        break_survey_cut_short,
        "survey/survey.csv",
        None,
        3,
        None,
        "has 3 fields where the header (row 1) has 4: was the file cut short?",
    ),
    "missing cohort column": (
        break_survey_cohort_column,
        "survey/survey.csv",
        None,
        1,
        "cohort",
        "required column 'cohort' is missing",
    ),
}
# The contract's rules across rows and tables are the Great Expectations suites': these
# cases must fail their suite's blocking check. Every other case stops at ingest, before
# anything is landed: a label the definition does not list among them, since ingest maps
# labels to codes.
GX_CHECK = {
    "participant not in roster": "gx_raw_success_markers",
    "repeated level": "gx_raw_success_markers",
    "missing level": "gx_raw_success_markers",
    "survey cohort not in roster": "gx_raw_survey_responses",
    "participant listed twice": "gx_raw_participants",
    "cohort size differs from the programme settings": "gx_raw_participants",
}


def write_broken(case: str, raw_dir: Path) -> Path:
    """`minimal_programme()` with the case's one broken rule, written as the contract's files."""
    programme = minimal_programme()
    write = CASES[case][0](programme) or programme.write
    write(raw_dir)
    return raw_dir


def location(file: str, sheet: str | None, row: int | None, column: str | None) -> str:
    """The case's location as a run prints it: `<file>, sheet 'S', row N, column 'C'`."""
    where = [file]
    if sheet:
        where.append(f"sheet '{sheet}'")
    if row is not None:
        where.append(f"row {row}")
    if column:
        where.append(f"column '{column}'")
    return ", ".join(where)
