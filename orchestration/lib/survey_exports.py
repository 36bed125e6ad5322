"""Survey exports as KoboToolbox and ODK Central write them (raw-data contract v2).

`read_survey_export` turns one export (a CSV, or a workbook's `responses` sheet, else its
first sheet) into its responses and their answers in long form: the response id, the
submission time in UTC, the cohort number and each codebook item's answer as the id of
its category in the programme definition. Every other column (names, emails, GPS, free
text, device ids, the tools' metadata) is dropped here and never carried on. Submissions a reviewer
turned down are left out, unchecked, and counted. Anything else that breaks the contract
stops the file with every problem found, each naming file, sheet, row (as the spreadsheet
shows it), column and value.

It takes ingest's steps (see ingest.py) by the rules the survey tools write with: the
file as a grid of cells (`readers`), the header row and its columns
(`survey_export_headers`), `survey_export_values` (ids, times, cohorts, review states) and
`survey_export_rules` (the codebook items and definition settings it is read against).
Pure apart from reading the file; nothing here knows about Dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib.columns import map_distinct
from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.grids import FIELDS, ROW, Grid, cell_error_message
from orchestration.lib.headers import HEADER_SEARCH_ROWS, Column
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.raw_files import refuse_symlink
from orchestration.lib.readers import open_workbook, read_csv, read_sheet
from orchestration.lib.survey_export_headers import HeaderMap, find_header
from orchestration.lib.survey_export_rules import (
    CodebookItem,
    SurveyRules,
    answer_codes,
    codebook_items,
    not_a_label,
)
from orchestration.lib.survey_export_values import (
    is_turned_down,
    parse_export_cohort,
    parse_response_ids,
    parse_submission_times,
)

__all__ = [
    "CodebookItem",
    "ExportContents",
    "SurveyRules",
    "codebook_items",
    "parse_export_grid",
    "read_survey_export",
]
LINEAGE = ("source_file", "source_sheet", "source_row")
RESPONSES_SHEET = "responses"


@dataclass(frozen=True)
class ExportContents:
    """`responses`: response_id, submitted_at (UTC), cohort, source_file, source_sheet,
    source_row. `answers`: response_id, item_id, answer (the id of a category of the
    item's scale or of an excluded category; null for a skipped item) and the same lineage.
    `excluded_by_review`: submissions left out for their review state, in `file` and
    `sheet` (None for a CSV).
    `dropped_headers`: the header's other columns, never read.

    The answers are kept as `item_answers`, one column per item and one row per
    response: the long table is 27 times longer (a survey's largest frame by far), so it
    is made on request, whole (`answers`) or a slice of responses at a time."""

    responses: pl.DataFrame
    item_answers: pl.DataFrame
    excluded_by_review: int
    dropped_headers: tuple[str, ...]
    file: str = ""
    sheet: str | None = None

    @property
    def answers(self) -> pl.DataFrame:
        return _long_answers(self.responses.select("response_id", *LINEAGE), self.item_answers)

    def answer_slices(self, responses: int) -> Iterator[pl.DataFrame]:
        """`answers`, `responses` responses at a time, in order; one empty frame for an
        export with no responses."""
        keys = self.responses.select("response_id", *LINEAGE)
        for start in range(0, max(keys.height, 1), responses):
            yield _long_answers(
                keys.slice(start, responses), self.item_answers.slice(start, responses)
            )


def read_survey_export(
    path: Path,
    raw_dir: Path,
    items: Sequence[CodebookItem],
    rules: SurveyRules | None = None,
    password: str | None = None,
) -> ExportContents:
    label = display_path(path, raw_dir)
    refuse_symlink(path, raw_dir, label)
    grid = read_export_grid(path, label, password)
    return parse_export_grid(grid, items, rules or SurveyRules.of())


def read_export_grid(path: Path, file_label: str, password: str | None = None) -> Grid:
    """A CSV, or a workbook's `responses` sheet (by the label rule), else its first sheet:
    KoboToolbox names its main sheet after the form and puts repeat groups after it."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, file_label)
    workbook = open_workbook(path, file_label, password)
    if not workbook.sheet_names:
        raise RawDataError([Problem(file_label, "has no sheets")])
    sheet = workbook.sheet_named(RESPONSES_SHEET) or workbook.sheet_names[0]
    return read_sheet(workbook, sheet)


def parse_export_grid(
    grid: Grid, items: Sequence[CodebookItem], rules: SurveyRules
) -> ExportContents:
    header = _header(grid, items, rules)
    data = grid.cells.filter(pl.col(ROW) > header.row)
    problems = _Problems(grid)
    data = _whole_rows(data, grid, header, problems)
    turned_down = pl.Series([False] * data.height, dtype=pl.Boolean)
    for column in header.review_states:
        states = map_distinct(
            data[f"c{column.index}"],
            lambda raw: is_turned_down(raw, rules.exclude_review_states),
            pl.Boolean,
        )
        turned_down = turned_down | states.fill_null(False)
    data = data.filter(~turned_down)
    if data.height == 0 and not turned_down.any() and not problems.found:
        raise RawDataError([grid.problem("has a header but no data rows", header.row)])
    problems.add_error_cells(data, [*header.review_states, *_read_columns(header, items)])

    def parsed(column: Column, parse: Callable[[pl.Series], pl.Series], blank, wrong) -> pl.Series:
        return problems.parse(data, column, parse, blank, wrong)

    from_workbook = grid.sheet is not None
    response_ids = parsed(
        header.response_id,
        parse_response_ids,
        "response id is blank",
        lambda raw: f"response id '{raw}' is blank after its uuid: prefix",
    )
    submitted = parsed(
        header.submitted_at,
        lambda texts: parse_submission_times(texts, from_workbook),
        "submission time is blank",
        lambda raw: f"submission time '{raw}' is not an ISO date-time or an Excel date",
    )
    cohorts = parsed(
        header.cohort,
        lambda texts: map_distinct(texts, parse_export_cohort, pl.Int64),
        "cohort is blank",
        lambda raw: f"cohort '{raw}' is not a cohort number such as 1, 'Cohort 1' or 'C1'",
    )
    answers = _answers(data, header, items, rules, problems)
    problems.raise_any()
    lineage = pl.DataFrame(
        {"source_file": grid.file, "source_sheet": grid.sheet, "source_row": data[ROW]},
        schema={"source_file": pl.String, "source_sheet": pl.String, "source_row": pl.Int64},
    )
    responses = pl.DataFrame(
        {"response_id": response_ids, "submitted_at": submitted, "cohort": cohorts}
    ).hstack(lineage)
    return ExportContents(
        responses=responses,
        item_answers=answers,
        excluded_by_review=int(turned_down.sum()),
        dropped_headers=header.dropped,
        file=grid.file,
        sheet=grid.sheet,
    )


def _answers(
    data: pl.DataFrame,
    header: HeaderMap,
    items: Sequence[CodebookItem],
    rules: SurveyRules,
    problems: _Problems,
) -> pl.DataFrame:
    """Every item's answer as its category's id, one column per item (named by its id) in
    codebook order, one row per row of `data`. The label rule runs once per distinct text
    of the whole export, and each column is mapped by a lookup of its own texts: a few
    hundred Python calls for a survey of millions of answers (bench/)."""
    codes = answer_codes(items, rules)
    keys: dict[str, str] = {}
    mapped = []
    for item in items:
        raw = data[f"c{header.items[item.item_id].index}"]
        texts = raw.drop_nulls().unique().to_list()
        for text in texts:
            if text not in keys:
                keys[text] = label_match_key(text)
        known = codes[item.item_id]
        lookup = {text: known.get(keys[text]) for text in texts}
        answer = raw.replace_strict(lookup, default=None, return_dtype=pl.String)
        for row, text in (
            pl.DataFrame({"row": data[ROW], "raw": raw})
            .filter(pl.col("raw").is_not_null() & answer.is_null())
            .rows()
        ):
            problems.add_once(not_a_label(text, item, rules), row, header.items[item.item_id])
        mapped.append(answer.alias(item.item_id))
    return pl.DataFrame(mapped, schema=dict.fromkeys((i.item_id for i in items), pl.String))


class _Problems:
    """Every problem of one file, reported row by row and, in a row, column by column."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.found: list[tuple[int, int, Problem]] = []
        # (row, column index) of every problem: a cell is told once, whatever its number.
        self.located: set[tuple[int, int]] = set()

    def add(self, message: str, row: int, column: Column | None = None) -> None:
        problem = self.grid.problem(message, row, column.header if column else None)
        self.found.append((row, column.index if column else -1, problem))
        self.located.add((row, column.index if column else -1))

    def add_error_cells(self, data: pl.DataFrame, read: list[Column]) -> None:
        rows = set(data[ROW].to_list())
        by_index = {column.index: column for column in read}
        for (row, index), value in self.grid.errors.items():
            if row in rows and index in by_index:
                self.add(cell_error_message(value), row, by_index[index])

    def add_once(self, message: str, row: int, column: Column) -> None:
        """A problem, unless the cell already has one (an error value)."""
        if (row, column.index) not in self.located:
            self.add(message, row, column)

    def parse(self, data, column: Column, parse, blank, wrong) -> pl.Series:
        """`parse` (column-wise) on the column's cells; a cell it cannot read (or a blank
        one, when `blank` says why that is wrong) is a problem, unless it already is one."""
        raw = data[f"c{column.index}"]
        parsed = parse(raw)
        unread = pl.DataFrame({"row": data[ROW], "raw": raw}).filter(parsed.is_null())
        for row, value in unread.rows():
            message = wrong(value) if value is not None else blank
            if message:
                self.add_once(message, row, column)
        return parsed

    def raise_any(self) -> None:
        if self.found:
            ordered = sorted(self.found, key=lambda found: found[:2])
            raise RawDataError([problem for *_, problem in ordered])


def _header(grid: Grid, items: Sequence[CodebookItem], rules: SurveyRules) -> HeaderMap:
    if grid.cells.height == 0:
        raise RawDataError([grid.problem("is empty: expected a header row")])
    names = {item.item_id: (item.item_id, item.statement) for item in items}
    header = find_header(grid.first_rows(HEADER_SEARCH_ROWS), names, rules.cohort_column)
    wrong = [*header.conflicts, *header.missing]
    if wrong:
        raise RawDataError(
            [grid.problem(text, header.row, column or None) for text, column in wrong]
        )
    return header


def _whole_rows(
    data: pl.DataFrame, grid: Grid, header: HeaderMap, problems: _Problems
) -> pl.DataFrame:
    """A CSV row with more or fewer fields than its header is a problem (a file cut short
    while it was copied), and its cells, out of place, are not read."""
    if FIELDS not in data.columns:
        return data
    width = grid.cells.filter(pl.col(ROW) == header.row)[FIELDS].item()
    for row, count in data.filter(pl.col(FIELDS) != width).select(ROW, FIELDS).rows():
        problems.add(
            f"has {count} fields where the header (row {header.row}) has {width}: "
            "was the file cut short?",
            row,
        )
    return data.filter(pl.col(FIELDS) == width)


def _read_columns(header: HeaderMap, items: Sequence[CodebookItem]) -> list[Column]:
    fixed = [header.response_id, header.submitted_at, header.cohort]
    return [column for column in fixed if column] + [header.items[i.item_id] for i in items]


def _long_answers(keys: pl.DataFrame, item_answers: pl.DataFrame) -> pl.DataFrame:
    """One row per response and item, rows in sheet order and items in codebook order.
    Long row p is response p // k and item p % k (k items): gathered by position from the
    items' columns laid end to end, which costs a tenth of unpivoting and sorting."""
    responses, items = item_answers.height, item_answers.width
    position = pl.int_range(responses * items, dtype=pl.Int64, eager=True)
    response = position // items
    item = position % items
    by_item = pl.concat(item_answers.get_columns(), rechunk=True)
    return (
        keys.select(pl.all().gather(response))
        .with_columns(
            pl.Series("item_id", item_answers.columns, dtype=pl.String).gather(item),
            by_item.gather(item * responses + response).alias("answer"),
        )
        .select("response_id", "item_id", "answer", *LINEAGE)
    )
