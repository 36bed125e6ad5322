"""Ingest: the raw folder's files -> the frames of the `raw` schema, one function per kind
of input. Each reads as the same straight line, one module per step:

1. find the files              raw_files
2. read each sheet or CSV      readers      (a grid of text cells, rows as the sheet shows)
3. find the header             headers      (title rows above it are skipped)
4. keep the contract's columns columns      (an allow-list: nothing else is ever copied)
5. labels to codes, numbers    label_codes, values   (through the programme definition)
6. pseudonymise                pseudonyms
7. land                        the assets in orchestration/defs/ingest.py

Survey exports take the same steps inside `survey_exports.read_survey_export`, by the
rules the survey tools write them with. Every function gathers the problems of all its
files into one RawDataError (`FileProblems`): a person fixing a folder of workbooks
wants every problem in one message, not one per run. None writes anywhere, but
`ingest_survey` given a scratch folder, where it spills each export's rows. The contract's
rules across rows and tables (one row per participant, participants on the roster) are
checked on the landed tables by the Great Expectations suites.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from orchestration.lib import columns, headers, raw_files, readers, roster, success_markers, survey
from orchestration.lib.errors import RawDataError, display_path
from orchestration.lib.fingerprint import file_digest, state_fingerprint
from orchestration.lib.grids import Grid
from orchestration.lib.label_codes import definition_labels, to_codes
from orchestration.lib.lineage import LINEAGE_COLUMNS
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.spilled import SpilledTable, SpillFolder
from orchestration.lib.stacked import FileProblems, row_problems
from orchestration.lib.survey_export_rules import CodebookItem, SurveyRules
from orchestration.lib.survey_exports import read_survey_export
from orchestration.lib.values import (
    COHORT_EXPECTED,
    OUTCOME_NO_EXPECTED,
    parse_cohort,
    parse_whole_number,
    to_numbers,
)

T = TypeVar("T")
MARKER_TEXTS = "success_marker_texts"
UNANTICIPATED_TEXTS = "unanticipated_outcome_texts"
# Answers are made long and spilled this many responses at a time (270,000 rows for 27
# items): the long table of a 100,000-row export never exists whole in memory.
SPILL_SLICE_RESPONSES = 10_000


@dataclass(frozen=True)
class Landed:
    """Frames to land, with the files they came from and what the run's report says.
    A survey read with a scratch folder gives its two long tables as `SpilledTable`s."""

    tables: dict[str, pl.DataFrame | SpilledTable]
    files: list[str]
    # Tables of the `restricted` schema (free text); None drops a table kept before.
    restricted: dict[str, pl.DataFrame | None] = field(default_factory=dict)
    # Files and folders beside the read ones that the contract does not read.
    ignored_files: list[str] = field(default_factory=list)
    # Survey only: submissions left out for their review state; tool columns dropped.
    excluded_by_review: int | None = None
    dropped_headers: int = 0


def ingest_roster(
    raw_dir: Path, definition: ProgrammeDefinition, key: bytes, password: str | None = None
) -> Landed:
    """participants.xlsx -> raw.participants: one row per roster line, pseudonymised."""
    path = raw_files.roster_file(raw_dir)
    files = [display_path(path, raw_dir)]
    problems = FileProblems(files)
    grids = _read_sheets([path], raw_dir, roster.SHEET, password, problems)
    found = headers.find_headers(grids, roster.COLUMNS, problems)
    rows = columns.keep(found, roster.COLUMNS, problems)
    labels = definition_labels(definition)
    rows = to_codes(rows, "participant_type", labels["participant_type"], problems)
    rows = to_numbers(rows, "cohort", parse_cohort, COHORT_EXPECTED, problems)
    rows = _pseudonymised(rows, key, problems)
    problems.raise_any()
    return Landed(
        {"participants": rows.select(roster.LANDED)},
        files,
        ignored_files=raw_files.ignored_files(raw_dir),
    )


def ingest_success_markers(
    raw_dir: Path,
    definition: ProgrammeDefinition,
    key: bytes,
    keep_free_text: bool = False,
    password: str | None = None,
) -> Landed:
    """success_markers/*.xlsx -> raw.success_markers (one row per marker),
    raw.success_marker_statuses (one per marker and review with a status) and
    raw.unanticipated_outcomes; free text only on request, to `restricted`."""
    paths = raw_files.marker_workbooks(raw_dir)
    files = [display_path(path, raw_dir) for path in paths]
    problems = FileProblems(files)
    workbooks = _read_workbooks(
        paths,
        raw_dir,
        success_markers.MARKERS_SHEET,
        password,
        problems,
        optional=success_markers.UNANTICIPATED_SHEET,
    )
    labels = definition_labels(definition)

    marker_spec = success_markers.marker_columns(definition)
    found_markers = headers.find_headers(
        [sheets[success_markers.MARKERS_SHEET] for sheets in workbooks], marker_spec, problems
    )
    markers = columns.keep(found_markers, marker_spec, problems)
    markers = to_codes(markers, "domain", labels["domain"], problems)
    markers = to_numbers(markers, "outcome_no", parse_whole_number, OUTCOME_NO_EXPECTED, problems)
    markers = to_codes(markers, "level", labels["level"], problems)
    for status in success_markers.status_columns(definition):
        # A blank status is a marker not reviewed (yet) at that review.
        markers = to_codes(markers, status, labels["status"], problems, required=False)
    markers = _pseudonymised(markers, key, problems)

    extras_spec = success_markers.UNANTICIPATED_COLUMNS
    found_extras = headers.find_headers(
        [
            sheets[success_markers.UNANTICIPATED_SHEET]
            for sheets in workbooks
            if success_markers.UNANTICIPATED_SHEET in sheets
        ],
        extras_spec,
        problems,
    )
    # The sheet is optional, and so are its rows.
    extras = columns.keep(found_extras, extras_spec, problems, require_rows=False)
    extras = to_codes(extras, "domain", labels["domain"], problems, required=False)
    extras = to_codes(extras, "review", labels["review"], problems)
    extras = _pseudonymised(extras, key, problems)

    # Free text is read and kept only on request; None drops a table kept before.
    restricted: dict[str, pl.DataFrame | None] = {MARKER_TEXTS: None, UNANTICIPATED_TEXTS: None}
    if keep_free_text:
        restricted[MARKER_TEXTS] = _free_texts(
            found_markers, success_markers.MARKER_TEXTS, key, problems
        )
        restricted[UNANTICIPATED_TEXTS] = _free_texts(
            found_extras, success_markers.UNANTICIPATED_TEXTS, key, problems
        )
    problems.raise_any()
    return Landed(
        {
            "success_markers": markers.select(success_markers.MARKERS_LANDED),
            "success_marker_statuses": success_markers.statuses_long(markers, definition),
            "unanticipated_outcomes": extras.select(success_markers.UNANTICIPATED_LANDED),
        },
        files,
        restricted,
        ignored_files=raw_files.ignored_files(raw_dir, raw_files.MARKERS_FOLDER),
    )


def ingest_codebook(
    raw_dir: Path, definition: ProgrammeDefinition, password: str | None = None
) -> Landed:
    """survey/codebook.xlsx -> raw.survey_codebook: the items, their section and scale
    as the definition's ids, in the codebook's order."""
    path = raw_files.codebook_file(raw_dir)
    files = [display_path(path, raw_dir)]
    problems = FileProblems(files)
    grids = _read_sheets([path], raw_dir, survey.CODEBOOK_SHEET, password, problems)
    found = headers.find_headers(grids, survey.CODEBOOK_COLUMNS, problems)
    items = columns.keep(found, survey.CODEBOOK_COLUMNS, problems)
    labels = definition_labels(definition)
    items = to_codes(items, "section", labels["section"], problems)
    items = to_codes(items, "scale", labels["scale"], problems)
    items = survey.numbered_items(items, problems)
    problems.raise_any()
    return Landed({"survey_codebook": items.select(survey.CODEBOOK_LANDED)}, files)


def ingest_survey(
    raw_dir: Path,
    definition: ProgrammeDefinition,
    items: list[CodebookItem],
    password: str | None = None,
    scratch: Path | None = None,
) -> Landed:
    """survey/* exports -> raw.survey_responses and raw.survey_answers (one row per
    response and codebook item, the answer as its category's id). Duplicate response ids
    are kept here and resolved in dbt; submissions a reviewer turned down are counted,
    file by file, in raw.survey_exclusions (the quality report lists them).

    With `scratch` (a run: the build folder's scratch), each export's responses and
    answers are written to Parquet there as soon as it is read, and the two tables come
    back as `SpilledTable`s: memory holds the exports being read, never the whole survey.
    Without it (`idream check`, tests) they are frames."""
    paths = raw_files.survey_exports(raw_dir)
    files = [display_path(path, raw_dir) for path in paths]
    problems = FileProblems(files)
    rules = SurveyRules.of(definition)
    spill = SpillFolder(scratch) if scratch is not None else None

    def read(path: Path) -> _SurveyPart:
        export = read_survey_export(path, raw_dir, items, rules, password)
        # Stored naive, in UTC: every time was converted to UTC as it was read.
        responses = export.responses.with_columns(pl.col("submitted_at").dt.replace_time_zone(None))
        if spill is None:
            answers: pl.DataFrame | SpilledTable = export.answers
        else:
            answers = spill.part_of_slices(
                export.answer_slices(SPILL_SLICE_RESPONSES), "survey_answers"
            )
            responses = spill.part(responses, "survey_responses")
        return _SurveyPart(
            responses,
            answers,
            export.excluded_by_review,
            len(export.dropped_headers),
            export.file,
            export.sheet,
        )

    exports = _readable(readers.read_each(read, paths), problems)
    if problems.failed and spill is not None:
        # Nothing will be landed: the parts of the exports that were read go now.
        spill.cleanup()
    problems.raise_any()
    return Landed(
        {
            "survey_responses": _stacked([export.responses for export in exports]),
            "survey_answers": _stacked([export.answers for export in exports]),
            "survey_exclusions": pl.DataFrame(
                [(e.file, e.sheet, e.excluded_by_review) for e in exports],
                schema={
                    "source_file": pl.String,
                    "source_sheet": pl.String,
                    "excluded_by_review": pl.Int64,
                },
                orient="row",
            ),
        },
        files,
        ignored_files=raw_files.ignored_files(raw_dir, raw_files.SURVEY_FOLDER),
        excluded_by_review=sum(export.excluded_by_review for export in exports),
        dropped_headers=sum(export.dropped_headers for export in exports),
    )


@dataclass(frozen=True)
class _SurveyPart:
    """What one export gives the survey's tables: its rows, in memory or spilled."""

    responses: pl.DataFrame | SpilledTable
    answers: pl.DataFrame | SpilledTable
    excluded_by_review: int
    dropped_headers: int
    file: str
    sheet: str | None


def _stacked(parts: list) -> pl.DataFrame | SpilledTable:
    if parts and isinstance(parts[0], SpilledTable):
        return SpilledTable.stacked(parts)
    return pl.concat(parts)


def input_fingerprint(paths: list[Path], raw_dir: Path, **extra: str) -> str:
    """What a landing depends on: its files' bytes, the ingest code, and `extra` (the key,
    the definition, an upstream landing). Equal fingerprints mean re-landing would give
    the same tables."""
    state = {display_path(path, raw_dir): file_digest(path) for path in paths}
    state |= {f"extra:{name}": value for name, value in extra.items()}
    state["code"] = _ingest_code_version()
    return state_fingerprint(state)


@functools.cache
def _ingest_code_version() -> str:
    lib = Path(__file__).resolve().parent
    return state_fingerprint({path.name: file_digest(path) for path in sorted(lib.glob("*.py"))})


def _read_sheets(
    paths: list[Path], raw_dir: Path, sheet: str, password: str | None, problems: FileProblems
) -> list[Grid]:
    """The sheet named `sheet` of each workbook, as grids; failures go to `problems`."""
    workbooks = _read_workbooks(paths, raw_dir, sheet, password, problems)
    return [sheets[sheet] for sheets in workbooks]


def _read_workbooks(
    paths: list[Path],
    raw_dir: Path,
    sheet: str,
    password: str | None,
    problems: FileProblems,
    optional: str | None = None,
) -> list[dict[str, Grid]]:
    """Each workbook's `sheet`, and its `optional` sheet if it has one, as grids keyed by
    the contract's sheet names; the problems of a file that cannot be read go to
    `problems`. Several files at a time (readers.read_each)."""
    return _readable(
        readers.read_each(
            lambda path: readers.read_workbook(
                path,
                display_path(path, raw_dir),
                (sheet,),
                (optional,) if optional else (),
                password,
            ),
            paths,
        ),
        problems,
    )


def _pseudonymised(rows: pl.DataFrame, key: bytes, problems: FileProblems) -> pl.DataFrame:
    """`participant_id` replaced by its keyed pseudonym, `participant_key`; a blank id
    cannot be pseudonymised or checked against anything, so it is a problem of its row."""
    problems.add(
        row_problems(
            rows,
            pl.col("participant_id").is_null(),
            "participant_id",
            lambda _: "participant_id is blank",
        )
    )
    return pseudonymise_column(rows, "participant_id", key).drop("participant_id")


def _free_texts(
    found: list[headers.FoundHeader],
    spec: headers.ColumnSpec,
    key: bytes,
    problems: FileProblems,
) -> pl.DataFrame:
    """The free-text cells of sheets, for the `restricted` schema only: pseudonym, the
    texts, and the lineage that joins them to the row landed in `raw`. The header row is
    the one already found for the sheet's contract columns."""
    texts = columns.keep(headers.same_row(found, spec), spec, problems, require_rows=False)
    texts = pseudonymise_column(texts, "participant_id", key)
    present = pl.any_horizontal(pl.col(name).is_not_null() for name in spec.optional)
    return texts.filter(present).select("participant_key", *spec.optional, *LINEAGE_COLUMNS)


def _readable(results: list[T | RawDataError], problems: FileProblems) -> list[T]:
    """What could be read; the problems of what could not go to `problems`."""
    for result in results:
        if isinstance(result, RawDataError):
            problems.add(result.problems)
    return [result for result in results if not isinstance(result, RawDataError)]
