"""Which programmes a raw folder holds (contract v2, "Several programmes").

A folder holding a roster (`participants.xlsx`, any workbook format, its name matched
ignoring case) is one programme. A folder without one is a root: each of its sub-folders
holding a roster is a programme; a sub-folder with `programme.toml` but no roster is an
error (a programme folder without a roster); a sub-folder with neither, and any other
file at the root, is not read and is listed for the run's report. Hidden and `~$` names
are never data; symbolic links are refused.

A programme's id is `[programme] id` in its `programme.toml`, else its folder's name
(`programme_id_from_folder`), exactly as `ProgrammeSettings.load` decides it; ids are
unique under a root. Only the `[programme]` table is read here: the rest of each file is
checked when that programme runs, so that one programme's bad settings fail only it.

Pure: nothing is written, and the programmes' data files are not opened.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.programme_definition import IDREAM_NAME
from orchestration.lib.programme_tables import programme_id_from_folder
from orchestration.lib.programme_toml import (
    PROGRAMME_FILE,
    ProgrammeSettingsError,
    Table,
)
from orchestration.lib.raw_files import (
    ROSTER,
    WORKBOOK_SUFFIXES,
    is_ignored,
    is_workbook,
    link_problem,
)

_ROSTER_KINDS = f"{ROSTER}.xlsx (or {', '.join(WORKBOOK_SUFFIXES[1:])})"
_HOLDS = (
    f"a programme folder holds its roster, {_ROSTER_KINDS}; a root of several programmes "
    f"holds programme folders, each with its roster and its own {PROGRAMME_FILE}"
)


@dataclass(frozen=True)
class ProgrammeFolder:
    id: str  # [programme] id, else from the folder's name
    folder: Path
    name: str  # [programme] name, else IDREAM's


@dataclass(frozen=True)
class RootListing:
    """What `find_programmes` found. `root` is False for a single programme folder (its
    one programme publishes as before) and True for a root of programme folders.
    `not_read` names, relative to the root, the sub-folders (with a trailing `/`) and
    files the run does not read, for the run's report."""

    programmes: list[ProgrammeFolder]
    root: bool
    not_read: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [programme.id for programme in self.programmes]


def find_programmes(path: Path) -> RootListing:
    """One programme folder, or a root's programme folders sorted by id; every problem
    found (links, folders without a roster, unreadable ids, repeated ids) in one
    `RawDataError`."""
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a folder"
        raise RawDataError([Problem(str(path), f"{what}: {_HOLDS}")])
    problems: list[Problem] = []
    if _holds_roster(path, path, problems):
        # As ProgrammeSettings.load names it: the folder itself may be a link.
        programme = _programme(path, path, path.resolve().name, problems)
        if programme is None or problems:
            raise RawDataError(problems)  # every None comes with its problem
        return RootListing([programme], root=False)

    programmes: list[ProgrammeFolder] = []
    not_read: list[str] = []
    without_roster: list[Path] = []
    for entry in sorted(path.iterdir()):
        if is_ignored(entry):
            continue
        if entry.is_symlink():
            problems.append(link_problem(entry, display_path(entry, path), into="in"))
        elif not entry.is_dir():
            not_read.append(_label(entry, path))
        elif _holds_roster(entry, path, problems):
            programme = _programme(entry, path, entry.name, problems)
            if programme is not None:
                programmes.append(programme)
        elif _settings_file(entry, path, problems) is not None:
            without_roster.append(entry)
        else:
            not_read.append(_label(entry, path))

    if not programmes and not without_roster and not problems:
        if (path / PROGRAMME_FILE).is_file():
            # The folder states a programme but has no roster: a programme folder
            # without one, not an empty root.
            raise RawDataError([_no_roster(path, path)])
        subfolders = [name for name in not_read if name.endswith("/")]
        held = (
            f" (its sub-folders {', '.join(subfolders)} hold neither a roster nor {PROGRAMME_FILE})"
            if subfolders
            else ""
        )
        raise RawDataError([Problem(str(path), f"holds no programme{held}: {_HOLDS}")])
    problems += [_no_roster(folder, path) for folder in without_roster]
    problems += _repeated_ids(programmes, path)
    if problems:
        raise RawDataError(problems)
    programmes.sort(key=lambda programme: programme.id)
    return RootListing(programmes, root=True, not_read=not_read)


def _holds_roster(folder: Path, root: Path, problems: list[Problem]) -> bool:
    """Whether `folder` holds a roster workbook; a linked one is refused (and counts, so
    that the folder is taken for the programme it says it is)."""
    found = False
    for entry in folder.iterdir():
        if is_ignored(entry) or not is_workbook(entry) or entry.stem.casefold() != ROSTER:
            continue
        if entry.is_symlink():
            problems.append(link_problem(entry, display_path(entry, root), into="in"))
            found = True
        elif entry.is_file():
            found = True
    return found


def _settings_file(folder: Path, root: Path, problems: list[Problem]) -> Path | None:
    path = folder / PROGRAMME_FILE
    if path.is_symlink():
        problems.append(link_problem(path, display_path(path, root), into="in"))
        return path
    return path if path.is_file() else None


def _programme(
    folder: Path, root: Path, folder_name: str, problems: list[Problem]
) -> ProgrammeFolder | None:
    """The programme's id and name as `ProgrammeSettings.load` reads them; None, with a
    problem, when they cannot be read."""
    settings = _settings_file(folder, root, problems)
    if settings is not None and settings.is_symlink():
        return None
    label = _label(settings, root) if settings is not None else _label(folder, root)
    stated: dict = {}
    if settings is not None:
        try:
            with settings.open("rb") as handle:
                stated = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            problems.append(Problem(label, f"not valid TOML ({error})"))
            return None
    try:
        table = Table(stated).table("programme")
        programme_id = table.ident("id") if "id" in table else programme_id_from_folder(folder_name)
        name = table.text("name") if "name" in table else IDREAM_NAME
    except ProgrammeSettingsError as error:
        problems.append(Problem(label, str(error).removeprefix(f"{PROGRAMME_FILE}: ")))
        return None
    return ProgrammeFolder(id=programme_id, folder=folder, name=name)


def _repeated_ids(programmes: list[ProgrammeFolder], root: Path) -> list[Problem]:
    by_id: dict[str, list[ProgrammeFolder]] = {}
    for programme in programmes:
        by_id.setdefault(programme.id, []).append(programme)
    problems = []
    for programme_id, folders in sorted(by_id.items()):
        if len(folders) < 2:
            continue
        first, *others = [_label(programme.folder, root) for programme in folders]
        problems.append(
            Problem(
                first,
                f"has programme id '{programme_id}', and so does "
                f"{' and '.join(repr(other) for other in others)}: ids are unique under a "
                f"root; state a different [programme] id in the {PROGRAMME_FILE} of all "
                "but one (without one, the id is the folder's name)",
            )
        )
    return problems


def _no_roster(folder: Path, root: Path) -> Problem:
    """`folder` holds programme.toml: it is a programme folder, and has no roster."""
    advice = "add the roster" if folder == root else "add the roster, or move the folder out"
    return Problem(
        _label(folder, root),
        f"is a programme folder without a roster: it holds {PROGRAMME_FILE} but no "
        f"{_ROSTER_KINDS}; {advice}",
    )


def _label(path: Path, root: Path) -> str:
    """A path as the report names it: relative to the root, a folder with a trailing
    `/`; the root itself (a single programme folder) as given."""
    if path == root:
        return str(path)
    return display_path(path, root) + ("/" if path.is_dir() and not path.is_symlink() else "")
