"""Which programmes a raw folder holds: one programme folder, or a root of them (contract
v2, "Several programmes"; issue 15, point 1 and its bad inputs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.lib.errors import RawDataError
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_root import ProgrammeFolder, find_programmes
from tests.conftest import PROJECT_ROOT, SAMPLE_RAW

EXAMPLE = PROJECT_ROOT / "examples" / "paralegal_fellowship"


def programme(folder: Path, toml: str | None = None, roster: str = "participants.xlsx") -> Path:
    """A programme folder for discovery: a placeholder roster (discovery never opens it)
    and, when given, a programme.toml."""
    folder.mkdir(parents=True)
    (folder / roster).write_bytes(b"placeholder")
    if toml is not None:
        (folder / "programme.toml").write_text(toml, encoding="utf-8")
    return folder


def stated(programme_id: str, name: str | None = None) -> str:
    text = f'[programme]\nid = "{programme_id}"\n'
    return text + (f'name = "{name}"\n' if name else "")


def problems(error: pytest.ExceptionInfo[RawDataError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- one programme folder ---------------------------------------------------------------


def test_a_folder_holding_a_roster_is_one_programme(tmp_path):
    folder = programme(tmp_path / "IDREAM 2024")
    (folder / "survey").mkdir()
    listing = find_programmes(folder)
    assert not listing.root
    assert listing.programmes == [ProgrammeFolder("idream_2024", folder, "IDREAM")]
    assert listing.not_read == []


def test_the_roster_may_be_any_workbook_format_named_in_any_case(tmp_path):
    folder = programme(tmp_path / "p", roster="PARTICIPANTS.Ods")
    assert find_programmes(folder).ids == ["p"]


def test_a_single_programme_takes_its_stated_id_and_name(tmp_path):
    folder = programme(tmp_path / "anything", stated("legal_aid", "Legal Aid Fellows"))
    assert find_programmes(folder).programmes == [
        ProgrammeFolder("legal_aid", folder, "Legal Aid Fellows")
    ]


def test_a_folder_holding_a_roster_is_a_programme_even_with_programme_subfolders(tmp_path):
    folder = programme(tmp_path / "outer")
    programme(folder / "inner", stated("inner"))
    listing = find_programmes(folder)
    assert not listing.root and listing.ids == ["outer"]


def test_the_sample_raw_folder_is_one_programme_with_its_stated_id():
    # raw/programme.toml states `[programme] id = "idream"` and nothing else of the
    # definition: IDREAM wherever the folder is copied to.
    listing = find_programmes(SAMPLE_RAW)
    assert not listing.root
    assert listing.programmes == [ProgrammeFolder("idream", SAMPLE_RAW, "IDREAM")]
    assert ProgrammeSettings.load(SAMPLE_RAW).definition.id == "idream"


def test_the_example_programme_is_one_programme_with_its_stated_id():
    listing = find_programmes(EXAMPLE)
    assert listing.programmes == [
        ProgrammeFolder("paralegal_fellowship", EXAMPLE, "Community Paralegal Fellowship")
    ]


# --- a root of programme folders ------------------------------------------------------------


def test_a_root_of_the_sample_and_the_example_is_two_programmes(tmp_path):
    root = tmp_path / "programmes"
    root.mkdir()
    shutil.copytree(SAMPLE_RAW, root / "raw")
    shutil.copytree(EXAMPLE, root / "paralegal_fellowship")
    listing = find_programmes(root)
    assert listing.root
    assert listing.programmes == [  # by id
        ProgrammeFolder("idream", root / "raw", "IDREAM"),
        ProgrammeFolder(
            "paralegal_fellowship",
            root / "paralegal_fellowship",
            "Community Paralegal Fellowship",
        ),
    ]
    # The ids are the ones each programme's full settings load gives.
    for found in listing.programmes:
        definition = ProgrammeSettings.load(found.folder).definition
        assert (definition.id, definition.name) == (found.id, found.name)


def test_a_roots_programmes_are_sorted_by_id_not_by_folder(tmp_path):
    programme(tmp_path / "a_folder", stated("zeta"))
    programme(tmp_path / "b_folder", stated("alpha"))
    programme(tmp_path / "Mid Folder")
    listing = find_programmes(tmp_path)
    assert listing.ids == ["alpha", "mid_folder", "zeta"]
    assert [found.folder.name for found in listing.programmes] == [
        "b_folder",
        "Mid Folder",
        "a_folder",
    ]


def test_a_programme_under_a_root_needs_no_programme_toml(tmp_path):
    programme(tmp_path / "first", stated("first"))
    programme(tmp_path / "Données 2025")
    assert find_programmes(tmp_path).ids == ["donnees_2025", "first"]


def test_a_programme_toml_without_an_id_takes_the_folder_name(tmp_path):
    programme(tmp_path / "cohort_b", '[programme]\nname = "Cohort B"\n\n[disclosure]\n')
    assert find_programmes(tmp_path).programmes == [
        ProgrammeFolder("cohort_b", tmp_path / "cohort_b", "Cohort B")
    ]


def test_only_the_programme_table_is_read_at_discovery(tmp_path):
    # A mistake elsewhere in one programme's file fails that programme when it runs,
    # not the discovery of all of them.
    programme(tmp_path / "p", stated("p") + "\n[disclosure]\nmin_cell_size = 0\n")
    assert find_programmes(tmp_path).ids == ["p"]


def test_other_files_and_folders_without_programme_are_not_read_and_listed(tmp_path):
    programme(tmp_path / "p", stated("p"))
    (tmp_path / "README.txt").write_text("notes")
    (tmp_path / "programme.toml").write_text("# a root's own file is not read")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.pdf").write_bytes(b"%PDF")
    listing = find_programmes(tmp_path)
    assert listing.ids == ["p"]
    assert listing.not_read == ["README.txt", "old/", "programme.toml"]


def test_hidden_and_lock_names_are_never_data(tmp_path):
    programme(tmp_path / "p", stated("p"))
    programme(tmp_path / ".hidden", stated("hidden"))
    programme(tmp_path / "~$lock", stated("lock"))
    (tmp_path / ".DS_Store").write_bytes(b"")
    listing = find_programmes(tmp_path)
    assert listing.ids == ["p"] and listing.not_read == []


def test_a_lock_file_is_not_a_roster(tmp_path):
    folder = tmp_path / "p"
    programme(folder, stated("p"), roster="~$participants.xlsx")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert "programme folder without a roster" in problems(error)[0]


def test_a_file_named_like_a_roster_but_not_a_workbook_is_not_one(tmp_path):
    programme(tmp_path / "p", stated("p"), roster="participants.csv")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error)[0].startswith("p/: is a programme folder without a roster")


# --- bad input ------------------------------------------------------------------------------


def test_a_programme_folder_without_a_roster_is_an_error_naming_it(tmp_path):
    programme(tmp_path / "good", stated("good"))
    (tmp_path / "no_roster").mkdir()
    (tmp_path / "no_roster" / "programme.toml").write_text(stated("no_roster"))
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error) == [
        "no_roster/: is a programme folder without a roster: it holds programme.toml but "
        "no participants.xlsx (or .xlsm, .xlsb, .xls, .ods); add the roster, or move the "
        "folder out"
    ]


def test_a_single_folder_with_programme_toml_but_no_roster_says_so(tmp_path):
    folder = tmp_path / "raw"
    (folder / "survey").mkdir(parents=True)
    (folder / "programme.toml").write_text("")
    with pytest.raises(RawDataError) as error:
        find_programmes(folder)
    assert problems(error) == [
        f"{folder}: is a programme folder without a roster: it holds programme.toml but no "
        "participants.xlsx (or .xlsm, .xlsb, .xls, .ods); add the roster"
    ]


def test_two_folders_with_one_id_is_an_error_naming_both_and_the_id(tmp_path):
    programme(tmp_path / "first", stated("shared"))
    programme(tmp_path / "second", stated("shared"))
    programme(tmp_path / "other", stated("other"))
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    [problem] = problems(error)
    assert problem.startswith("first/: has programme id 'shared', and so does 'second/'")
    assert "ids are unique under a root" in problem


def test_an_id_from_a_folder_name_can_repeat_a_stated_one(tmp_path):
    programme(tmp_path / "IDREAM")
    programme(tmp_path / "renamed", stated("idream"))
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error)[0].startswith("IDREAM/: has programme id 'idream', and so does")


def test_an_empty_root_says_what_a_programme_folder_holds(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    [problem] = problems(error)
    assert problem.startswith(
        f"{tmp_path}: holds no programme (its sub-folders old/ hold neither a roster nor "
        "programme.toml)"
    )
    assert "a programme folder holds its roster, participants.xlsx" in problem
    assert "each with its roster and its own programme.toml" in problem


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path / "absent")
    assert problems(error)[0].startswith(f"{tmp_path / 'absent'}: does not exist")


def test_a_stated_id_that_breaks_the_id_rule_names_the_file(tmp_path):
    programme(tmp_path / "p", stated("Bad-Id"))
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error) == [
        'p/programme.toml: programme.id = "Bad-Id": must be lowercase letters, digits and _'
    ]


def test_a_folder_name_with_no_letter_needs_a_stated_id(tmp_path):
    programme(tmp_path / "___")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error)[0].startswith("___/: programme.id: absent, and the folder name")


def test_a_programme_toml_that_is_not_toml_names_the_file(tmp_path):
    programme(tmp_path / "p", "[programme\n")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    assert problems(error)[0].startswith("p/programme.toml: not valid TOML")


def test_every_problem_of_a_root_is_reported_at_once(tmp_path):
    programme(tmp_path / "a", stated("same"))
    programme(tmp_path / "b", stated("same"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "programme.toml").write_text("")
    programme(tmp_path / "d", "not toml")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path)
    files = [problem.file for problem in error.value.problems]
    assert sorted(files) == ["a/", "c/", "d/programme.toml"]


# --- symbolic links -----------------------------------------------------------------------


def test_a_linked_programme_folder_is_refused(tmp_path):
    elsewhere = programme(tmp_path / "elsewhere", stated("linked"))
    root = tmp_path / "root"
    programme(root / "p", stated("p"))
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(RawDataError) as error:
        find_programmes(root)
    [problem] = problems(error)
    assert problem.startswith(f"linked: is a symbolic link (to '{elsewhere}')")
    assert "links are refused; copy the folder in instead" in problem


def test_a_linked_roster_or_programme_toml_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "participants.xlsx").write_bytes(b"x")
    (elsewhere / "programme.toml").write_text(stated("x"))
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "a" / "participants.xlsx").symlink_to(elsewhere / "participants.xlsx")
    programme(root / "b")
    (root / "b" / "programme.toml").symlink_to(elsewhere / "programme.toml")
    with pytest.raises(RawDataError) as error:
        find_programmes(root)
    assert [problem.file for problem in error.value.problems] == [
        "a/participants.xlsx",
        "b/programme.toml",
    ]


def test_a_linked_file_at_the_root_is_refused(tmp_path):
    programme(tmp_path / "root" / "p", stated("p"))
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "root" / "notes.txt").symlink_to(tmp_path / "notes.txt")
    with pytest.raises(RawDataError) as error:
        find_programmes(tmp_path / "root")
    assert problems(error)[0].startswith("notes.txt: is a symbolic link")


def test_the_folder_given_may_itself_be_a_link(tmp_path):
    # Where the raw folder lives is the operator's choice (as raw_files allows); a single
    # programme's default id is the name of the folder the link points at, as
    # ProgrammeSettings.load reads it.
    target = programme(tmp_path / "cohort_2025")
    link = tmp_path / "current"
    link.symlink_to(target, target_is_directory=True)
    assert find_programmes(link).ids == ["cohort_2025"]
    assert ProgrammeSettings.load(link).definition.id == "cohort_2025"
