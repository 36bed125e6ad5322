"""Read every raw file of one kind, type it, and gather the problems of all files at once.

Each function returns the frames to land; none writes anywhere. A person fixing a folder
of workbooks wants every problem in one message, not one per run. Ingest owns what must
hold for a file to be landed at all (readable, the sheet, the required columns, typed
values); the contract's value rules are checked on the landed tables by the GX suites.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from orchestration.lib import raw_files, roster, success_markers, survey
from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.fingerprint import file_digest, state_fingerprint
from orchestration.lib.readers import open_workbook, read_csv, read_sheet

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
    problems: list[Problem] = []
    parsed = [
        _collect(problems, _parse_marker_workbook, path, raw_dir, key, keep_free_text, password)
        for path in paths
    ]
    if problems:
        raise RawDataError(problems)
    unanticipated = [
        workbook.unanticipated for workbook in parsed if workbook.unanticipated is not None
    ]
    restricted: dict[str, pl.DataFrame | None] = {MARKER_TEXTS: None, UNANTICIPATED_TEXTS: None}
    if keep_free_text:
        descriptions = [w.unanticipated_texts for w in parsed if w.unanticipated_texts is not None]
        restricted = {
            MARKER_TEXTS: pl.concat([workbook.marker_texts for workbook in parsed]),
            UNANTICIPATED_TEXTS: pl.concat(descriptions)
            if descriptions
            else success_markers.empty_texts(success_markers.UNANTICIPATED_TEXTS_SPEC),
        }
    return Landed(
        {
            "success_markers": pl.concat([workbook.markers for workbook in parsed]),
            "unanticipated_outcomes": (
                pl.concat(unanticipated) if unanticipated else success_markers.empty_unanticipated()
            ),
        },
        [display_path(path, raw_dir) for path in paths],
        restricted,
    )


def ingest_codebook(raw_dir: Path, password: str | None = None) -> Landed:
    path = raw_files.codebook_file(raw_dir)
    table = read_sheet(path, survey.CODEBOOK_SHEET, display_path(path, raw_dir), password)
    return Landed({"survey_codebook": survey.parse_codebook(table)}, [table.file])


def ingest_survey(raw_dir: Path, item_ids: list[str], password: str | None = None) -> Landed:
    paths = raw_files.survey_exports(raw_dir)
    problems: list[Problem] = []
    exports = [
        _collect(problems, _parse_export, path, raw_dir, item_ids, password) for path in paths
    ]
    if problems:
        raise RawDataError(problems)
    return Landed(
        {
            "survey_responses": pl.concat([export.responses for export in exports]),
            "survey_answers": pl.concat([export.answers for export in exports]),
        },
        [display_path(path, raw_dir) for path in paths],
    )


@dataclass(frozen=True)
class MarkerWorkbook:
    markers: pl.DataFrame
    unanticipated: pl.DataFrame | None = None
    # Only when free text is kept.
    marker_texts: pl.DataFrame | None = None
    unanticipated_texts: pl.DataFrame | None = None


def _parse_marker_workbook(
    path: Path, raw_dir: Path, key: bytes, keep_free_text: bool, password: str | None
) -> MarkerWorkbook:
    label = display_path(path, raw_dir)
    workbook = open_workbook(path, label, password)
    sheet = read_sheet(path, success_markers.MARKERS_SHEET, label, workbook=workbook)
    markers = success_markers.parse_markers(sheet, key)
    texts = (
        success_markers.free_texts(sheet, key, success_markers.MARKER_TEXTS_SPEC)
        if keep_free_text
        else None
    )
    if success_markers.UNANTICIPATED_SHEET not in workbook.sheet_names:
        return MarkerWorkbook(markers, marker_texts=texts)
    extra = read_sheet(path, success_markers.UNANTICIPATED_SHEET, label, workbook=workbook)
    return MarkerWorkbook(
        markers,
        success_markers.parse_unanticipated(extra, key),
        texts,
        success_markers.free_texts(extra, key, success_markers.UNANTICIPATED_TEXTS_SPEC)
        if keep_free_text
        else None,
    )


def _parse_export(
    path: Path, raw_dir: Path, item_ids: list[str], password: str | None
) -> survey.SurveyExport:
    label = display_path(path, raw_dir)
    if path.suffix.lower() == ".csv":
        table = read_csv(path, label)
    else:
        table = read_sheet(path, survey.RESPONSES_SHEET, label, password)
    return survey.parse_export(table, item_ids)


def _collect(problems: list[Problem], parse: Callable[..., T], *args: object) -> T | None:
    """Run one file's parser; keep its problems so that every file gets checked."""
    try:
        return parse(*args)
    except RawDataError as error:
        problems.extend(error.problems)
        return None
