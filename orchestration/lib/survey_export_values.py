"""The typed values of a survey export: response ids, submission times, cohorts, review
states. Each parser returns None for what it cannot read; the caller locates the cell."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import polars as pl

from orchestration.lib.columns import map_distinct
from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.values import parse_cohort

_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
_EXCEL_LAST_DAY = 2958466  # 9999-12-31 is serial 2958465
_SERIAL = re.compile(r"^\d+(\.\d+)?$")
_UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)
# The times the tools write (`2024-05-01T10:00:00.123+03:00`, `2024-05-01 10:00:00Z`), read
# column-wise; every other text goes through `parse_submission_time`, which decides. Hours,
# minutes and seconds are bounded here because Polars would take `24:00` or a leap second
# that Python refuses.
_PLAIN_ISO = (
    r"^(\d{4}-\d{2}-\d{2})[T ]((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.(\d{1,6}))?"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$"
)
# Ids made of these characters need no stripping: only the `uuid:` prefix goes.
_PLAIN_ID = r"^[0-9A-Za-z_.:-]+$"
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


def parse_submission_times(texts: pl.Series, from_workbook: bool = False) -> pl.Series:
    """`parse_submission_time` on a column: the plain ISO times Polars reads at once (a
    Python call per row was a fifth of a survey's ingest), any other text one distinct
    value at a time. Null where `parse_submission_time` gives None."""
    parts = (
        texts.rename("__text")
        .to_frame()
        .select(pl.col("__text").str.extract_groups(_PLAIN_ISO).struct.unnest())
    )
    date, clock, fraction, offset = (pl.col(str(group)) for group in range(1, 5))
    east = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    minutes = (
        pl.when(offset.is_null() | (offset == "Z"))
        .then(0)
        .otherwise(
            east
            * (offset.str.slice(1, 2).cast(pl.Int64) * 60 + offset.str.slice(4, 2).cast(pl.Int64))
        )
    )
    fast = parts.select(
        (
            pl.concat_str(date, pl.lit("T"), clock).str.to_datetime(
                "%Y-%m-%dT%H:%M:%S", time_unit="us", strict=False
            )
            + pl.duration(microseconds=fraction.str.pad_end(6, "0").cast(pl.Int64).fill_null(0))
            - pl.duration(minutes=minutes)
        ).dt.replace_time_zone("UTC")
    ).to_series()
    if from_workbook:
        fast = (fast + timedelta(microseconds=500_000)).dt.truncate("1s")
    return _with_slow_path(
        texts, fast, lambda text: parse_submission_time(text, from_workbook), fast.dtype
    )


def parse_response_ids(texts: pl.Series) -> pl.Series:
    """`parse_response_id` on a column: plain ids at once, any other text one distinct
    value at a time."""
    fast = pl.select(
        pl.when(texts.str.contains(_PLAIN_ID)).then(
            texts.str.replace(r"^(?i)uuid:", "").replace("", None)
        )
    ).to_series()
    return _with_slow_path(texts, fast, parse_response_id, pl.String)


def _with_slow_path(texts: pl.Series, fast: pl.Series, parse, dtype) -> pl.Series:
    """`fast`, where it is null and the text is not, completed by `parse` on each such
    distinct text: the per-value parser decides every value the column-wise one left."""
    rest = texts.filter(fast.is_null() & texts.is_not_null())
    if not rest.len():
        return fast.alias(texts.name)
    lookup = pl.DataFrame({"__text": rest, "__slow": map_distinct(rest, parse, dtype)}).unique(
        "__text"
    )
    return (
        pl.DataFrame({"__text": texts, "__fast": fast})
        .join(lookup, on="__text", how="left", maintain_order="left")
        .select(pl.coalesce("__fast", "__slow"))
        .to_series()
        .alias(texts.name)
    )


def parse_export_cohort(text: str) -> int | None:
    """As the roster writes it (`1`, `Cohort 1`, `C1`), or as a form's choice name
    (`cohort_1`), which the label rule reads as `cohort 1`."""
    return parse_cohort(text)


def is_turned_down(state: str, exclude: Sequence[str]) -> bool:
    """A review state listed in `exclude`, compared by the label rule, Kobo's
    `validation_status_` prefix ignored. ODK's `hasIssues` reads as one word, `hasissues`."""
    key = label_match_key(state).removeprefix(_VALIDATION_PREFIX)
    return key in {label_match_key(name) for name in exclude}
