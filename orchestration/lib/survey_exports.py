"""Survey exports as KoboToolbox and ODK Central write them (raw-data contract v2).

`read_survey_export` turns one export (a CSV, or a workbook's `responses` sheet, else its
first sheet) into the responses and their answers, in long form: the response id, the
submission time in UTC, the cohort number and each codebook item's answer as the scale's
own label. Every other column (names, emails, GPS, free text, device ids, the tools'
metadata) is dropped here and never carried on. Submissions a reviewer turned down are
left out and counted. Anything else that breaks the contract stops the file with every
problem found, each naming file, sheet, row (as the spreadsheet shows it), column and value.

Pure apart from reading the file; nothing here knows about Dagster.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.survey_export_files import (
    FIELDS,
    ROW,
    ExportGrid,
    read_export_grid,
    refuse_symlink,
)
from orchestration.lib.survey_export_headers import (
    HEADER_SEARCH_ROWS,
    Column,
    find_header,
    label_rule_key,
)
from orchestration.lib.values import parse_cohort

# IDREAM's v1 definition: what a programme.toml without a [survey] table means.
IDREAM_SCALES: Mapping[str, tuple[str, ...]] = {
    "confidence": (
        "Much less confident",
        "Less confident",
        "About the same",
        "More confident",
        "Much more confident",
    ),
    "agreement": (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
}


@dataclass(frozen=True)
class SurveyRules:
    """What reading an export needs from the programme definition (`[survey]`)."""

    scales: Mapping[str, Sequence[str]] = field(default_factory=lambda: dict(IDREAM_SCALES))
    excluded: Sequence[str] = ("Not applicable", "N/A", "Don't know")
    cohort_column: str = "cohort"
    exclude_review_states: Sequence[str] = ("rejected", "not approved")


@dataclass(frozen=True)
class CodebookItem:
    item_id: str
    statement: str
    scale: str


@dataclass(frozen=True)
class ExportContents:
    """`responses`: response_id, submitted_at (UTC), cohort, source_file, source_sheet,
    source_row. `answers`: response_id, item_id, answer (the scale's or the excluded
    label as the definition writes it; null for a skipped item) and the same lineage."""

    responses: pl.DataFrame
    answers: pl.DataFrame
    excluded_by_review: int
    dropped_headers: tuple[str, ...]


def codebook_items(codebook: pl.DataFrame) -> list[CodebookItem]:
    """The items of a codebook frame with item_id, statement and scale columns."""
    return [CodebookItem(*row) for row in codebook.select("item_id", "statement", "scale").rows()]


def read_survey_export(
    path: Path,
    raw_dir: Path,
    items: Sequence[CodebookItem],
    rules: SurveyRules | None = None,
    password: str | None = None,
) -> ExportContents:
    label = display_path(path, raw_dir)
    refuse_symlink(path, raw_dir, label)
    return parse_export_grid(read_export_grid(path, label, password), items, rules or SurveyRules())


def parse_export_grid(
    grid: ExportGrid, items: Sequence[CodebookItem], rules: SurveyRules
) -> ExportContents:
    if grid.cells.height == 0:
        raise RawDataError([grid.problem("is empty: expected a header row")])
    answer_labels = _answer_labels(items, rules)
    names = {item.item_id: (item.item_id, item.statement) for item in items}
    header = find_header(grid.first_rows(HEADER_SEARCH_ROWS), names, rules.cohort_column)
    found = [*header.missing, *header.conflicts]
    if found:
        raise RawDataError(
            [grid.problem(message, header.row, column or None) for message, column in found]
        )
    data = grid.cells.filter(pl.col(ROW) > header.row)
    problems: list[tuple[int, int, Problem]] = []
    if FIELDS in data.columns:
        width = grid.cells.filter(pl.col(ROW) == header.row)[FIELDS].item()
        for row, count in data.filter(pl.col(FIELDS) != width).select(ROW, FIELDS).rows():
            message = f"has {count} fields where the header (row {header.row}) has {width}"
            problems.append((row, -1, grid.problem(f"{message}: was the file cut short?", row)))
        data = data.filter(pl.col(FIELDS) == width)
    turned_down = _turned_down(data, header.review_states, rules.exclude_review_states)
    excluded = int(turned_down.sum())
    data = data.filter(~turned_down)
    if data.height == 0 and excluded == 0 and not problems:
        raise RawDataError([grid.problem("has a header but no data rows", header.row)])

    rows = set(data[ROW].to_list())
    read = [header.response_id, header.submitted_at, header.cohort, *header.review_states]
    read += list(header.items.values())
    by_index = {column.index: column for column in read if column}
    for (row, index), value in grid.errors.items():
        if row in rows and index in by_index:
            problem = grid.problem(f"holds the error value {value}", row, by_index[index].header)
            problems.append((row, index, problem))
    failed = {(row, index) for row, index, _ in problems}

    def check(column: Column, parse: Callable[[str], object], dtype, blank, wrong) -> pl.Series:
        raw = data[f"c{column.index}"]
        parsed = _map_distinct(raw, parse, dtype)
        unparsed = pl.DataFrame({"row": data[ROW], "raw": raw}).filter(parsed.is_null())
        for row, value in unparsed.rows():
            message = wrong(value) if value is not None else blank
            if message and (row, column.index) not in failed:
                problems.append((row, column.index, grid.problem(message, row, column.header)))
        return parsed

    from_workbook = grid.sheet is not None
    response_ids = check(
        header.response_id,
        _response_id,
        pl.String,
        "response id is blank",
        lambda raw: f"response id '{raw}' is blank after its uuid: prefix",
    )
    submitted = check(
        header.submitted_at,
        lambda raw: parse_submission_time(raw, from_workbook),
        pl.Datetime("us", "UTC"),
        "submission time is blank",
        lambda raw: f"submission time '{raw}' is not an ISO date-time or an Excel date",
    )
    cohorts = check(
        header.cohort,
        parse_export_cohort,
        pl.Int64,
        "cohort is blank",
        lambda raw: f"cohort '{raw}' is not a cohort number such as 1, 'Cohort 1' or 'C1'",
    )
    answers = {}
    for item in items:
        labels = answer_labels[item.item_id]
        answers[item.item_id] = check(
            header.items[item.item_id],
            lambda raw, labels=labels: labels.get(label_rule_key(raw)),
            pl.String,
            None,
            lambda raw, item=item: _not_a_label(raw, item, rules),
        )
    if problems:
        raise RawDataError([problem for *_, problem in sorted(problems, key=lambda p: p[:2])])

    lineage = {
        "source_file": pl.Series([grid.file] * data.height, dtype=pl.String),
        "source_sheet": pl.Series([grid.sheet] * data.height, dtype=pl.String),
        "source_row": data[ROW],
    }
    responses = pl.DataFrame(
        {"response_id": response_ids, "submitted_at": submitted, "cohort": cohorts, **lineage}
    )
    wide = pl.DataFrame({"response_id": response_ids, **answers, **lineage})
    long = wide.unpivot(
        index=["response_id", *lineage],
        on=[item.item_id for item in items],
        variable_name="item_id",
        value_name="answer",
    )
    order = {item.item_id: position for position, item in enumerate(items)}
    long = long.sort(
        pl.col("source_row"), pl.col("item_id").replace_strict(order, return_dtype=pl.Int64)
    )
    return ExportContents(
        responses=responses,
        answers=long.select("response_id", "item_id", "answer", *lineage),
        excluded_by_review=excluded,
        dropped_headers=header.dropped,
    )


_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
_EXCEL_LAST_DAY = 2958466  # 9999-12-31 is serial 2958465
_SERIAL = re.compile(r"^\d+(\.\d+)?$")
_UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)
_VALIDATION_PREFIX = "validation status "


def parse_submission_time(text: str, from_workbook: bool = False) -> datetime | None:
    """An ISO date-time (no offset means UTC; `Z`, offsets and fractions of a second as
    written) or an Excel date serial, as a UTC datetime; None if it is neither.

    Excel dates are rounded to the second: a serial is a float of days, and a workbook's
    date cell (which the reader gives as `2024-05-01 10:00:00.123`) is one too, so every
    time read `from_workbook` is rounded; a CSV's ISO text keeps what it says."""
    text = text.strip()
    if _SERIAL.match(text):
        days = float(text)
        if not 0 < days < _EXCEL_LAST_DAY:
            return None
        return _EXCEL_EPOCH + timedelta(seconds=math.floor(days * 86400 + 0.5))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if from_workbook:
        parsed = (parsed + timedelta(microseconds=500_000)).replace(microsecond=0)
    return parsed


def parse_export_cohort(text: str) -> int | None:
    """As the roster writes it (`1`, `Cohort 1`, `C1`), or as a form's choice name
    (`cohort_1`), which the label rule reads as `cohort 1`."""
    return parse_cohort(text) or parse_cohort(label_rule_key(text))


def is_turned_down(state: str, exclude: Sequence[str]) -> bool:
    """A review state in `exclude` by the label rule; Kobo's XML-mode prefix
    (`validation_status_not_approved`) is ignored."""
    key = label_rule_key(state)
    key = key.removeprefix(_VALIDATION_PREFIX)
    return key in {label_rule_key(name) for name in exclude}


def _turned_down(data: pl.DataFrame, columns: Sequence[Column], exclude: Sequence[str]):
    mask = pl.Series([False] * data.height, dtype=pl.Boolean)
    for column in columns:
        states = _map_distinct(
            data[f"c{column.index}"], lambda raw: is_turned_down(raw, exclude), pl.Boolean
        )
        mask = mask | states.fill_null(False)
    return mask


def _response_id(text: str) -> str | None:
    """ODK writes `uuid:` before the instance id and Kobo does not: the prefix is ignored."""
    return _UUID_PREFIX.sub("", text.strip()).strip() or None


def _answer_labels(items: Sequence[CodebookItem], rules: SurveyRules) -> dict[str, dict[str, str]]:
    """item_id -> (label rule key -> the label as the definition writes it)."""
    scales = {label_rule_key(scale): labels for scale, labels in rules.scales.items()}
    excluded = {label_rule_key(label): label for label in rules.excluded}
    found = {}
    for item in items:
        labels = scales.get(label_rule_key(item.scale))
        if labels is None:
            raise ValueError(f"item '{item.item_id}': scale '{item.scale}' is not defined")
        found[item.item_id] = {label_rule_key(label): label for label in labels} | excluded
    return found


def _not_a_label(raw: str, item: CodebookItem, rules: SurveyRules) -> str:
    scale = next(s for s in rules.scales if label_rule_key(s) == label_rule_key(item.scale))
    allowed = ", ".join([*rules.scales[scale], *rules.excluded])
    return f"answer '{raw}' to item '{item.item_id}' is not a label of scale '{scale}' ({allowed})"


def _map_distinct(column: pl.Series, parse: Callable[[str], object], dtype) -> pl.Series:
    """`parse` once per distinct value (answers repeat); null stays null."""
    distinct = column.drop_nulls().unique().to_list()
    return column.replace_strict(
        {value: parse(value) for value in distinct}, default=None, return_dtype=dtype
    )
