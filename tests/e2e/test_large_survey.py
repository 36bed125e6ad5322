"""A survey-heavy programme (50,000 responses, 1,350,000 answers, in CSV exports as the
tools write them) through one real `idream run` (issue 17): every published survey figure
equals one computed here straight from the exports with Polars, without the pipeline's
code; and an answer that is no label, planted in one export, stops the run with its file,
row and column. Memory and time at 1,000,000 responses are the bench's to measure."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import run_idream, run_idream_captured
from tests.e2e.conftest import LARGE_SURVEY_RESPONSES
from tests.e2e.test_scale import TOP_BOX, VALID, half_up, key, sheet

RESPONSES = LARGE_SURVEY_RESPONSES
# Categories a person may give that are not a valid answer, by the label rule's key.
EXCLUDED = {"not applicable": "not_applicable", "n/a": "not_applicable", "don't know": "dont_know"}


@pytest.fixture(scope="module")
def large_survey(large_survey_raw, tmp_path_factory):
    raw = large_survey_raw
    warehouse = tmp_path_factory.mktemp("warehouse")
    result, _, err = run_idream_captured(raw, warehouse)
    assert result.exit_code == 0, err
    return raw, warehouse


def exports(raw: Path) -> list[Path]:
    return sorted((raw / "survey").glob("*.csv"))


def read_export(path: Path, items: list[str]) -> pl.DataFrame:
    """An export as the tools write it: KoboToolbox's with `;`, its own column names and
    a byte-order mark; a plain CSV with the contract's names."""
    kobo = "kobo" in path.name
    frame = pl.read_csv(path, separator=";" if kobo else ",", infer_schema=False)
    frame = frame.rename({name: name.lstrip("\ufeff") for name in frame.columns})
    if kobo:
        frame = frame.rename({"_uuid": "response_id", "_submission_time": "submitted_at"})
    return frame.select("response_id", "submitted_at", "cohort", *items)


def utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def category(label: str | None) -> str | None:
    """The category id a published count is named by (`More  confident` -> more_confident)."""
    found = key(label)
    if found is None:
        return None
    return EXCLUDED.get(found, found.replace("'", "").replace(" ", "_"))


def expected_answers(raw: Path, items: list[str]) -> pl.DataFrame:
    """One row per kept response (its latest submission) and item: cohort, item_id and the
    answer's category id (null: skipped)."""
    responses = pl.concat([read_export(path, items) for path in exports(raw)])
    responses = responses.with_columns(
        pl.col("submitted_at").map_elements(utc, return_dtype=pl.Datetime("us")),
        pl.col("cohort").str.extract(r"(\d+)").cast(pl.Int64),
    )
    latest = responses.sort("submitted_at").group_by("response_id").last()
    long = latest.unpivot(
        index=["response_id", "cohort"], on=items, variable_name="item_id", value_name="label"
    )
    labels = long["label"].drop_nulls().unique().to_list()
    ids = {label: category(label) for label in labels}
    return long.with_columns(
        pl.col("label").replace_strict(ids, default=None, return_dtype=pl.String).alias("answer")
    )


def test_every_published_survey_figure_equals_an_independent_computation(large_survey):
    raw, warehouse = large_survey
    codebook = sheet(raw / "survey" / "codebook.xlsx", "items")
    items = codebook["item_id"].to_list()
    answers = expected_answers(raw, items).join(codebook.select("item_id", "section"), on="item_id")
    assert answers["response_id"].n_unique() == RESPONSES
    valid = [category(label) for label in VALID]
    top_box = [category(label) for label in TOP_BOX]
    assert answers.height == RESPONSES * len(items)

    published = pl.read_csv(warehouse / "brief" / "survey_items.csv", infer_schema=False)
    assert published["item_id"].to_list() == items
    rates = {}
    for row in published.iter_rows(named=True):
        given = answers.filter(pl.col("item_id") == row["item_id"])["answer"]
        valid_n, top_box_n = int(given.is_in(valid).sum()), int(given.is_in(top_box).sum())
        assert (int(row["valid_n"]), int(row["top_box_n"])) == (valid_n, top_box_n)
        assert int(row["top_box_pct"]) == half_up(top_box_n, valid_n)
        assert int(row["skipped_n"]) == given.null_count()
        counts = given.drop_nulls().value_counts()
        for answer, count in counts.iter_rows():
            assert int(row[f"{answer}_n"]) == count, (row["item_id"], answer)
        rates[row["item_id"]] = Fraction(top_box_n, valid_n)

    sections = pl.read_csv(warehouse / "brief" / "survey_sections.csv", infer_schema=False)
    for row in sections.iter_rows(named=True):
        in_section = answers.filter(pl.col("section") == row["section"])
        section_items = in_section["item_id"].unique().to_list()
        mean = sum(rates[item] for item in section_items) / len(section_items)
        assert int(row["top_box_pct"]) == int(100 * mean + Fraction(1, 2))
        respondents = in_section.filter(pl.col("answer").is_in(valid))["response_id"].n_unique()
        assert int(row["respondents"]) == respondents

    by_cohort = pl.read_csv(
        warehouse / "brief" / "survey_sections_by_cohort.csv", infer_schema=False
    )
    expected = (
        answers.filter(pl.col("answer").is_in(valid))
        .group_by("cohort", "section")
        .agg(pl.col("response_id").n_unique().alias("respondents"))
    )
    assert sorted(
        (int(cohort), section, int(respondents))
        for cohort, section, respondents in by_cohort.select(
            "cohort", "section", "respondents"
        ).iter_rows()
    ) == sorted(expected.iter_rows())


def test_a_planted_bad_answer_is_located_by_file_row_and_column(large_survey, tmp_path, capsys):
    source, _ = large_survey
    raw = tmp_path / "raw"
    shutil.copytree(source, raw)
    export = next(path for path in exports(raw) if "kobo" in path.name)
    with export.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle, delimiter=";"))
    column = records[0].index("con_03")
    row = 4_321  # as a spreadsheet shows it: the header is row 1
    records[row - 1][column] = "Mostly agree"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(records)
    capsys.readouterr()

    result = run_idream(raw, tmp_path / "warehouse", capsys)

    assert result.exit_code == 1
    assert (
        f"survey/{export.name}, row {row}, column 'con_03': answer 'Mostly agree' to item "
        "'con_03' is not a label of scale 'agreement'"
    ) in result.stderr, result.stderr
