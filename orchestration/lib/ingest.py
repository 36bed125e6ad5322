"""Read every raw file of one kind, type it, and gather the problems of all files at once.

Each function returns the frames to land; none writes anywhere. A person fixing a folder
of workbooks wants every problem in one message, not one per run. Ingest owns what must
hold for a file to be landed at all (readable, the sheet, the required columns, typed
values); the contract's value rules are checked on the landed tables by the GX suites.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from orchestration.lib import raw_files, roster, success_markers, survey
from orchestration.lib.errors import RawDataError, display_path
from orchestration.lib.fingerprint import file_digest, state_fingerprint
from orchestration.lib.readers import SourceTable, open_workbook, read_csv, read_each, read_sheet
from orchestration.lib.stacked import FileProblems

T = TypeVar("T")


def input_fingerprint(paths: list[Path], raw_dir: Path, **extra: str) -> str:
    """What a landing depends on: its files' bytes, the ingest code, and `extra` (the key,
    an upstream landing). Equal fingerprints mean re-landing would give the same tables."""
    state = {display_path(path, raw_dir): file_digest(path) for path in paths}
    state |= {f"extra:{name}": value for name, value in extra.items()}
    state["code"] = _ingest_code_version()
    return state_fingerprint(state)


@functools.cache
def _ingest_code_version() -> str:
    lib = Path(__file__).resolve().parent
    return state_fingerprint({path.name: file_digest(path) for path in sorted(lib.glob("*.py"))})


@dataclass(frozen=True)
class Landed:
    """Frames to land, with the files they came from."""

    tables: dict[str, pl.DataFrame]
    files: list[str]
    # Tables of the `restricted` schema (free text); None drops a table kept before.
    restricted: dict[str, pl.DataFrame | None] = field(default_factory=dict)


def ingest_roster(raw_dir: Path, key: bytes, password: str | None = None) -> Landed:
    path = raw_files.roster_file(raw_dir)
    table = read_sheet(path, roster.SHEET, display_path(path, raw_dir), password)
    return Landed({"participants": roster.parse_roster(table, key)}, [table.file])


MARKER_TEXTS = "success_marker_texts"
UNANTICIPATED_TEXTS = "unanticipated_outcome_texts"


def ingest_success_markers(
    raw_dir: Path, key: bytes, keep_free_text: bool = False, password: str | None = None
) -> Landed:
    paths = raw_files.marker_workbooks(raw_dir)
    files = [display_path(path, raw_dir) for path in paths]
    problems = FileProblems(files)
    workbooks = _readable(
        read_each(lambda path: _read_marker_workbook(path, raw_dir, password), paths), problems
    )
    sheets = [workbook.markers for workbook in workbooks]
    # Free text is checked and kept only on request; None drops a table kept before.
    restricted: dict[str, pl.DataFrame | None] = {MARKER_TEXTS: None, UNANTICIPATED_TEXTS: None}
    markers = success_markers.parse_markers(sheets, key, problems)
    if keep_free_text:
        restricted[MARKER_TEXTS] = success_markers.free_texts(
            sheets, key, success_markers.MARKER_TEXTS_SPEC, problems
        )
    # As when each workbook was parsed alone, a file stops at its first failing check:
    # the unanticipated sheet of a failed file is not checked, nor is its reading failure.
    extras = _readable(
        [
            workbook.unanticipated
            for workbook in workbooks
            if workbook.unanticipated and workbook.markers.file not in problems.failed
        ],
        problems,
    )
    unanticipated = success_markers.parse_unanticipated(extras, key, problems)
    if keep_free_text:
        restricted[UNANTICIPATED_TEXTS] = success_markers.free_texts(
            extras, key, success_markers.UNANTICIPATED_TEXTS_SPEC, problems
        )
    problems.raise_any()
    return Landed(
        {"success_markers": markers, "unanticipated_outcomes": unanticipated},
        files,
        restricted,
    )


def ingest_codebook(raw_dir: Path, password: str | None = None) -> Landed:
    path = raw_files.codebook_file(raw_dir)
    table = read_sheet(path, survey.CODEBOOK_SHEET, display_path(path, raw_dir), password)
    return Landed({"survey_codebook": survey.parse_codebook(table)}, [table.file])


def ingest_survey(raw_dir: Path, item_ids: list[str], password: str | None = None) -> Landed:
    paths = raw_files.survey_exports(raw_dir)
    files = [display_path(path, raw_dir) for path in paths]
    problems = FileProblems(files)
    tables = _readable(
        read_each(lambda path: _read_export(path, raw_dir, password), paths), problems
    )
    export = survey.parse_exports(tables, item_ids, problems)
    problems.raise_any()
    return Landed({"survey_responses": export.responses, "survey_answers": export.answers}, files)


@dataclass(frozen=True)
class MarkerWorkbook:
    markers: SourceTable
    # None: the workbook has no such sheet; an error: it has one that cannot be read.
    unanticipated: SourceTable | RawDataError | None


def _read_marker_workbook(path: Path, raw_dir: Path, password: str | None) -> MarkerWorkbook:
    label = display_path(path, raw_dir)
    workbook = open_workbook(path, label, password)
    markers = read_sheet(path, success_markers.MARKERS_SHEET, label, workbook=workbook)
    if success_markers.UNANTICIPATED_SHEET not in workbook.sheet_names:
        return MarkerWorkbook(markers, None)
    try:
        extra = read_sheet(path, success_markers.UNANTICIPATED_SHEET, label, workbook=workbook)
    except RawDataError as error:
        return MarkerWorkbook(markers, error)
    return MarkerWorkbook(markers, extra)


def _read_export(path: Path, raw_dir: Path, password: str | None) -> SourceTable:
    label = display_path(path, raw_dir)
    if path.suffix.lower() == ".csv":
        return read_csv(path, label)
    return read_sheet(path, survey.RESPONSES_SHEET, label, password)


def _readable(results: list[T | RawDataError], problems: FileProblems) -> list[T]:
    """What could be read; the problems of what could not go to `problems`."""
    for result in results:
        if isinstance(result, RawDataError):
            problems.add(result.problems)
    return [result for result in results if not isinstance(result, RawDataError)]
