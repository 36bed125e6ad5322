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
from orchestration.lib.readers import SourceTable, has_sheet, read_csv, read_sheet

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
    markers: list[pl.DataFrame] = []
    unanticipated: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for path in paths:
        label = display_path(path, raw_dir)
        parsed = _collect(
            problems,
            lambda: success_markers.parse_markers(
                read_sheet(path, success_markers.MARKERS_SHEET, label), labels, key, roster_keys
            ),
        )
        if parsed is not None:
            markers.append(parsed)
        if parsed is not None and has_sheet(path, success_markers.UNANTICIPATED_SHEET):
            extra = _collect(
                problems,
                lambda: success_markers.parse_unanticipated(
                    read_sheet(path, success_markers.UNANTICIPATED_SHEET, label),
                    labels,
                    key,
                    roster_keys,
                ),
            )
            if extra is not None:
                unanticipated.append(extra)
    if not problems:
        problems += success_markers.check_marker_levels(pl.concat(markers))
    if problems:
        raise RawDataError(problems)
    landed_markers = success_markers.land_markers(pl.concat(markers))
    landed_unanticipated = (
        pl.concat(unanticipated) if unanticipated else _empty_unanticipated()
    )
    return Landed(
        {"success_markers": landed_markers, "unanticipated_outcomes": landed_unanticipated},
        [display_path(path, raw_dir) for path in paths],
        [],
    )


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
    exports: list[survey.SurveyExport] = []
    problems: list[Problem] = []
    for path in paths:
        parsed = _collect(
            problems,
            lambda: survey.parse_export(
                _read_export(path, raw_dir), codebook, answer_scales, labels, roster_cohorts
            ),
        )
        if parsed is not None:
            exports.append(parsed)
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


def _read_export(path: Path, raw_dir: Path) -> SourceTable:
    label = display_path(path, raw_dir)
    if path.suffix.lower() == ".csv":
        return read_csv(path, label)
    return read_sheet(path, survey.RESPONSES_SHEET, label)


def _collect(problems: list[Problem], parse: Callable[[], T]) -> T | None:
    try:
        return parse()
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
