"""Step 1 of ingest: find the raw files the contract describes.

Workbooks may be .xlsx, .xlsm, .xlsb, .xls or .ods wherever the contract writes .xlsx,
extensions matched ignoring case. What spreadsheet tools leave behind (`~$` lock files)
and hidden files are never data. Anything else the run does not read (a README, a PDF,
a sub-folder of old files) is listed by `ignored_files`, never dropped without a word.
A symbolic link anywhere in the raw folder is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.programme_toml import PROGRAMME_FILE

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIX = ".csv"
ROSTER = "participants"
MARKERS_FOLDER = "success_markers"
SURVEY_FOLDER = "survey"
CODEBOOK = "codebook"
_KINDS = ", ".join(WORKBOOK_SUFFIXES)


def is_ignored(path: Path) -> bool:
    """Excel lock files (`~$book.xlsx`) and hidden files are never data."""
    return path.name.startswith(("~$", "."))


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def roster_file(raw_dir: Path) -> Path:
    return _one_workbook(raw_dir, raw_dir, ROSTER)


def codebook_file(raw_dir: Path) -> Path:
    return _one_workbook(raw_dir, raw_dir / SURVEY_FOLDER, CODEBOOK)


def marker_workbooks(raw_dir: Path) -> list[Path]:
    folder = raw_dir / MARKERS_FOLDER
    found = [path for path in _files(raw_dir, folder) if is_workbook(path)]
    return _at_least_one(raw_dir, folder, found, f"success-marker workbooks ({_KINDS})")


def survey_exports(raw_dir: Path) -> list[Path]:
    folder = raw_dir / SURVEY_FOLDER
    found = [path for path in _files(raw_dir, folder) if _is_export(path)]
    return _at_least_one(raw_dir, folder, found, f"survey exports ({_KINDS} or .csv)")


def all_raw_files(raw_dir: Path) -> list[Path]:
    """Every file a run reads, in a stable order (for provenance and change detection)."""
    return [
        roster_file(raw_dir),
        *marker_workbooks(raw_dir),
        codebook_file(raw_dir),
        *survey_exports(raw_dir),
    ]


def ignored_files(raw_dir: Path, folder: str = "") -> list[str]:
    """What the run does not read in `folder` ("" for the raw folder itself,
    `success_markers` or `survey`): files of other kinds and sub-folders (named with a
    trailing `/`), as the raw folder names them, for the run's report."""
    where = raw_dir / folder if folder else raw_dir
    if not where.is_dir():
        return []
    refuse_symlinks(raw_dir)
    return [
        display_path(path, raw_dir) + ("/" if path.is_dir() else "")
        for path in sorted(where.iterdir())
        if not is_ignored(path) and not _is_read(path, folder)
    ]


def refuse_symlinks(raw_dir: Path) -> None:
    """Every symbolic link below `raw_dir` (the folder itself may be one: where it lives
    is the operator's choice), all in one error."""
    problems = []
    for folder, folders, files in os.walk(raw_dir):
        folders[:] = sorted(name for name in folders if not name.startswith(("~$", ".")))
        for name in [*folders, *sorted(files)]:
            path = Path(folder) / name
            if path.is_symlink() and not is_ignored(path):
                problems.append(link_problem(path, display_path(path, raw_dir)))
        # os.walk does not follow a linked folder: it is reported above, never entered.
    if problems:
        raise RawDataError(problems)


def refuse_symlink(path: Path, raw_dir: Path, file_label: str) -> None:
    """The contract refuses symbolic links in the raw folder: a link can bring in a file
    nobody meant to hand over, and the raw folder must be the whole input. The raw folder
    itself may be a link; the file and every folder between it and the raw folder may not."""
    try:
        parts = path.relative_to(raw_dir).parts
    except ValueError:
        parts = ()
    inside = [raw_dir.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1)]
    for candidate in inside or [path]:
        if candidate.is_symlink():
            if candidate == path:
                raise RawDataError([link_problem(path, file_label)])
            raise RawDataError(
                [
                    Problem(
                        file_label,
                        f"is inside '{candidate.name}', a symbolic link (to "
                        f"'{candidate.readlink()}'): links are refused; copy the folder into "
                        "the raw folder instead",
                    )
                ]
            )


def _is_read(path: Path, folder: str) -> bool:
    if path.is_dir():
        return folder == "" and path.name in (MARKERS_FOLDER, SURVEY_FOLDER)
    if folder == "":
        return path.name == PROGRAMME_FILE or _is_named(path, ROSTER)
    if folder == MARKERS_FOLDER:
        return is_workbook(path)
    return _is_export(path) or _is_named(path, CODEBOOK)


def link_problem(path: Path, label: str, into: str = "into the raw folder") -> Problem:
    """A symbolic link, refused: a link can bring in a file nobody meant to hand over."""
    what = "folder" if path.is_dir() else "file"
    return Problem(
        label,
        f"is a symbolic link (to '{path.readlink()}'): links are refused; copy the {what} "
        f"{into} instead",
    )


def _is_named(path: Path, stem: str) -> bool:
    return path.stem.casefold() == stem and is_workbook(path)


def _is_export(path: Path) -> bool:
    return (is_workbook(path) or path.suffix.lower() == CSV_SUFFIX) and not _is_named(
        path, CODEBOOK
    )


def _files(raw_dir: Path, folder: Path) -> list[Path]:
    """The files of `folder` the contract may read, in name order; links refused."""
    if not folder.is_dir():
        return []
    refuse_symlinks(raw_dir)
    return sorted(path for path in folder.iterdir() if path.is_file() and not is_ignored(path))


def _one_workbook(raw_dir: Path, folder: Path, stem: str) -> Path:
    found = [path for path in _files(raw_dir, folder) if _is_named(path, stem)]
    expected = display_path(folder / f"{stem}.xlsx", raw_dir)
    if not found:
        raise RawDataError(
            [Problem(expected, f"is missing: expected a workbook named '{stem}' ({_KINDS})")]
        )
    if len(found) > 1:
        named = " and ".join(display_path(path, raw_dir) for path in found)
        raise RawDataError([Problem(expected, f"is there more than once ({named}): keep one")])
    return found[0]


def _at_least_one(raw_dir: Path, folder: Path, found: list[Path], what: str) -> list[Path]:
    if not found:
        raise RawDataError([Problem(display_path(folder, raw_dir), f"contains no {what}")])
    return found
