"""`idream check`: would this raw folder run? The folder is read as a run reads it and its
raw tables are checked by the run's raw-level suites, the survey spilled to a temporary
folder as a run spills it: every problem is printed with its file, sheet, row and column,
and listed in problems.csv (never inside the raw folder, never with a value read back from
a raw file); nothing else is written, and the temporary folder is gone when the check ends.

Each check takes about a second, so every bad input a run refuses (tests/bad_inputs.py)
is a case here. All of them stop a run at ingest or at a raw-level suite, which the check
runs: none is left to dbt or the marts. The two checks of a 50,000-response survey at the
end take a few seconds each, after about 8 s of generating it. (No marker:
tests/conftest.py groups this file's tests on one xdist worker, as it does every file's.)
"""

import csv
import shutil
import tempfile
from pathlib import Path

import pytest

from orchestration import cli
from orchestration.lib.check_report import REPORT_FILE
from orchestration.lib.spilled import SpillFolder
from tests.bad_inputs import CASES, location, write_broken
from tests.conftest import SAMPLE_RAW, RunResult, tree_digest
from tests.e2e.test_large_survey import exports
from tests.programmes import minimal_programme


def run_check(raw_dir: Path, capsys, *options: str) -> RunResult:
    """`idream check` in this process, as a user would call it."""
    code = cli.main(["check", "--raw-dir", str(raw_dir), *options])
    captured = capsys.readouterr()
    return RunResult(code, captured.out, captured.err)


def report_rows(folder: Path) -> list[dict[str, str]]:
    # UTF-8 with a byte-order mark, for Excel.
    with (folder / REPORT_FILE).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def every_path(folder: Path) -> list[str]:
    """Every file and folder under `folder` (tree_digest sees files only)."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def located_rows(rows: list[dict[str, str]], file, sheet, row, column, message) -> list[dict]:
    """The report's error rows at the case's file, sheet, row and column that say its message."""
    where = (file, sheet or "", "" if row is None else str(row), column or "")
    return [
        r
        for r in rows
        if r["severity"] == "error"
        and (r["file"], r["sheet"], r["row"], r["column"]) == where
        and message in r["problem"]
    ]


def test_the_sample_would_run_and_the_check_writes_only_its_report(tmp_path, capsys, monkeypatch):
    # Whatever the check writes, but its report, would show up in one of these.
    key_file = tmp_path / "key" / "pseudonyms.key"
    monkeypatch.setenv("IDREAM_PSEUDONYM_KEY_FILE", str(key_file))
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    working = tmp_path / "cwd"
    working.mkdir()
    monkeypatch.chdir(working)
    raw_before, raw_paths = tree_digest(SAMPLE_RAW), every_path(SAMPLE_RAW)
    warehouse = tmp_path / "warehouse"

    result = run_check(SAMPLE_RAW, capsys, "--warehouse-dir", str(warehouse))

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "idream: the folder would run (" in result.stdout
    assert f"Report: {warehouse / 'check' / REPORT_FILE}" in result.stdout
    # No warehouse file, no build copy, no brief, no quality report, no log: the report only.
    assert every_path(warehouse) == ["check", f"check/{REPORT_FILE}"]
    assert [r for r in report_rows(warehouse / "check") if r["severity"] == "error"] == []
    # The check pseudonymises with a key of its own, forgotten with it, and records no run.
    assert not key_file.exists() and not key_file.parent.exists()
    assert every_path(dagster_home) == [] and every_path(working) == []
    assert tree_digest(SAMPLE_RAW) == raw_before and every_path(SAMPLE_RAW) == raw_paths


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_every_bad_input_a_run_refuses_is_refused_by_the_check_with_its_location(
    case, tmp_path, capsys
):
    _, file, sheet, row, column, message = CASES[case]
    raw = write_broken(case, tmp_path / "raw")
    raw_before = tree_digest(raw)
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1, result.stdout + result.stderr
    assert "idream: the folder would not run: " in result.stderr
    where = f"{location(file, sheet, row, column)}: "
    assert any(
        line.lstrip().startswith("error") and where in line and message in line
        for line in result.stdout.splitlines()
    ), result.stdout
    assert located_rows(report_rows(report), file, sheet, row, column, message), (
        report / REPORT_FILE
    ).read_text(encoding="utf-8-sig")
    assert tree_digest(raw) == raw_before


def test_a_value_read_back_from_the_raw_file_is_shown_but_never_written(tmp_path, capsys):
    """Markers of a participant the roster lacks: the warehouse holds a pseudonym, so the
    terminal shows the code the file has, for the person who fixes it; the report does not."""
    programme = minimal_programme()
    rows = programme.markers["cohort_1.xlsx"]
    rows[:3] = [("C9-99", *row[1:]) for row in rows[:3]]
    raw = programme.write(tmp_path / "raw")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    where = "success_markers/cohort_1.xlsx, sheet 'markers', row 2, column 'participant_id'"
    shown = [line for line in result.stdout.splitlines() if where in line]
    assert shown and "(the file says 'C9-99')" in shown[0], result.stdout
    located = located_rows(
        report_rows(report),
        "success_markers/cohort_1.xlsx",
        "markers",
        2,
        "participant_id",
        "participant is not in the roster",
    )
    assert located, (report / REPORT_FILE).read_text(encoding="utf-8-sig")
    assert "C9-99" not in (report / REPORT_FILE).read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("inside", [".", "check"], ids=["the raw folder", "a folder in it"])
def test_a_report_folder_inside_the_raw_folder_is_refused(inside, tmp_path, capsys):
    raw = write_broken("unknown status", tmp_path / "raw")  # a folder with problems to write
    before, paths = tree_digest(raw), every_path(raw)

    result = run_check(raw, capsys, "--report", str(raw / inside))

    assert result.exit_code == 2
    assert "is inside the raw folder" in result.stderr and "--report" in result.stderr
    assert tree_digest(raw) == before and every_path(raw) == paths


def test_a_linked_folder_is_reported_not_entered(tmp_path, capsys):
    """A file link is one of the bad inputs above; a linked folder is refused as well, and
    nothing below it is read (its codebook would otherwise break a rule)."""
    programme = minimal_programme()
    programme.codebook[0] = (*programme.codebook[0][:3], "frequency")
    elsewhere = programme.write(tmp_path / "elsewhere")
    raw = minimal_programme().write(tmp_path / "raw")
    shutil.rmtree(raw / "survey")
    (raw / "survey").symlink_to(elsewhere / "survey", target_is_directory=True)
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    message = "is a symbolic link (to "
    assert any(
        line.lstrip().startswith("error") and "survey: " in line and message in line
        for line in result.stdout.splitlines()
    ), result.stdout
    assert "copy the folder into the raw folder" in result.stdout
    assert located_rows(report_rows(report), "survey", None, None, None, message)
    assert "frequency" not in result.stdout


def test_one_symbolic_link_is_one_problem(tmp_path, capsys):
    raw = write_broken("symbolic link", tmp_path / "raw")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    assert [r["file"] for r in report_rows(report)] == ["success_markers/cohort_1.xlsx"]
    assert result.stdout.count("is a symbolic link") == 1, result.stdout
    assert "1 problem(s) to fix" in result.stderr


def test_every_row_breaking_a_rule_is_located(tmp_path, capsys):
    programme = minimal_programme()
    rows = programme.markers["cohort_1.xlsx"]
    strangers = [(f"Q-{n}", row[1], 10 + n, *row[3:]) for n in range(10) for row in rows[:3]]
    rows.extend(strangers)  # 30 rows of participants the roster lacks
    first = len(rows) - len(strangers) + 2  # spreadsheet row of the first (row 1: header)
    raw = programme.write(tmp_path / "raw")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    found = report_rows(report)
    assert all(not r["file"].startswith("raw.") for r in found), found
    located = {
        int(r["row"])
        for r in found
        if r["file"] == "success_markers/cohort_1.xlsx"
        and r["column"] == "participant_id"
        and "participant is not in the roster" in r["problem"]
    }
    assert located == set(range(first, first + len(strangers)))


def test_a_programme_toml_with_a_repeated_domain_id_is_reported(tmp_path, capsys):
    programme = minimal_programme()
    domain = '[[domains]]\nid = "{}"\nlabel = "{}"\n'
    programme.programme_settings = domain.format("voice", "Voice") + domain.format(
        "voice", "Speaking up"
    )
    raw = programme.write(tmp_path / "raw")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    message = 'domains[2].id = "voice": repeats the id of domains[1].id'
    assert any(
        line.lstrip().startswith("error") and "programme.toml" in line and message in line
        for line in result.stdout.splitlines()
    ), result.stdout
    rows = report_rows(report)
    assert [r for r in rows if r["file"] == "programme.toml" and message in r["problem"]], rows


@pytest.fixture(scope="module")
def large_survey(large_survey_raw) -> Path:
    """The survey-heavy programme tests/e2e/test_large_survey.py runs (50,000 responses,
    1,350,000 answers): large enough that the check must read it spilled, as a run does.
    Generated once for both modules (tests/e2e/conftest.py); the tests check copies."""
    return large_survey_raw


@pytest.fixture
def check_temporary(tmp_path, monkeypatch) -> tuple[Path, list[Path]]:
    """The folder the check's temporary folder is made in, and every folder the survey's
    answers were spilled to while it ran."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    spilled: list[Path] = []
    write_part = SpillFolder.part_of_slices

    def recording(spill, slices, name):
        spilled.append(spill.path)
        return write_part(spill, slices, name)

    monkeypatch.setattr(SpillFolder, "part_of_slices", recording)
    return folder, spilled


def plant(export: Path, row: int, column: str, value: str) -> None:
    """`value` in an export's cell at spreadsheet `row` (the header is row 1), the file
    written back as its tool writes it (tests/e2e/test_large_survey.py)."""
    kobo = "kobo" in export.name
    encoding, delimiter = ("utf-8-sig", ";") if kobo else ("utf-8", ",")
    with export.open(encoding=encoding, newline="") as handle:
        records = list(csv.reader(handle, delimiter=delimiter))
    records[row - 1][records[0].index(column)] = value
    with export.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n" if kobo else "\n")
        writer.writerows(records)


def test_a_large_survey_is_checked_spilled_and_a_rule_breaking_row_is_located(
    large_survey, check_temporary, tmp_path, capsys
):
    """Issue 17: the check reads a large survey spilled to Parquet and its raw suites query
    the files, not frames in memory; a row one of them refuses is still located by file,
    row and column, and the temporary folder is gone once the check has answered."""
    folder, spilled = check_temporary
    raw = tmp_path / "raw"
    shutil.copytree(large_survey, raw)
    export = next(path for path in exports(raw) if "kobo" not in path.name)
    row = 5_678
    plant(export, row, "cohort", "99")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1, result.stdout + result.stderr
    rows = report_rows(report)
    located = located_rows(
        rows, f"survey/{export.name}", None, row, "cohort", "cohort 99 is not in the roster"
    )
    assert located, rows
    assert spilled and all(path.is_relative_to(folder) for path in spilled), spilled
    assert every_path(folder) == []


def test_a_planted_bad_answer_in_a_large_survey_is_located_and_nothing_spilled_is_left(
    large_survey, check_temporary, tmp_path, capsys
):
    """An answer that is no label stops the survey at ingest, after the other exports were
    spilled: it is located by file, row and column, and their parts are gone with it."""
    folder, spilled = check_temporary
    raw = tmp_path / "raw"
    shutil.copytree(large_survey, raw)
    export = next(path for path in exports(raw) if "kobo" in path.name)
    row = 4_321
    plant(export, row, "con_03", "Mostly agree")
    report = tmp_path / "report"

    result = run_check(raw, capsys, "--report", str(report))

    assert result.exit_code == 1
    message = "answer 'Mostly agree' to item 'con_03' is not a label of scale 'agreement'"
    assert f"survey/{export.name}, row {row}, column 'con_03': {message}" in result.stdout
    assert located_rows(report_rows(report), f"survey/{export.name}", None, row, "con_03", message)
    assert spilled and all(path.is_relative_to(folder) for path in spilled), spilled
    assert every_path(folder) == []
