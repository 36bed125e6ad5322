"""Read and check every raw file of one kind, gathering the problems of all files at once.

Each function returns the frames to land; none writes anywhere. A person fixing a folder
of workbooks wants every problem in one message, not one per run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl

from orchestration.lib import raw_files, roster, success_markers, survey
from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.labels import LabelDictionary
from orchestration.lib.readers import has_sheet, read_csv, read_sheet

T = TypeVar("T")


@dataclass(frozen=True)
class Landed:
    """Frames to land, with the files they came from and what was noticed on the way."""

    tables: dict[str, pl.DataFrame]
    files: list[str]
    notes: list[str]


def ingest_roster(raw_dir: Path, labels: LabelDictionary, key: bytes) -> Landed:
    path = raw_files.roster_file(raw_dir)
    table = read_sheet(path, roster.SHEET, display_path(path, raw_dir))
    return Landed({"participants": roster.parse_roster(table, labels, key)}, [table.file], [])


def ingest_success_markers(
    raw_dir: Path, labels: LabelDictionary, key: bytes, roster_keys: set[str]
) -> Landed:
    paths = raw_files.marker_workbooks(raw_dir)
    problems: list[Problem] = []
    parsed = [
        _collect(problems, _parse_marker_workbook, path, raw_dir, labels, key, roster_keys)
        for path in paths
    ]
    workbooks = [workbook for workbook in parsed if workbook is not None]
    if not problems:
        problems += success_markers.check_marker_levels(pl.concat([m for m, _ in workbooks]))
    if problems:
        raise RawDataError(problems)
    unanticipated = [extra for _, extra in workbooks if extra is not None]
    return Landed(
        {
            "success_markers": success_markers.land_markers(pl.concat([m for m, _ in workbooks])),
            "unanticipated_outcomes": (
                pl.concat(unanticipated) if unanticipated else _empty_unanticipated()
            ),
        },
        [display_path(path, raw_dir) for path in paths],
        [],
    )


def _parse_marker_workbook(
    path: Path, raw_dir: Path, labels: LabelDictionary, key: bytes, roster_keys: set[str]
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    label = display_path(path, raw_dir)
    markers_sheet = read_sheet(path, success_markers.MARKERS_SHEET, label)
    markers = success_markers.parse_markers(markers_sheet, labels, key, roster_keys)
    if not has_sheet(path, success_markers.UNANTICIPATED_SHEET):
        return markers, None
    extra_sheet = read_sheet(path, success_markers.UNANTICIPATED_SHEET, label)
    return markers, success_markers.parse_unanticipated(extra_sheet, labels, key, roster_keys)


def ingest_codebook(raw_dir: Path, labels: LabelDictionary) -> Landed:
    path = raw_files.codebook_file(raw_dir)
    table = read_sheet(path, survey.CODEBOOK_SHEET, display_path(path, raw_dir))
    return Landed({"survey_codebook": survey.parse_codebook(table, labels)}, [table.file], [])


def ingest_survey(
    raw_dir: Path,
    codebook: pl.DataFrame,
    answer_scales: pl.DataFrame,
    labels: LabelDictionary,
    roster_cohorts: set[int],
) -> Landed:
    """`codebook` holds item_id and canonical scale; see `survey.parse_export`."""
    paths = raw_files.survey_exports(raw_dir)
    problems: list[Problem] = []
    parsed = [
        _collect(
            problems, _parse_export, path, raw_dir, codebook, answer_scales, labels, roster_cohorts
        )
        for path in paths
    ]
    exports = [export for export in parsed if export is not None]
    if problems:
        raise RawDataError(problems)
    responses = pl.concat([export.responses for export in exports])
    answers = pl.concat([export.answers for export in exports])
    duplicates = survey.duplicate_response_ids(responses)
    notes = [
        f"response_id '{response_id}' was submitted {count} times; the latest submission is kept"
        for response_id, count in duplicates.iter_rows()
    ]
    return Landed(
        {"survey_responses": responses, "survey_answers": answers},
        [display_path(path, raw_dir) for path in paths],
        notes,
    )


def _parse_export(
    path: Path,
    raw_dir: Path,
    codebook: pl.DataFrame,
    answer_scales: pl.DataFrame,
    labels: LabelDictionary,
    roster_cohorts: set[int],
) -> survey.SurveyExport:
    label = display_path(path, raw_dir)
    if path.suffix.lower() == ".csv":
        table = read_csv(path, label)
    else:
        table = read_sheet(path, survey.RESPONSES_SHEET, label)
    return survey.parse_export(table, codebook, answer_scales, labels, roster_cohorts)


def _collect(problems: list[Problem], parse: Callable[..., T], *args: object) -> T | None:
    """Run one file's parser; keep its problems so that every file gets checked."""
    try:
        return parse(*args)
    except RawDataError as error:
        problems.extend(error.problems)
        return None


def _empty_unanticipated() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "participant_key": pl.String,
            "domain": pl.String,
            "review": pl.String,
            "source_file": pl.String,
            "source_sheet": pl.String,
            "source_row": pl.Int64,
        }
    )
