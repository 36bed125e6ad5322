"""The IDREAM sample with its survey delivered as the survey tools export it.

`write_sample_as_tool_exports` copies the sample's raw folder and replaces its three survey
exports by the same responses, one cohort per tool format (contract v2):
- cohort 2: a KoboToolbox "labels" XLSX (sheet named after the form, headers the questions'
  labels, answers the choices' labels, typed submission times);
- cohort 3: a KoboToolbox CSV in "XML values and headers" mode with groups in the headers
  (`;`, every field quoted, CRLF, a byte-order mark; `grp_security/sec_01`; answers as
  choice names, `much_more_confident`), its duplicate submission kept;
- cohort 4: an ODK Central CSV (`SubmissionDate` in UTC with milliseconds and `Z`,
  `meta-instanceID` with its `uuid:` prefix, `security-sec_01`, `ReviewState`).
Each file also holds one submission a reviewer turned down, with answers that would
change every figure if it were counted, and identifying tool metadata (devices, user
names) that must never land. The responses are read from the sample's own exports, so
the published brief must be the sample's.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import polars as pl

from orchestration.lib.programme_definition import idream_definition, label_match_key
from orchestration.lib.tool_exports import (
    KOBO_METADATA,
    ODK_METADATA,
    ODK_SUBMISSION_DATE,
    choice_name,
    odk_instance_id,
    odk_submission_date,
    write_kobo_csv,
    write_kobo_xlsx,
    write_odk_csv,
)
from tests.conftest import SAMPLE_RAW

SAMPLE_EXPORTS = ("cohort_2_survey.xlsx", "cohort_3_kobo_export.csv", "cohort_4_survey.csv")
FORM_TITLE = "IDREAM end-of-cohort survey"
# The form's cohort question: IDREAM's cohort column (`cohort`) is its name, `Cohort` its label.
COHORT_QUESTION = "cohort"
COHORT_LABEL = "Cohort"
COMMENT_LABEL = "Anything else you would like to tell us?"
TURNED_DOWN_ID = "turned-down-{cohort}"


@dataclass(frozen=True)
class Item:
    item_id: str
    section: str
    statement: str
    scale: str


@dataclass(frozen=True)
class Response:
    response_id: str
    submitted_at: datetime  # naive UTC
    cohort: int
    answers: tuple[str | None, ...]  # the definition's label, in codebook order
    comment: str | None = None


@dataclass(frozen=True)
class ToolExportedSample:
    raw_dir: Path
    # Device ids, user and submitter names and comments written into the exports: none
    # may be stored.
    never_stored: frozenset[str]


def write_sample_as_tool_exports(out_dir: Path) -> ToolExportedSample:
    raw = out_dir / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    survey = raw / "survey"
    for name in SAMPLE_EXPORTS:
        (survey / name).unlink()
    items = read_codebook(survey / "codebook.xlsx")
    identifying: set[str] = set()
    identifying |= _write_kobo_labels_xlsx(
        survey / "cohort_2_kobo_labels.xlsx", items, _staff_workbook(SAMPLE_RAW, items)
    )
    identifying |= _write_kobo_grouped_csv(
        survey / "cohort_3_kobo_xml_grouped.csv", items, _kobo_csv(SAMPLE_RAW, items)
    )
    identifying |= _write_odk_central_csv(
        survey / "cohort_4_odk_central.csv", items, _plain_csv(SAMPLE_RAW, items)
    )
    return ToolExportedSample(raw, frozenset(identifying))


def read_codebook(path: Path) -> list[Item]:
    codebook = pl.read_excel(path, sheet_name="items")
    return [
        Item(*row) for row in codebook.select("item_id", "section", "statement", "scale").rows()
    ]


@cache
def canonical_labels() -> dict[str, str]:
    """Label rule key of every spelling IDREAM's definition accepts -> the category's
    label, which is what a form's choice carries (`N/A` is `Not applicable`)."""
    survey = idream_definition().survey
    categories = [c for scale in survey.scales for c in scale.categories] + list(survey.excluded)
    return {
        label_match_key(spelling): category.label
        for category in categories
        for spelling in category.spellings
    }


def _answers(row: dict, columns: list[str]) -> tuple[str | None, ...]:
    labels = canonical_labels()
    return tuple(None if row[c] is None else labels[label_match_key(row[c])] for c in columns)


def _staff_workbook(raw: Path, items: list[Item]) -> list[Response]:
    """Cohort 2's workbook: `Response ID`, `Submitted at` (Excel dates), `SEC_01`..."""
    frame = pl.read_excel(raw / "survey" / SAMPLE_EXPORTS[0], sheet_name="responses")
    columns = [item.item_id.upper() for item in items]
    return [
        Response(
            row["Response ID"],
            row["Submitted at"],
            2,
            _answers(row, columns),
            row["Comments"],
        )
        for row in frame.iter_rows(named=True)
    ]


def _kobo_csv(raw: Path, items: list[Item]) -> list[Response]:
    """Cohort 3's Kobo CSV with item-id headers, its duplicate submission included."""
    frame = pl.read_csv(raw / "survey" / SAMPLE_EXPORTS[1], separator=";", infer_schema=False)
    columns = [item.item_id for item in items]
    return [
        Response(
            row["_uuid"],
            datetime.fromisoformat(row["_submission_time"]),
            3,
            _answers(row, columns),
        )
        for row in frame.iter_rows(named=True)
    ]


def _plain_csv(raw: Path, items: list[Item]) -> list[Response]:
    """Cohort 4's CSV, times with a +03:00 offset."""
    frame = pl.read_csv(raw / "survey" / SAMPLE_EXPORTS[2], infer_schema=False)
    columns = [item.item_id for item in items]
    return [
        Response(
            row["response_id"],
            datetime.fromisoformat(row["submitted_at"]).astimezone(UTC).replace(tzinfo=None),
            4,
            _answers(row, columns),
        )
        for row in frame.iter_rows(named=True)
    ]


def _turned_down(cohort: int, items: list[Item], after: datetime) -> Response:
    """A submission a reviewer turned down: every answer the scale's lowest, so that
    counting it would move every figure."""
    survey = idream_definition().survey
    lowest = {scale.id: scale.categories[0].label for scale in survey.scales}
    return Response(
        TURNED_DOWN_ID.format(cohort=cohort),
        after + timedelta(hours=1),
        cohort,
        tuple(lowest[item.scale] for item in items),
    )


def _write_kobo_labels_xlsx(path: Path, items: list[Item], responses: list[Response]) -> set[str]:
    rejected = _turned_down(2, items, max(r.submitted_at for r in responses))
    header = (
        "start",
        "end",
        "deviceid",
        "username",
        COHORT_LABEL,
        *(item.statement for item in items),
        COMMENT_LABEL,
        *KOBO_METADATA,
    )
    rows, identifying = [], set()
    for index, response in enumerate([*responses, rejected], start=1):
        device, user = f"collect:SVDEVICE{index:04d}", f"svenumerator{index:03d}"
        identifying |= {device, user} | ({response.comment} if response.comment else set())
        state = "Not approved" if response is rejected else ("Approved", None)[index % 2]
        rows.append(
            (
                (response.submitted_at - timedelta(minutes=20)).isoformat(),
                (response.submitted_at - timedelta(minutes=1)).isoformat(),
                device,
                user,
                f"Cohort {response.cohort}",
                *response.answers,
                response.comment,
                52_000 + index,
                response.response_id,
                response.submitted_at,  # a typed Excel date, as Kobo's XLSX writes it
                state,
                None,
                "submitted_via_web",
                user,
                "vSvToolsForm1",
                None,
                index,
            )
        )
    write_kobo_xlsx(path, FORM_TITLE, header, rows)
    return identifying


def _write_kobo_grouped_csv(path: Path, items: list[Item], responses: list[Response]) -> set[str]:
    rejected = _turned_down(3, items, max(r.submitted_at for r in responses))
    header = (
        "start",
        "end",
        "deviceid",
        "username",
        f"grp_intro/{COHORT_QUESTION}",
        *(f"grp_{item.section}/{item.item_id}" for item in items),
        *KOBO_METADATA,
    )
    rows, identifying = [], set()
    for index, response in enumerate([*responses, rejected], start=1):
        device, user = f"ee.kobotoolbox.org:SVKOBO{index:04d}", f"svkobouser{index:03d}"
        identifying |= {device, user}
        state = "validation_status_not_approved" if response is rejected else None
        rows.append(
            (
                _phone_clock(response.submitted_at - timedelta(minutes=25)),
                _phone_clock(response.submitted_at - timedelta(minutes=2)),
                device,
                user,
                choice_name(f"Cohort {response.cohort}"),
                *(None if a is None else choice_name(a) for a in response.answers),
                41_000 + index,
                response.response_id,
                response.submitted_at.isoformat(),
                state or ("validation_status_approved" if index % 3 == 0 else None),
                None,
                "submitted_via_web",
                user,
                "vSvToolsForm1",
                None,
                index,
            )
        )
    write_kobo_csv(path, header, rows)
    return identifying


def _phone_clock(utc: datetime) -> str:
    """Kobo's `start` and `end`: the phone's local time (here UTC+3) with its offset."""
    return (utc + timedelta(hours=3)).isoformat(timespec="milliseconds") + "+03:00"


def _write_odk_central_csv(path: Path, items: list[Item], responses: list[Response]) -> set[str]:
    rejected = _turned_down(4, items, max(r.submitted_at for r in responses))
    header = (
        ODK_SUBMISSION_DATE,
        f"intro-{COHORT_QUESTION}",
        *(f"{item.section}-{item.item_id}" for item in items),
        *ODK_METADATA,
    )
    rows, identifying = [], set()
    for index, response in enumerate([*responses, rejected], start=1):
        submitter, device = f"SV Submitter {index:03d}", f"collect:SVODK{index:04d}"
        identifying |= {submitter, device}
        state = "rejected" if response is rejected else (None, "approved", "hasIssues")[index % 3]
        rows.append(
            (
                odk_submission_date(response.submitted_at),
                choice_name(f"Cohort {response.cohort}"),
                *(None if a is None else choice_name(a) for a in response.answers),
                odk_instance_id(response.response_id),
                odk_instance_id(response.response_id),
                900 + index,
                submitter,
                0,
                0,
                None,
                state,
                device,
                0,
                "2024053101",
            )
        )
    write_odk_csv(path, header, rows)
    return identifying
