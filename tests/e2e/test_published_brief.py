"""The brief as people read it (HTML, XLSX, Parquet, charts, provenance), from the shared run
of the real pipeline on the sample: its figures are the CSVs' figures, read back from each
format; it renders in a browser with the network off; a second run on the same inputs gives
the same bytes, the run-metadata block apart."""

import hashlib
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.brief_compare import assert_same_brief_but_run_metadata
from tests.conftest import SAMPLE_RAW, run_idream

DOMAINS = ("resilience", "advocacy", "integrated_security", "any_domain")
TABLES = ("success_markers_by_domain", "survey_sections", "survey_items")
CHROMIUM = Path("/usr/bin/chromium")


class GtTableReader(HTMLParser):
    """Rows of one great-tables table (by its id): the row's stub label, then the text of
    each marked-up part (`pct`, `kn`, `ci`, `suppressed`) of its cells, in order."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows = table_id, 0, []
        self.capture: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0 and tag == "div" and attrs.get("id") == self.table_id:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "div":
            self.depth += 1
        classes = (attrs.get("class") or "").split()
        if tag == "tr" and "gt_col_headings" not in classes:
            self.rows.append({"label": "", "parts": []})
        elif tag == "th" and "gt_stub" in classes and self.rows:
            self.capture = "label"
        elif tag == "span" and classes and classes[0] in ("pct", "kn", "ci", "suppressed"):
            self.capture = classes[0]

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        if tag in ("th", "span"):
            self.capture = None

    def handle_data(self, data):
        if not (self.depth and self.capture and self.rows):
            return
        if self.capture == "label":
            self.rows[-1]["label"] += data
        else:
            self.rows[-1]["parts"].append((self.capture, data))


def read_gt_table(html: str, table_id: str) -> list[dict]:
    reader = GtTableReader(table_id)
    reader.feed(html)
    rows = [row for row in reader.rows if row["parts"]]
    assert rows, f"no table {table_id} in the page"
    return rows


def rate_parts(row: dict, stem: str, count: str, denominator: str) -> list[tuple[str, str]]:
    """What the report must show for one rate of a CSV row (all values as CSV strings)."""
    low, high = float(row[f"{stem}_ci_low"]), float(row[f"{stem}_ci_high"])
    return [
        ("pct", f"{row[f'{stem}_pct']}%"),
        ("kn", f"{row[f'{stem}_{count}']}/{row[denominator]}"),
        ("ci", f"{low:.1f}\u2013{high:.1f}"),
    ]


@pytest.fixture(scope="module")
def brief_dir(sample_run):
    return sample_run[0] / "brief"


@pytest.fixture(scope="module")
def csvs(brief_dir):
    return {stem: pl.read_csv(brief_dir / f"{stem}.csv", infer_schema=False) for stem in TABLES}


@pytest.fixture(scope="module")
def page(brief_dir):
    return (brief_dir / "brief.html").read_text(encoding="utf-8")


def test_every_output_is_published(brief_dir):
    names = {path.name for path in brief_dir.iterdir()}
    for stem in TABLES:
        assert {f"{stem}.csv", f"{stem}.parquet"} <= names
    for chart in ("survey_answers", "domain_rates"):
        assert {f"{chart}.svg", f"{chart}.png"} <= names
    assert {"brief.html", "brief.md", "brief.xlsx", "provenance.json"} <= names


def test_html_success_marker_table_shows_the_csv_figures(page, csvs):
    rows = read_gt_table(page, "success-markers")
    table = csvs["success_markers_by_domain"]
    assert [row["label"] for row in rows] == [
        "Cohort 1 (N=10 organizations)",
        "Cohort 2 (N=10 individuals)",
        "Cohort 3 (N=10 organizations)",
        "Cohort 4 (N=10 individuals)",
        "Across all four cohorts",
    ]
    for shown, row in zip(rows, table.iter_rows(named=True), strict=True):
        expected = [p for d in DOMAINS for p in rate_parts(row, d, "achieved", "participants")]
        assert shown["parts"] == expected, shown["label"]


def test_html_survey_tables_show_the_csv_figures(page, csvs):
    items = {row["label"]: row["parts"] for row in read_gt_table(page, "survey-items")}
    table = csvs["survey_items"]
    assert len(items) == table.height == 27
    for row in table.iter_rows(named=True):
        assert items[row["statement"]] == rate_parts(row, "top_box", "n", "valid_n"), row["item_id"]
    sections = read_gt_table(page, "survey-sections")
    assert [row["parts"] for row in sections] == [
        [("pct", f"{row['top_box_pct']}%")] for row in csvs["survey_sections"].iter_rows(named=True)
    ]


def test_workbook_sheets_hold_the_csv_figures(brief_dir, csvs):
    def sheet(name: str, rows: int) -> pl.DataFrame:
        return pl.read_excel(
            brief_dir / "brief.xlsx",
            sheet_name=name,
            read_options={"header_row": 1, "n_rows": rows},
        )

    markers = csvs["success_markers_by_domain"]
    workbook = sheet("Success markers", markers.height)
    titles = {
        "resilience": "Resilience",
        "advocacy": "Advocacy",
        "integrated_security": "Integrated Security",
        "any_domain": "Across all three domains",
    }
    for got, row in zip(workbook.iter_rows(named=True), markers.iter_rows(named=True), strict=True):
        assert got["Participants (N)"] == int(row["participants"])
        for domain, title in titles.items():
            assert got[f"{title} %"] == int(row[f"{domain}_pct"])
            assert got[f"{title} k"] == int(row[f"{domain}_achieved"])
            assert got[f"{title} 95% CI low"] == float(row[f"{domain}_ci_low"])
            assert got[f"{title} 95% CI high"] == float(row[f"{domain}_ci_high"])
    items = csvs["survey_items"]
    workbook = sheet("Survey items", items.height)
    assert workbook["Item"].to_list() == items["item_id"].to_list()
    assert workbook["Top box k"].to_list() == [int(v) for v in items["top_box_n"]]
    assert workbook["Top box %"].to_list() == [int(v) for v in items["top_box_pct"]]
    assert workbook["Top box 95% CI low"].to_list() == [float(v) for v in items["top_box_ci_low"]]
    assert workbook["Top box 95% CI high"].to_list() == [float(v) for v in items["top_box_ci_high"]]
    # One column per answer, by its label: the scales' categories, the excluded, the skipped.
    for label, column in (("More confident", "more_confident_n"), ("Don't know", "dont_know_n")):
        assert workbook[label].to_list() == [None if v is None else int(v) for v in items[column]]
    sections = csvs["survey_sections"]
    workbook = sheet("Survey sections", sections.height)
    assert workbook["Average % top box"].to_list() == [int(v) for v in sections["top_box_pct"]]


def test_parquet_copies_equal_the_csvs_and_carry_the_inputs(brief_dir):
    import pyarrow.parquet as pq

    for stem in TABLES:
        parquet = pl.read_parquet(brief_dir / f"{stem}.parquet")
        flags = [c for c in parquet.columns if c.endswith("_suppressed")]
        assert flags and not any(parquet[c].any() for c in flags)  # nothing withheld here
        csv = pl.read_csv(brief_dir / f"{stem}.csv")
        assert_frame_equal(parquet.drop(flags), csv, check_dtypes=False)
        metadata = pq.read_metadata(brief_dir / f"{stem}.parquet").metadata
        provenance = json.loads(metadata[b"idream.provenance"])
        assert provenance["raw_files"] == _raw_hashes()


def _raw_hashes() -> dict[str, str]:
    return {
        path.relative_to(SAMPLE_RAW).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(SAMPLE_RAW.rglob("*"))
        if path.is_file() and not path.name.startswith((".", "~$"))
    }


def test_provenance_names_the_run_the_raw_files_and_every_output(sample_run, brief_dir, page):
    _, _, run_id = sample_run
    record = json.loads((brief_dir / "provenance.json").read_text(encoding="utf-8"))
    assert record["run_id"] == run_id
    assert record["raw_files"] == _raw_hashes()
    assert {"dagster", "dbt-core", "duckdb", "polars", "great-tables", "altair"} <= set(
        record["packages"]
    )
    published = {p.name for p in brief_dir.iterdir()} - {"provenance.json"}
    assert set(record["outputs"]) == published
    for name, digest in record["outputs"].items():
        assert hashlib.sha256((brief_dir / name).read_bytes()).hexdigest() == digest, name
    assert run_id in page and run_id in (brief_dir / "brief.md").read_text(encoding="utf-8")
    for name, digest in record["raw_files"].items():
        assert name in page and digest in page
    with zipfile.ZipFile(brief_dir / "brief.xlsx") as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode("utf-8")
    assert run_id in strings and record["published_at"] in strings


def test_methods_state_the_rules_the_policy_and_the_quality_of_the_run(brief_dir, page):
    import html

    text = html.unescape(page)
    for phrase in (
        "Counting rules",
        "out of the cohort's roster",
        "mean of its items' rates",
        "95% Wilson score",
        "Minimum cell size k = 5. Cells suppressed in this brief: 0.",
        "the top box of the confidence scale is its 2 highest categories: More confident, "
        "Much more confident",
        "the top box of the agreement scale is its 2 highest categories: Agree, Strongly agree",
        "With cohorts of ten, an observed 10/10 is compatible with a true rate as low as 72.2%",
        "without a control comparison group",
        "response bias",
        "passed every error-level check",
    ):
        assert phrase.lower() in text.lower(), phrase
    # The sample's one duplicate submission is the run's one warning.
    assert "raw.survey_responses: response ids unique" in text
    link = re.search(r'<a href="([^"]+)">The data-quality report', page).group(1)
    assert (brief_dir / link).resolve() == (brief_dir.parent / "quality" / "index.html")
    assert (brief_dir / link).is_file()


def test_charts_draw_every_item_and_every_rate(brief_dir):
    survey = (brief_dir / "survey_answers.svg").read_text(encoding="utf-8")
    assert len(re.findall(r"\(n=\d+\)</text>", survey)) == 27
    domains = (brief_dir / "domain_rates.svg").read_text(encoding="utf-8")
    for count in ("39/40", "36/40", "34/40", "40/40"):
        assert count in domains
    for chart in ("survey_answers", "domain_rates"):
        assert (brief_dir / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_renders_offline_in_chromium(brief_dir, tmp_path):
    """Debian's chromium, driven by Playwright, with the network off: the tables and both
    charts are drawn, and the page asks for nothing (no request fails, none leaves)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "chromium is missing: `make browser` installs it"
    requests, failures, errors = [], [], []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            offline=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("requestfailed", lambda request: failures.append(request.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto((brief_dir / "brief.html").as_uri(), wait_until="load")
            shot = page.screenshot(path=str(tmp_path / "brief.png"), full_page=True)
            table_rows = page.locator("#success-markers table tbody tr").count()
            item_rows = page.locator("#survey-items table tbody tr td .pct").count()
            charts = {
                chart: page.locator(f"#{chart} svg").first.bounding_box()
                for chart in ("chart-domain-rates", "chart-survey-answers")
            }
            marks = {
                chart: page.locator(f"#{chart} svg path").count()
                for chart in ("chart-domain-rates", "chart-survey-answers")
            }
        finally:
            context.close()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000
    assert table_rows == 5 and item_rows == 27
    for chart, box in charts.items():
        assert box and box["width"] > 300 and box["height"] > 150, chart
        assert marks[chart] > 20, chart
    assert failures == [] and errors == []
    assert [url for url in requests if not url.startswith("file://")] == []


def test_same_inputs_give_the_same_bytes_but_for_the_run_metadata(sample_run, tmp_path, capsys):
    warehouse, _, first_run = sample_run
    result = run_idream(SAMPLE_RAW, tmp_path / "warehouse", capsys)
    assert result.exit_code == 0
    second_run = re.search(r"idream: run (\S+) succeeded", result.stdout).group(1)
    assert second_run != first_run
    assert_same_brief_but_run_metadata(
        warehouse / "brief", first_run, tmp_path / "warehouse" / "brief", second_run
    )
