"""Parsers for the contract's typed values: cohort numbers, whole numbers, submission times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_COHORT = re.compile(r"^(?:cohort|c)?\s*0*(\d+)(?:\.0+)?$")
_WHOLE = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")
# Excel's day zero; workbooks saved with the 1904 system store dates that fastexcel
# already returns as ISO text, so only bare serials reach this.
_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_cohort(value: str | None) -> int | None:
    """`1`, `Cohort 1`, `C1`, ` cohort 1 ` and Excel's `1.0` all mean cohort 1."""
    if value is None:
        return None
    match = _COHORT.match(value.strip().lower())
    if not match or int(match.group(1)) < 1:
        return None
    return int(match.group(1))


def parse_whole_number(value: str | None) -> int | None:
    if value is None:
        return None
    match = _WHOLE.match(value)
    return int(match.group(1)) if match else None


def parse_submitted_at(value: str | None) -> datetime | None:
    """ISO date-time (any offset, stored as UTC) or an Excel serial date; None if neither."""
    if value is None:
        return None
    text = value.strip()
    try:
        serial = float(text)
    except ValueError:
        pass
    else:
        if 0 < serial < 2958466:  # Excel's last date, 9999-12-31
            return _EXCEL_EPOCH + timedelta(days=serial)
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
