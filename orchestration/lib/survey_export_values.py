"""The typed values of a survey export: response ids, submission times, cohorts, review
states. Each parser returns None for what it cannot read; the caller locates the cell."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.values import parse_cohort

_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
_EXCEL_LAST_DAY = 2958466  # 9999-12-31 is serial 2958465
_SERIAL = re.compile(r"^\d+(\.\d+)?$")
_UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)
# Kobo's XML-mode states (`validation_status_not_approved`) as the label rule reads them.
_VALIDATION_PREFIX = "validation status "


def parse_response_id(text: str) -> str | None:
    """ODK Central writes `uuid:` before the instance id and KoboToolbox's `_uuid` does
    not: the prefix is ignored, so one submission has one id whichever tool exported it."""
    return _UUID_PREFIX.sub("", text.strip()).strip() or None


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
    # Never astimezone() on a naive time: that would read it in the machine's zone.
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if from_workbook:
        parsed = (parsed + timedelta(microseconds=500_000)).replace(microsecond=0)
    return parsed


def parse_export_cohort(text: str) -> int | None:
    """As the roster writes it (`1`, `Cohort 1`, `C1`), or as a form's choice name
    (`cohort_1`), which the label rule reads as `cohort 1`."""
    return parse_cohort(text)


def is_turned_down(state: str, exclude: Sequence[str]) -> bool:
    """A review state listed in `exclude`, compared by the label rule, Kobo's
    `validation_status_` prefix ignored. ODK's `hasIssues` reads as one word, `hasissues`."""
    key = label_match_key(state).removeprefix(_VALIDATION_PREFIX)
    return key in {label_match_key(name) for name in exclude}
