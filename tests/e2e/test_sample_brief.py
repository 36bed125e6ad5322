"""The shipped sample data, through the real pipeline (Dagster, dbt, DuckDB), reproduces
every figure of the published brief. The expected figures are parsed from the brief itself
(tests/reference/, a copy of shared/brief/), not typed in here."""

import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lib.programme_definition import idream_definition
from tests.conftest import SAMPLE_RAW, tree_digest

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "idream-evidence-brief.txt"
NUMBER_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
DOMAIN_COLUMNS = ("resilience", "advocacy", "integrated_security", "any_domain")


def parse_reference_brief(text: str) -> dict:
    table = {}
    row = re.compile(
        r"^(Cohort (\d+) \(N=(\d+) (individuals|organizations)\)|Across all four cohorts)"
        r"\t(\d+)%\t(\d+)%\t(\d+)%\t(\d+)%",
        re.M,
    )
    for match in row.finditer(text):
        cohort = match.group(2) or "all"
        table[cohort] = {
            "participants": int(match.group(3)) if match.group(3) else None,
            "participant_type": {"individuals": "individual", "organizations": "organization"}.get(
                match.group(4), ""
            ),
            "pcts": tuple(int(match.group(i)) for i in range(5, 9)),
        }
    words = re.search(r"Cohorts 2, 3, and 4, ([a-z]+)-([a-z]+) individuals completed", text)
    security = re.search(r"Across (\d+) security-related tasks, an average of (\d+)%", text)
    advocacy = re.search(r"this was (\d+)% across (\d+) advocacy-related strategies", text)
    connection = re.search(
        r"on average (\d+)% of participants .* with (\d+) items about building connection", text
    )
    return {
        "table": table,
        "respondents": NUMBER_WORDS[words.group(1)] + NUMBER_WORDS[words.group(2)],
        "sections": {
            "security": (int(security.group(1)), int(security.group(2))),
            "advocacy": (int(advocacy.group(2)), int(advocacy.group(1))),
            "connection": (int(connection.group(2)), int(connection.group(1))),
        },
    }


@pytest.fixture(scope="module")
def reference():
    parsed = parse_reference_brief(REFERENCE.read_text(encoding="utf-8"))
    # Guard the parser itself: the brief has four cohort rows, a total row, three sections.
    assert len(parsed["table"]) == 5 and len(parsed["sections"]) == 3
    return parsed


def test_success_marker_table_matches_the_brief(sample_run, reference):
    warehouse, _, _ = sample_run
    table = pl.read_csv(warehouse / "brief" / "success_markers_by_domain.csv", infer_schema=False)
    assert table["cohort"].to_list() == ["1", "2", "3", "4", "all"]
    for row in table.iter_rows(named=True):
        expected = reference["table"][row["cohort"]]
        assert tuple(int(row[f"{d}_pct"]) for d in DOMAIN_COLUMNS) == expected["pcts"], row[
            "cohort"
        ]
        if row["cohort"] != "all":
            assert int(row["participants"]) == expected["participants"]
            assert row["participant_type"] == expected["participant_type"]
    total = table.filter(pl.col("cohort") == "all").row(0, named=True)
    assert total["participant_type"] is None or total["participant_type"] == ""
    assert int(total["participants"]) == 40


def test_survey_figures_match_the_brief(sample_run, reference):
    warehouse, _, _ = sample_run
    sections = pl.read_csv(warehouse / "brief" / "survey_sections.csv")
    by_section = {row["section"]: row for row in sections.iter_rows(named=True)}
    for section, (items, pct) in reference["sections"].items():
        assert by_section[section]["items"] == items
        assert by_section[section]["top_box_pct"] == pct
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        respondents = connection.execute(
            "select count(distinct response_id) from marts.fct_survey_answers"
        ).fetchone()[0]
    assert respondents == reference["respondents"] == 35
    markdown = (warehouse / "brief" / "brief.md").read_text(encoding="utf-8")
    assert "35 respondents" in markdown
    assert "| Across all four cohorts | 98% | 90% | 85% | 100% |" in markdown
    # IDREAM's own wording, which its definition carries: the scales' and the sections'.
    confident = "rated themselves “more confident” or “much more confident”"
    for section, phrase, answered in (
        ("security", "security-related tasks", confident),
        ("advocacy", "advocacy-related strategies", confident),
        (
            "connection",
            "items about building connection with other IDREAM participants",
            "“agreed” or “strongly agreed”",
        ),
    ):
        items, pct = reference["sections"][section]
        assert (
            f"- Across {items} {phrase}, an average of {pct}% of respondents {answered}."
            in markdown
        )
    assert "participants (N=40 individuals and organizations)" in markdown
    assert (
        "| | Resilience | Advocacy | Integrated Security | Across all three domains |" in markdown
    )
    chart = (warehouse / "brief" / "survey_answers.svg").read_text(encoding="utf-8")
    for title in (
        "Security-related tasks (confidence compared to before IDREAM)",
        "Advocacy-related strategies (confidence compared to before IDREAM)",
        "Connection with other IDREAM participants (agreement)",
    ):
        assert title in chart


def test_survey_item_table_counts_add_up(sample_run):
    """survey_items.csv: v1's columns with top2 -> top_box, an item's counts on its own scale
    adding up to its valid answers, and nothing in another scale's categories."""
    warehouse, _, _ = sample_run
    items = pl.read_csv(warehouse / "brief" / "survey_items.csv")
    assert items.height == 27
    survey = idream_definition().survey
    scales = {scale.id: [f"{c.id}_n" for c in scale.categories] for scale in survey.scales}
    excluded = [f"{category.id}_n" for category in survey.excluded]
    assert items.columns == [
        "item_id",
        "section",
        "statement",
        "scale",
        "valid_n",
        "top_box_n",
        "top_box_pct",
        "top_box_ci_low",
        "top_box_ci_high",
        *scales["confidence"],
        *scales["agreement"],
        *excluded,
        "skipped_n",
    ]
    for row in items.iter_rows(named=True):
        on_scale = [row[c] for c in scales[row["scale"]]]
        assert sum(on_scale) == row["valid_n"]
        assert row["top_box_n"] == sum(on_scale[-2:])
        other = [c for scale, columns in scales.items() if scale != row["scale"] for c in columns]
        assert all(row[c] is None for c in other)
        assert row["valid_n"] + sum(row[c] for c in excluded) + row["skipped_n"] == 35


def test_raw_files_are_never_modified(sample_run):
    _, raw_before, _ = sample_run
    assert tree_digest(SAMPLE_RAW) == raw_before


def _sample_secrets() -> set[str]:
    """Names, emails, countries, programme codes and free texts of the sample's raw files."""

    # Read with Polars' own Excel reader, not the pipeline's: the guard must not share
    # the code it guards.
    def read_sheet(path: Path, sheet: str) -> pl.DataFrame:
        return pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)

    roster = read_sheet(SAMPLE_RAW / "participants.xlsx", "participants")
    secrets = set()
    for column in ("Name", "Email", "Participant ID", "Country of exile"):
        secrets |= set(roster[column].drop_nulls())
    for workbook in (SAMPLE_RAW / "success_markers").glob("cohort_*.xlsx"):
        markers = read_sheet(workbook, "markers")
        secrets |= set(markers["Outcome"].drop_nulls()) | set(markers["Marker"].drop_nulls())
    comments = read_sheet(SAMPLE_RAW / "survey" / "cohort_2_survey.xlsx", "responses")
    secrets |= set(comments["Comments"].drop_nulls())
    # Guard the guard: a reader change that returned nothing would make this test vacuous.
    assert len(secrets) > 100
    return secrets


def _published_text(path: Path) -> str:
    """Every string a published file holds: tables read back, workbooks unzipped. PNG charts
    are drawn from the same rows as their SVG twins, which are searched as text."""
    import html
    import zipfile

    if path.suffix == ".parquet":
        return pl.read_parquet(path).write_csv()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as workbook:
            xml = "\n".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())
        return html.unescape(xml)
    if path.suffix == ".png":
        return ""
    # HTML, SVG and JSON escape characters such as apostrophes; a name must be found anyway.
    return html.unescape(path.read_text(encoding="utf-8"))


def test_no_personal_data_or_free_text_in_the_warehouse_or_brief(sample_run):
    """Nothing that identifies a participant, and no free text, reaches any table or file."""
    warehouse, _, _ = sample_run
    secrets = _sample_secrets()
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        dumped = "\n".join(
            connection.execute(f'select * from "{schema}"."{name}"').pl().write_csv()
            for schema, name in tables
        )
    published = "\n".join(_published_text(p) for p in (warehouse / "brief").iterdir())
    for secret in secrets:
        assert secret not in dumped, secret
        assert secret not in published, secret


def test_every_model_and_column_in_the_warehouse_is_documented(sample_run):
    """The YAML documents exactly the columns each model really has, each with a description."""
    import json

    from orchestration.settings import DBT_PROJECT_DIR

    warehouse, _, _ = sample_run
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    assert len(nodes) >= 15
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        for node in nodes:
            actual = {
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [node["schema"], node["alias"]],
                ).fetchall()
            }
            documented = node["columns"]
            assert node["description"], node["name"]
            assert actual == set(documented), node["name"]
            assert all(column["description"] for column in documented.values()), node["name"]


def test_the_sample_passes_every_error_check_and_warns_of_its_duplicate_and_patterns(sample_run):
    from orchestration.lib.quality.suites import suite_names

    warehouse, _, run_id = sample_run
    summary = json.loads((warehouse / "quality" / "summary.json").read_text())
    assert summary["run_id"] == run_id
    by_suite = {entry["suite"]: entry for entry in summary["suites"]}
    assert set(by_suite) == set(suite_names())
    assert all(entry["passed"] and entry["errors"] == 0 for entry in by_suite.values())
    # The one duplicate submission is reported, resolved by keeping the latest, and
    # does not block: the brief above was published.
    warned = {name: entry for name, entry in by_suite.items() if entry["warnings"]}
    assert sorted(warned) == ["mart_marker_level_patterns", "raw_survey_responses"]
    assert warned["raw_survey_responses"]["failures"][0]["unexpected_count"] == 2
    # Levels are not nested: the cohort x domain cells where some participant reached a
    # higher level and missed a lower one are listed for review (counts only).
    assert warned["mart_marker_level_patterns"]["failures"][0]["unexpected_count"] == 12
    assert all(entry["expectations_evaluated"] > 0 for entry in by_suite.values())


def test_the_data_docs_describe_this_run_and_load_nothing_from_the_network(sample_run):
    from orchestration.lib.quality.docs import remote_loads
    from orchestration.lib.quality.suites import suite_names

    warehouse, _, run_id = sample_run
    site = warehouse / "quality"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert run_id in index  # GX validations are named after the Dagster run
    for suite in suite_names():
        assert suite in index, suite
        pages = list((site / "validations" / suite).rglob("*.html"))
        assert len(pages) == 1, suite  # this run's validation, and no stale one
    pages = list(site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert remote_loads(html) == [], page
        for local in re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"#]+)"', html):
            assert (page.parent / local).resolve().exists(), (page, local)
    assert "great-expectations-web-assets" not in "".join(
        p.read_text(encoding="utf-8") for p in site.rglob("*.css")
    )


def test_the_marts_contracts_are_enforced_by_the_warehouse(sample_run, tmp_path):
    """The marts' contracts are constraints in the published file, and the database enforces
    them: a null that slipped past every check upstream stops the mart that would store it.
    Guards against a contract losing `enforced: true`, which would drop its constraints
    (and the data tests they replaced) without a sound."""
    import shutil
    import subprocess

    from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

    warehouse, _, _ = sample_run
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    assert len(marts) >= 10
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        enforced = set(
            connection.execute(
                "select table_name, constraint_column_names[1] from duckdb_constraints() "
                "where schema_name = 'marts' and constraint_type = 'NOT NULL'"
            ).fetchall()
        )
    for node in marts:
        assert node["config"]["contract"]["enforced"], node["name"]
        declared = {
            (node["name"], name)
            for name, column in node["columns"].items()
            if any(c["type"] == "not_null" for c in column["constraints"])
        }
        assert declared and declared <= enforced, node["name"]

    build = tmp_path / "idream.duckdb"
    shutil.copy(warehouse / ".build" / "idream.duckdb", build)
    with duckdb.connect(str(build)) as connection:
        connection.execute("update raw.participants set cohort = null where source_row = 2")
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "run",
            "--select",
            "dim_participants",
            "--vars",
            json.dumps({"database_path": str(build)}),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "NOT NULL constraint failed" in result.stdout, result.stdout[-2000:]


def test_the_run_is_in_the_dagster_instance_with_what_it_built_and_checked(sample_run):
    """`idream run` records its run in the persistent instance (here the test session's
    fresh DAGSTER_HOME), so the UI shows it: it once ran on a throwaway instance."""
    import os

    import dagster as dg

    from orchestration.definitions import defs

    _, _, run_id = sample_run
    job = defs().resolve_job_def("idream_pipeline")
    with dg.DagsterInstance.from_config(os.environ["DAGSTER_HOME"]) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        assert run.job_name == "idream_pipeline"
        materialized = {
            event.dagster_event.asset_key
            for event in instance.all_logs(
                run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            )
        }
        checked = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert materialized == set(job.asset_layer.executable_asset_keys)
    assert {event.dagster_event.event_specific_data.check_name for event in checked} >= {
        "gx_raw_participants",
        "gx_mart_domain_rates",
    }


def test_the_terminal_shows_one_line_per_step_and_the_log_file_has_the_rest(sample_run):
    warehouse, _, run_id = sample_run
    lines = sample_run.terminal.splitlines()
    assert len(lines) <= 40, sample_run.terminal
    assert any("dbt build" in line and line.strip().startswith("ok") for line in lines)
    assert any("check the roster, markers and codebook" in line for line in lines)
    # Neither Dagster's event stream nor dbt's per-model log reaches the terminal...
    assert "RUN_START" not in sample_run.terminal and "OK created" not in sample_run.terminal
    # ...they are in the run's log file, whose path the summary names.
    log = warehouse / "logs" / f"{run_id}.log"
    assert f"log:       {log}" in sample_run.terminal
    text = log.read_text(encoding="utf-8")
    assert "RUN_SUCCESS" in text and "OK created" in text and "\x1b[" not in text
