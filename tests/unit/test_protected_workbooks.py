"""Password-protected workbooks (Excel's "Encrypt with Password", common in NGOs) are read
in memory with the password from the settings; nothing decrypted touches the disk."""

import pytest

from orchestration.lib.errors import RawDataError
from orchestration.lib.readers import open_workbook, read_sheet
from orchestration.lib.workbooks import write_workbook
from orchestration.settings import Settings
from tests.programmes import protect_workbook

PASSWORD = "correct horse  battery staple "


@pytest.fixture
def workbooks(tmp_path):
    plain, protected = tmp_path / "raw" / "plain.xlsx", tmp_path / "raw" / "protected.xlsx"
    for path in (plain, protected):
        write_workbook(path, {"participants": (("participant_id", "cohort"), [("A-1", "1")])})
    protect_workbook(protected, PASSWORD)
    return plain, protected


def test_a_protected_workbook_reads_like_the_plain_one(workbooks, tmp_path, monkeypatch):
    plain, protected = workbooks
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    before = sorted(p.name for p in protected.parent.iterdir())

    grid = read_sheet(open_workbook(protected, "protected.xlsx", PASSWORD), "participants")

    assert grid.cells.equals(read_sheet(open_workbook(plain, "plain.xlsx"), "participants").cells)
    assert sorted(p.name for p in protected.parent.iterdir()) == before
    assert not any(scratch.iterdir())


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (None, "is password-protected: put its password in a file"),
        ("wrong", "the password in IDREAM_WORKBOOK_PASSWORD_FILE does not open it"),
    ],
)
def test_a_protected_workbook_without_its_password_is_named(workbooks, password, message):
    _, protected = workbooks
    with pytest.raises(RawDataError, match=message) as error:
        open_workbook(protected, "protected.xlsx", password)
    assert error.value.problems[0].file == "protected.xlsx"


def test_the_password_comes_from_a_file_with_its_spaces(tmp_path):
    password_file = tmp_path / "workbooks.password"
    password_file.write_text(PASSWORD + "\n")
    settings = Settings.from_env({"IDREAM_WORKBOOK_PASSWORD_FILE": str(password_file)})
    assert settings.workbook_password() == PASSWORD
    assert Settings.from_env({}).workbook_password() is None
