"""Success-marker workbooks (sheet `markers`, optional sheet `unanticipated`) as the
contract names their columns, and as `raw.success_markers`,
`raw.success_marker_statuses` and `raw.unanticipated_outcomes` land them.

Read by `ingest.ingest_success_markers`; the value rules across rows (participants on
the roster, one marker per level of each outcome) are the `raw_success_markers` suite's.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.headers import ColumnSpec
from orchestration.lib.lineage import LINEAGE_COLUMNS
from orchestration.lib.programme_definition import ProgrammeDefinition

MARKERS_SHEET = "markers"
UNANTICIPATED_SHEET = "unanticipated"
# description (free text) is read only when programme.toml asks to keep free text; the
# domain may be blank, but the column must be there.
UNANTICIPATED_COLUMNS = ColumnSpec(required=("participant_id", "domain", "review"))
# outcome and marker (free text) likewise, apart: they land only in `restricted`.
MARKER_TEXTS = ColumnSpec(required=("participant_id",), optional=("outcome", "marker"))
UNANTICIPATED_TEXTS = ColumnSpec(required=("participant_id",), optional=("description",))
MARKER = ("participant_key", "domain", "outcome_no", "level")
MARKERS_LANDED = (*MARKER, *LINEAGE_COLUMNS)
STATUSES_LANDED = (*MARKER, "review", "status", *LINEAGE_COLUMNS)
UNANTICIPATED_LANDED = ("participant_key", "domain", "review", *LINEAGE_COLUMNS)


def status_columns(definition: ProgrammeDefinition) -> dict[str, str]:
    """Column -> review id: a workbook may have one `<review id>_status` column per review
    of the definition (`midpoint_status`, `final_status`)."""
    return {f"{review.id}_status": review.id for review in definition.markers.reviews}


def marker_columns(definition: ProgrammeDefinition) -> ColumnSpec:
    return ColumnSpec(
        required=("participant_id", "domain", "outcome_no", "level"),
        optional=tuple(status_columns(definition)),
    )


def statuses_long(markers: pl.DataFrame, definition: ProgrammeDefinition) -> pl.DataFrame:
    """One row per marker row and review whose status cell is not blank, with the marker's
    lineage; in the markers' order, then the reviews' time order. `markers` holds the
    status codes in its `<review id>_status` columns."""
    reviews = status_columns(definition)
    order = {review: position for position, review in enumerate(reviews.values())}
    return (
        markers.with_row_index("__marker")
        .unpivot(
            index=["__marker", *MARKERS_LANDED],
            on=list(reviews),
            variable_name="review",
            value_name="status",
        )
        .filter(pl.col("status").is_not_null())
        .with_columns(pl.col("review").replace_strict(reviews, return_dtype=pl.String))
        .sort("__marker", pl.col("review").replace_strict(order, return_dtype=pl.Int64))
        .select(STATUSES_LANDED)
    )
