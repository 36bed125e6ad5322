import polars as pl
import pytest

from orchestration.lib.columns import clean_text_expr
from orchestration.lib.text import clean_text, normalise_header

MESSY = [
    "  Very   ambitious ",
    "very-ambitious",
    "VERY_AMBITIOUS",
    "Don\u2019t know",
    "Integrated\u00a0Security",
    "Much more confident\t",
    "\uff21chieved",  # full-width A, as some keyboards type it
    "N/A",
    "",
    "   ",
]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Integrated\u00a0 Security ", "Integrated Security"),
        ("Don\u2019t know", "Don't know"),
        ("\uff21chieved", "Achieved"),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_text_undoes_what_spreadsheets_do(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Participant ID ", "participant_id"),
        ("Country of exile", "country_of_exile"),
        ("_uuid", "_uuid"),
        ("_submission_time", "_submission_time"),
        ("Outcome No", "outcome_no"),
        ("SEC_01", "sec_01"),
    ],
)
def test_headers_are_normalised_keeping_kobo_underscores(header, name):
    assert normalise_header(header) == name


def test_column_cleaning_matches_the_python_rule():
    # The polars expression cleans whole columns; it must agree with clean_text exactly.
    cleaned = pl.DataFrame({"x": MESSY}).select(clean_text_expr("x"))["x"].to_list()
    assert cleaned == [clean_text(value) for value in MESSY]
