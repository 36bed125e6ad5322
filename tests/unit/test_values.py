from datetime import datetime

import pytest

from orchestration.lib.values import parse_cohort, parse_submitted_at, parse_whole_number


@pytest.mark.parametrize(
    ("raw", "cohort"),
    [
        ("1", 1),
        ("Cohort 1", 1),
        ("C1", 1),
        (" cohort 1 ", 1),
        ("c12", 12),
        ("2.0", 2),
        ("Cohort 03", 3),
        ("Cohort", None),
        ("one", None),
        ("1b", None),
        ("0", None),
        (None, None),
        ("-1", None),
    ],
)
def test_cohort_spellings(raw, cohort):
    assert parse_cohort(raw) == cohort


@pytest.mark.parametrize(
    ("raw", "number"), [("3", 3), ("3.0", 3), (" 2 ", 2), ("2.5", None), ("x", None)]
)
def test_whole_numbers(raw, number):
    assert parse_whole_number(raw) == number


@pytest.mark.parametrize(
    ("raw", "moment"),
    [
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10)),
        ("2024-05-01 10:00:00", datetime(2024, 5, 1, 10)),
        # Offsets are converted to UTC so that 'latest submission' compares like with like.
        ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10)),
        ("45413.5", datetime(2024, 5, 1, 12)),  # an Excel serial date
        ("yesterday", None),
        ("-3", None),
    ],
)
def test_submission_times(raw, moment):
    assert parse_submitted_at(raw) == moment
