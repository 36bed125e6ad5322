"""Survey exports written the way KoboToolbox and ODK Central write them, for the example
programme and the tests: the pipeline reads them (`lib/survey_exports.py`), never writes
them. What each tool writes is in shared/notes/domain.md ("What the survey tools really
export"), read from the tools' own sources.

Each writer takes the header and the rows as the tool lays them out; the helpers below
name the tools' metadata columns and spell their values.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from orchestration.lib.programme_definition import label_id
from orchestration.lib.workbooks import Row, write_csv, write_workbook

# KoboToolbox's metadata columns after the form's questions (its `_submission_time` is UTC
# without an offset; `_validation_status` is a label or `validation_status_<name>`).
KOBO_METADATA = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
# A repeat group's sheet: its own questions, then these links back to the submission.
KOBO_REPEAT_LINKS = (
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
    "_submission__validation_status",
    "_submission__notes",
    "_submission__status",
    "_submission__submitted_by",
    "_submission___version__",
    "_submission__tags",
)
# ODK Central's columns after the form's fields; `SubmissionDate` comes first.
ODK_SUBMISSION_DATE = "SubmissionDate"
ODK_METADATA = (
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)
# Excel's limit on a sheet name; KoboToolbox cuts the form's title to it.
SHEET_NAME_LENGTH = 31


def choice_name(label: str) -> str:
    """The name KoboToolbox's form builder gives a choice or question from its label:
    `Much more confident` -> `much_more_confident`, `Don't know` -> `don_t_know`."""
    return label_id(label)


def kobo_sheet_name(form_title: str) -> str:
    return form_title[:SHEET_NAME_LENGTH]


def odk_submission_date(submitted_at: datetime) -> str:
    """ODK Central's `SubmissionDate`: UTC, milliseconds, `Z`. `submitted_at` is naive UTC."""
    return submitted_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{submitted_at.microsecond // 1000:03d}Z"


def odk_instance_id(uuid: str) -> str:
    """`meta-instanceID` and `KEY` carry the `uuid:` prefix; Kobo's `_uuid` does not."""
    return f"uuid:{uuid}"


def write_kobo_xlsx(
    path: Path,
    form_title: str,
    header: Row,
    rows: Sequence[Row],
    repeat_groups: dict[str, tuple[Row, Sequence[Row]]] | None = None,
) -> None:
    """The main sheet named after the form, then one sheet per repeat group. Datetimes
    become typed Excel dates, as KoboToolbox writes them unless "store as text" is ticked."""
    sheets = {kobo_sheet_name(form_title): (header, rows)}
    for name, sheet in (repeat_groups or {}).items():
        sheets[kobo_sheet_name(name)] = sheet
    write_workbook(path, sheets)


def write_kobo_csv(path: Path, header: Row, rows: Sequence[Row]) -> None:
    """KoboToolbox's CSV: `;`-separated, every field quoted, CRLF, UTF-8 with a byte-order
    mark."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in rows)


def write_odk_csv(path: Path, header: Row, rows: Sequence[Row]) -> None:
    """ODK Central's CSV: `,`-separated, fields quoted only when they must be, UTF-8 without
    a byte-order mark."""
    write_csv(path, header, rows)
