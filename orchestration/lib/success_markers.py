"""Success-marker workbooks (sheet `markers`, optional sheet `unanticipated`)."""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.labels import LabelDictionary, map_labels
from orchestration.lib.lineage import with_lineage
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.values import parse_whole_number

MARKERS_SHEET = "markers"
UNANTICIPATED_SHEET = "unanticipated"
# outcome and marker (free text) are in the contract but are never kept.
MARKERS_SPEC = ColumnSpec(
    required=("participant_id", "domain", "outcome_no", "level"),
    optional=("midpoint_status", "final_status"),
)
# description (free text) is never kept; domain may be blank but the column must exist.
UNANTICIPATED_SPEC = ColumnSpec(required=("participant_id", "domain", "review"))

DOMAINS = "Resilience, Advocacy or Integrated Security"
LEVELS = ("realistic", "ambitious", "very_ambitious")
LEVEL_NAMES = {
    "realistic": "Realistic",
    "ambitious": "Ambitious",
    "very_ambitious": "Very ambitious",
}
STATUSES = "Achieved, Partially achieved, Not achieved, Yes, No or blank"


def parse_markers(
    table: SourceTable, labels: LabelDictionary, key: bytes, roster_keys: set[str]
) -> pl.DataFrame:
    """Row-level checks of one markers sheet; `check_marker_levels` checks across sheets."""
    table = select_contract_columns(table, MARKERS_SPEC)
    require_rows(table)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    problems = _participant_problems(table, frame, roster_keys)
    domains, found = map_labels(table, "domain", "domain", labels, DOMAINS)
    problems += found
    levels, found = map_labels(
        table, "level", "level", labels, "Realistic, Ambitious or Very ambitious"
    )
    problems += found
    for column in ("midpoint_status", "final_status"):
        _, found = map_labels(table, column, "status", labels, STATUSES, required=False)
        problems += found
    outcome_numbers = [parse_whole_number(value) for value in frame["outcome_no"]]
    problems += [
        table.problem(f"outcome_no '{raw}' is not a whole number of 1 or more", row, "outcome_no")
        for raw, number, row in zip(
            frame["outcome_no"], outcome_numbers, frame[ROW_COLUMN], strict=True
        )
        if not number
    ]
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(pl.Series("outcome_no", outcome_numbers, dtype=pl.Int64))
    columns = ["participant_key", "domain", "outcome_no", "level"]
    columns += ["midpoint_status", "final_status"]
    return with_lineage(landed.select(columns), table).with_columns(
        domains.alias("domain_value"), levels.alias("level_value")
    )


def check_marker_levels(markers: pl.DataFrame) -> list[Problem]:
    """Each (participant, domain, outcome_no) has exactly one marker per level, across files."""
    problems: list[Problem] = []
    outcome = ["participant_key", "domain_value", "outcome_no"]
    ordered = markers.sort("source_file", "source_sheet", "source_row")
    repeats = ordered.filter(pl.int_range(pl.len()).over([*outcome, "level_value"]) > 0)
    for row in repeats.iter_rows(named=True):
        problems.append(
            Problem(
                file=row["source_file"],
                sheet=row["source_sheet"],
                row=row["source_row"],
                column="level",
                message=f"level '{row['level']}' is repeated for outcome {row['outcome_no']} "
                f"in domain '{row['domain']}'; each outcome has one marker per level",
            )
        )
    present = ordered.group_by(outcome, maintain_order=True).agg(
        pl.col("level_value").unique().alias("levels"),
        pl.col("source_file").first(),
        pl.col("source_sheet").first(),
        pl.col("source_row").first(),
        pl.col("domain").first(),
    )
    for row in present.iter_rows(named=True):
        missing = [LEVEL_NAMES[level] for level in LEVELS if level not in row["levels"]]
        if missing:
            problems.append(
                Problem(
                    file=row["source_file"],
                    sheet=row["source_sheet"],
                    row=row["source_row"],
                    column="level",
                    message=f"outcome {row['outcome_no']} in domain '{row['domain']}' has no "
                    f"{' and no '.join(repr(level) for level in missing)} marker; "
                    "each outcome has one marker per level",
                )
            )
    return problems


def land_markers(markers: pl.DataFrame) -> pl.DataFrame:
    """Drop the canonical helper columns: staging maps labels from the landed text."""
    return markers.drop("domain_value", "level_value")


def parse_unanticipated(
    table: SourceTable, labels: LabelDictionary, key: bytes, roster_keys: set[str]
) -> pl.DataFrame:
    table = select_contract_columns(table, UNANTICIPATED_SPEC)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    problems = _participant_problems(table, frame, roster_keys)
    _, found = map_labels(table, "domain", "domain", labels, DOMAINS + " or blank", required=False)
    problems += found
    _, found = map_labels(table, "review", "review", labels, "midpoint or final")
    problems += found
    if problems:
        raise RawDataError(problems)
    return with_lineage(frame.select("participant_key", "domain", "review"), table)


def _participant_problems(
    table: SourceTable, frame: pl.DataFrame, roster_keys: set[str]
) -> list[Problem]:
    problems = []
    for raw_id, participant_key, row in frame.select(
        "participant_id", "participant_key", ROW_COLUMN
    ).iter_rows():
        if raw_id is None:
            problems.append(table.problem("participant_id is blank", row, "participant_id"))
        elif participant_key not in roster_keys:
            problems.append(
                table.problem(
                    f"participant '{raw_id}' is not in the roster (participants.xlsx)",
                    row,
                    "participant_id",
                )
            )
    return problems
