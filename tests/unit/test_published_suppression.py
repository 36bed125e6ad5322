"""A withheld cell is withheld in every published format: the CSV cell reads `suppressed`,
Parquet holds null and a true `<x>_suppressed` flag, the page and the workbook say
"suppressed" with a note, the charts leave it out, and the methods count it. Built from
mart-shaped frames, without running the pipeline."""

import json
import zipfile

import polars as pl
import pytest

from orchestration.lib import brief, publishing, suppression
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.quality_status import QualityStatus
from tests.unit.test_brief import survey_marts

K = 5
IDREAM = idream_definition()
DOMAINS = brief.domains(IDREAM)
# cohort -> (participant type, participants, achieved per domain in the brief's order)
COHORTS = {"1": ("individual", 6, (5, 3, 2, 6)), "2": ("individual", 3, (2, 1, 1, 3))}
ITEMS = [
    # item, section, scale, answers on the scale (low to high), (not applicable, don't know),
    # skipped
    ("sec_01", "security", "confidence", (0, 1, 1, 4, 3), (0, 0), 0),
    ("sec_02", "security", "confidence", (0, 0, 1, 1, 1), (6, 0), 0),  # 3 valid: below k
    ("con_01", "connection", "agreement", (1, 0, 2, 3, 3), (0, 0), 0),
]


def domain_rates() -> pl.DataFrame:
    rows = []
    totals = [0] * len(DOMAINS)
    for number, (cohort, (kind, size, achieved)) in enumerate(COHORTS.items(), start=1):
        for index, domain in enumerate(DOMAINS):
            rows.append((cohort, number, kind, domain, size, achieved[index]))
            totals[index] += achieved[index]
    participants = sum(size for _, size, _ in COHORTS.values())
    rows += [("all", None, None, d, participants, totals[i]) for i, d in enumerate(DOMAINS)]
    schema = ["cohort", "cohort_number", "participant_type", "domain", "participants", "achieved_n"]
    return pl.DataFrame(rows, schema=schema, orient="row")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    rates, (items, answer_counts) = domain_rates(), survey_marts(IDREAM, ITEMS)
    groups, rows = brief.success_marker_groups(rates, IDREAM)
    hidden_markers = suppression.suppress(
        brief.success_marker_counts(rates), groups, K, together=rows
    )
    hidden_items = suppression.suppress(brief.survey_item_counts(items), (), K)
    sections = pl.DataFrame(
        {
            "section": ["security", "connection"],
            "section_order": [1, 2],
            "items": [2, 1],
            "respondents": [9, 9],
        }
    )
    tables = brief.BriefTables(
        success_markers=brief.success_markers_by_domain(rates, IDREAM, hidden_markers),
        survey_sections=brief.survey_sections(items, sections, hidden_items, K),
        survey_items=brief.survey_items(items, answer_counts, IDREAM, hidden_items),
        respondents=9,
        surveyed_cohorts=[1, 2],
        definition=IDREAM,
        participant_types=("individual",),
        min_cell_size=K,
    )
    provenance = Provenance("run-1", "2026-01-01T00:00:00Z", "0.1.0", "c0de", (), ())
    quality = QualityStatus(passed=True, suites_run=1, expectations=1, warnings=())
    out = tmp_path_factory.mktemp("brief")
    publishing.write_brief(tables, out, provenance, quality)
    return out, hidden_markers, hidden_items


def test_the_small_cohort_row_and_the_small_item_are_withheld(published):
    _, hidden_markers, hidden_items = published
    # Cohort 2 has 3 participants: its row goes; cohort 1's too, or the totals would give
    # cohort 2 away; and the "any domain" total, 9/9, would give both away.
    assert hidden_markers == {(c, d) for c in ("1", "2") for d in DOMAINS} | {("all", "any_domain")}
    assert hidden_items == {"sec_02"}


def test_csv_cells_read_suppressed_and_published_cells_keep_their_numbers(published):
    out, _, _ = published
    markers = pl.read_csv(out / "success_markers_by_domain.csv", infer_schema=False)
    cohort_2 = markers.filter(pl.col("cohort") == "2").row(0, named=True)
    for domain in DOMAINS:
        for part in ("achieved", "pct", "ci_low", "ci_high"):
            assert cohort_2[f"{domain}_{part}"] == "suppressed"
    assert cohort_2["participants"] == "3"  # denominators are published
    total = markers.filter(pl.col("cohort") == "all").row(0, named=True)
    assert total["resilience_achieved"] == "7" and total["resilience_pct"] == "78"
    assert not any(c.endswith("_suppressed") for c in markers.columns)
    items = pl.read_csv(out / "survey_items.csv", infer_schema=False)
    sec_02 = items.filter(pl.col("item_id") == "sec_02").row(0, named=True)
    assert sec_02["valid_n"] == "3"
    assert sec_02["top_box_n"] == sec_02["top_box_pct"] == sec_02["top_box_ci_low"] == "suppressed"
    # Its answer counts would give its top-box count away: the categories' by adding up,
    # the excluded and skipped by taking them from the item's responses.
    counts = [c for c in items.columns if c.endswith("_n") and c != "valid_n"]
    assert {sec_02[c] for c in counts} == {"suppressed"}
    sec_01 = items.filter(pl.col("item_id") == "sec_01").row(0, named=True)
    assert (sec_01["more_confident_n"], sec_01["top_box_n"], sec_01["agree_n"]) == ("4", "7", None)
    sections = pl.read_csv(out / "survey_sections.csv", infer_schema=False)
    assert sections["top_box_pct"].to_list() == ["suppressed", "67"]


def test_parquet_holds_null_and_a_flag(published):
    out, _, _ = published
    markers = pl.read_parquet(out / "success_markers_by_domain.parquet")
    cohort_2 = markers.filter(pl.col("cohort") == "2").row(0, named=True)
    assert cohort_2["resilience_suppressed"] is True
    assert cohort_2["resilience_achieved"] is None and cohort_2["resilience_ci_low"] is None
    assert markers["resilience_achieved"].dtype == pl.Int64
    total = markers.filter(pl.col("cohort") == "all").row(0, named=True)
    assert total["resilience_suppressed"] is False and total["resilience_achieved"] == 7


def test_page_workbook_markdown_and_charts_withhold_the_same_cells(published):
    out, _, _ = published
    page = (out / "brief.html").read_text(encoding="utf-8")
    # 9 success-marker cells, 1 item, 1 section average.
    assert page.count('<span class="suppressed">suppressed</span>') == 11
    assert "Suppressed: fewer than 5 in the group" in page
    assert "Minimum cell size k = 5. Cells suppressed in this brief: 11." in page
    with zipfile.ZipFile(out / "brief.xlsx") as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode("utf-8")
        comments = [n for n in workbook.namelist() if "comments" in n]
    assert "<t>suppressed</t>" in strings and comments
    markdown = (out / "brief.md").read_text(encoding="utf-8")
    assert "| Cohort 2 (N=3 individuals) | suppressed | suppressed |" in markdown
    survey_chart = (out / "survey_answers.svg").read_text(encoding="utf-8")
    assert "Statement sec_01" in survey_chart and "Statement sec_02" not in survey_chart
    domain_chart = (out / "domain_rates.svg").read_text(encoding="utf-8")
    assert "Cohort 2" not in domain_chart and "7/9" in domain_chart
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["run_id"] == "run-1" and "brief.html" in record["outputs"]
