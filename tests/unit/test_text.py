from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lib.columns import clean_text_expr
from orchestration.lib.labels import label_key_expr
from orchestration.lib.text import clean_text, label_key, normalise_header

MACRO = Path(__file__).resolve().parents[2] / "transforms" / "macros" / "label_key.sql"
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


def test_label_keys_ignore_case_hyphens_underscores_and_spacing():
    assert {
        label_key(clean_text(v)) for v in ("Very ambitious", "very-ambitious", " VERY_AMBITIOUS")
    } == {"very ambitious"}


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


def test_label_key_agrees_in_python_polars_and_the_dbt_macro():
    """Ingest validates with Python/polars and staging maps with SQL: one rule, three places."""
    values = [clean_text(value) for value in MESSY if clean_text(value)]
    python = [label_key(value) for value in values]
    polars = pl.DataFrame({"x": values}).select(label_key_expr("x"))["x"].to_list()
    template = MACRO.read_text()
    body = template.split("-%}", 1)[1].split("{%-", 1)[0].strip()
    sql = body.replace("{{ column }}", "x")
    with duckdb.connect() as connection:
        connection.register("labels", pl.DataFrame({"x": values}))
        dbt_macro = [row[0] for row in connection.execute(f"select {sql} from labels").fetchall()]
    assert python == polars == dbt_macro
