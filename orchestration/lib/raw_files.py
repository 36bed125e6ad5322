"""Find the raw files the contract describes, ignoring what spreadsheet tools leave behind."""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.errors import Problem, RawDataError, display_path

ROSTER_FILE = "participants.xlsx"
MARKERS_FOLDER = "success_markers"
SURVEY_FOLDER = "survey"
CODEBOOK_FILE = "codebook.xlsx"


def is_ignored(path: Path) -> bool:
    """Excel lock files (`~$book.xlsx`) and hidden files are never data."""
    return path.name.startswith(("~$", "."))


def roster_file(raw_dir: Path) -> Path:
    return _required(raw_dir, raw_dir / ROSTER_FILE)


def codebook_file(raw_dir: Path) -> Path:
    return _required(raw_dir, raw_dir / SURVEY_FOLDER / CODEBOOK_FILE)


def marker_workbooks(raw_dir: Path) -> list[Path]:
    folder = raw_dir / MARKERS_FOLDER
    found = _files(folder, (".xlsx",))
    return _at_least_one(raw_dir, folder, found, "success-marker workbooks (.xlsx)")


def survey_exports(raw_dir: Path) -> list[Path]:
    folder = raw_dir / SURVEY_FOLDER
    found = [path for path in _files(folder, (".xlsx", ".csv")) if path.name != CODEBOOK_FILE]
    return _at_least_one(raw_dir, folder, found, "survey exports (.xlsx or .csv)")


def all_raw_files(raw_dir: Path) -> list[Path]:
    """Every file a run reads, in a stable order (for provenance and change detection)."""
    return [
        roster_file(raw_dir),
        *marker_workbooks(raw_dir),
        codebook_file(raw_dir),
        *survey_exports(raw_dir),
    ]


def _required(raw_dir: Path, path: Path) -> Path:
    if not path.is_file():
        raise RawDataError([Problem(display_path(path, raw_dir), "is missing")])
    return path


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in suffixes and not is_ignored(path)
    )


def _at_least_one(raw_dir: Path, folder: Path, found: list[Path], what: str) -> list[Path]:
    if not found:
        raise RawDataError([Problem(display_path(folder, raw_dir), f"contains no {what}")])
    return found
