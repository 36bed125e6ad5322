"""The roster (participants.xlsx, sheet `participants`): who is in which cohort."""

from __future__ import annotations

import polars as pl

from orchestration.lib.columns import ColumnSpec, require_rows, select_contract_columns
from orchestration.lib.errors import RawDataError
from orchestration.lib.labels import LabelDictionary, map_labels
from orchestration.lib.lineage import with_lineage
from orchestration.lib.pseudonyms import pseudonymise_column
from orchestration.lib.readers import ROW_COLUMN, SourceTable
from orchestration.lib.values import parse_cohort

SHEET = "participants"
# name, email and country_of_exile are in the contract but are never kept.
SPEC = ColumnSpec(required=("participant_id", "cohort", "participant_type"))
COHORT_EXPECTED = "a cohort number such as 1, 'Cohort 1' or 'C1'"


def parse_roster(table: SourceTable, labels: LabelDictionary, key: bytes) -> pl.DataFrame:
    """Landed roster: one row per participant, pseudonymised, with its cohort number."""
    table = select_contract_columns(table, SPEC)
    require_rows(table)
    frame = pseudonymise_column(table.frame, "participant_id", key)
    _, problems = map_labels(
        table, "participant_type", "participant_type", labels, "Individual or Organization"
    )
    cohorts = [parse_cohort(value) for value in frame["cohort"]]
    problems += [
        table.problem(f"cohort '{raw}' is not {COHORT_EXPECTED}", row, "cohort")
        for raw, number, row in zip(frame["cohort"], cohorts, frame[ROW_COLUMN], strict=True)
        if number is None
    ]
    first_row: dict[str, int] = {}
    for raw_id, participant_key, row in frame.select(
        "participant_id", "participant_key", ROW_COLUMN
    ).iter_rows():
        if raw_id is None:
            problems.append(table.problem("participant_id is blank", row, "participant_id"))
        elif participant_key in first_row:
            problems.append(
                table.problem(
                    f"participant '{raw_id}' is listed again (first on row "
                    f"{first_row[participant_key]}); a participant belongs to one cohort",
                    row,
                    "participant_id",
                )
            )
        else:
            first_row[participant_key] = row
    if problems:
        raise RawDataError(problems)
    landed = frame.with_columns(pl.Series("cohort", cohorts, dtype=pl.Int64))
    return with_lineage(landed.select("participant_key", "cohort", "participant_type"), table)
