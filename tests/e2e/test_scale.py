"""The programme at x25 (20 cohorts of 50, 875 survey responses over many exports in three
formats) through the real pipeline: every check passes, and every published figure equals
one computed here straight from the generated files with Polars, following the contract's
counting rules, without any of the pipeline's code."""

import re
import tomllib
import unicodedata
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from orchestration.scale_programme import generate, shape
from tests.conftest import run_idream

# Big enough for many files of every kind; the bench measures the large scales.
SCALE = 25
DOMAINS = {
    "resilience": "resilience",
    "psychosocial resilience": "resilience",
    "advocacy": "advocacy",
    "effective advocacy": "advocacy",
    "integrated security": "integrated_security",
    "security": "integrated_security",
}
TOP_BOX = {"more confident", "much more confident", "agree", "strongly agree"}
VALID = TOP_BOX | {
    "much less confident",
    "less confident",
    "about the same",
    "strongly disagree",
    "disagree",
    "neither agree nor disagree",
}
EXCEL_EPOCH = datetime(1899, 12, 30)


def key(label: str | None) -> str | None:
    if label is None:
        return None
    text = unicodedata.normalize("NFKC", label).replace("\u2019", "'").lower()
    return re.sub(r"[-_\s]+", " ", text).strip() or None


def cohort_number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def half_up(numerator: int, denominator: int) -> int:
    return int(Fraction(100 * numerator, denominator) + Fraction(1, 2))


def sheet(path: Path, name: str) -> pl.DataFrame:
    frame = fastexcel.read_excel(path).load_sheet_by_name(name, dtypes="string").to_polars()
    return frame.rename({column: key(column).replace(" ", "_") for column in frame.columns})


def submitted(text: str) -> datetime:
    try:
        return EXCEL_EPOCH + timedelta(days=float(text))
    except ValueError:
        parsed = datetime.fromisoformat(text)
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def expected_markers(raw: Path) -> dict[str, dict]:
    roster = sheet(raw / "participants.xlsx", "participants")
    cohort_of = {
        pid: cohort_number(cohort)
        for pid, cohort in roster.select("participant_id", "cohort").iter_rows()
    }
    achieved: set[tuple[str, str]] = set()
    for path in sorted((raw / "success_markers").glob("cohort_*.xlsx")):
        markers = sheet(path, "markers")
        for pid, domain, midpoint, final in markers.select(
            "participant_id", "domain", "midpoint_status", "final_status"
        ).iter_rows():
            if {key(midpoint), key(final)} & {"achieved", "yes"}:
                achieved.add((pid, DOMAINS[key(domain)]))
    rows = {}
    for cohort in [*sorted(set(cohort_of.values())), "all"]:
        members = [p for p, c in cohort_of.items() if cohort in ("all", c)]
        counts = {
            domain: sum((p, domain) in achieved for p in members)
            for domain in set(DOMAINS.values())
        }
        counts["any_domain"] = sum(
            any((p, d) in achieved for d in set(DOMAINS.values())) for p in members
        )
        rows[str(cohort)] = {"participants": len(members), "achieved": counts}
    return rows


def survey_answers(raw: Path, items: list[str]) -> pl.DataFrame:
    """One row per kept response and item: the latest submission of each response id."""
    frames = []
    for path in sorted((raw / "survey").iterdir()):
        if path.name == "codebook.xlsx":
            continue
        if path.suffix == ".xlsx":
            frame = sheet(path, "responses")
        else:
            separator = ";" if "kobo" in path.name else ","
            frame = pl.read_csv(path, separator=separator, infer_schema=False)
            frame = frame.rename({c: c.lower().lstrip("\ufeff") for c in frame.columns})
        frame = frame.rename(
            {"_uuid": "response_id", "_submission_time": "submitted_at"}, strict=False
        )
        frames.append(frame.select("response_id", "submitted_at", *items))
    responses = pl.concat(frames).with_columns(
        pl.col("submitted_at").map_elements(submitted, return_dtype=pl.Datetime("us"))
    )
    latest = responses.sort("submitted_at").group_by("response_id").last()
    return latest.unpivot(index="response_id", on=items, variable_name="item_id").with_columns(
        pl.col("value").map_elements(key, return_dtype=pl.String).alias("answer")
    )


@pytest.fixture(scope="module")
def scale_run(tmp_path_factory):
    raw = tmp_path_factory.mktemp("x25") / "raw"
    generate(raw, SCALE)
    warehouse = tmp_path_factory.mktemp("warehouse")
    result = run_idream(raw, warehouse)
    assert result.exit_code == 0
    return raw, warehouse


def test_at_scale_passes_every_quality_check(scale_run):
    _, warehouse = scale_run
    import json

    summary = json.loads((warehouse / "quality" / "summary.json").read_text())
    assert summary["passed"] is True
    assert all(suite["ran"] and suite["passed"] for suite in summary["suites"])


def test_at_scale_success_marker_table_equals_an_independent_count(scale_run):
    raw, warehouse = scale_run
    expected = expected_markers(raw)
    published = pl.read_csv(
        warehouse / "brief" / "success_markers_by_domain.csv", infer_schema=False
    )
    cohorts, _ = shape(SCALE)
    assert published["cohort"].to_list() == [str(c) for c in range(1, cohorts + 1)] + ["all"]
    stated = tomllib.loads((raw / "programme.toml").read_text())["cohort_sizes"]
    assert (
        sum(stated.values()) == expected["all"]["participants"] == 40 * SCALE
    )  # 4 cohorts of 10, times SCALE
    for row in published.iter_rows(named=True):
        want = expected[row["cohort"]]
        assert int(row["participants"]) == want["participants"]
        for domain, achieved in want["achieved"].items():
            assert int(row[f"{domain}_achieved"]) == achieved, (row["cohort"], domain)
            assert int(row[f"{domain}_pct"]) == half_up(achieved, want["participants"])


def test_at_scale_survey_figures_equal_an_independent_computation(scale_run):
    raw, warehouse = scale_run
    codebook = sheet(raw / "survey" / "codebook.xlsx", "items")
    items = codebook["item_id"].to_list()
    answers = survey_answers(raw, items).join(codebook.select("item_id", "section"), on="item_id")
    by_item = answers.group_by("item_id").agg(
        valid_n=pl.col("answer").is_in(list(VALID)).sum(),
        top_box_n=pl.col("answer").is_in(list(TOP_BOX)).sum(),
    )
    published_items = pl.read_csv(warehouse / "brief" / "survey_items.csv", infer_schema=False)
    rates = {}
    for item_id, valid_n, top_box_n in by_item.iter_rows():
        row = published_items.row(items.index(item_id), named=True)
        assert row["item_id"] == item_id
        assert (int(row["valid_n"]), int(row["top_box_n"])) == (valid_n, top_box_n)
        assert int(row["top_box_pct"]) == half_up(top_box_n, valid_n)
        rates[item_id] = Fraction(top_box_n, valid_n)

    sections = pl.read_csv(warehouse / "brief" / "survey_sections.csv", infer_schema=False)
    assert sections.height == 3
    for row in sections.iter_rows(named=True):
        section_items = codebook.filter(pl.col("section") == row["section"])["item_id"]
        mean = sum(rates[i] for i in section_items) / len(section_items)
        assert int(row["top_box_pct"]) == int(100 * mean + Fraction(1, 2))
        respondents = answers.filter(
            (pl.col("section") == row["section"]) & pl.col("answer").is_in(list(VALID))
        )["response_id"].n_unique()
        assert int(row["respondents"]) == respondents
    stated = tomllib.loads((raw / "programme.toml").read_text())["survey_respondents"]
    assert answers["response_id"].n_unique() == sum(stated.values()) == 35 * SCALE
