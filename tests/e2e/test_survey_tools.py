"""IDREAM's sample survey delivered as the survey tools export it, with no hand editing
(contract v2): cohort 2 as a KoboToolbox "labels" XLSX, cohort 3 as a KoboToolbox grouped
`;` CSV with choice names, cohort 4 as an ODK Central CSV (tests/survey_tools.py builds
them from the sample's own exports). One run of the real pipeline on that folder publishes
the sample's brief: every figure of the reference brief, and every figure of the sample
run's published tables. The submissions a reviewer turned down are left out, and the
tools' device ids, user names and free text are never stored."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.lib.publishing import TABLE_FILES
from orchestration.lib.survey_exports import codebook_items, read_survey_export
from tests.conftest import SAMPLE_RAW, run_idream_captured
from tests.e2e.test_leak import assert_nowhere, warehouse_text
from tests.e2e.test_sample_brief import REFERENCE, parse_reference_brief
from tests.survey_tools import SAMPLE_EXPORTS, write_sample_as_tool_exports

TOOL_EXPORTS = (
    "cohort_2_kobo_labels.xlsx",
    "cohort_3_kobo_xml_grouped.csv",
    "cohort_4_odk_central.csv",
)
DOMAIN_COLUMNS = ("resilience", "advocacy", "integrated_security", "any_domain")


@pytest.fixture(scope="module")
def tools_sample(tmp_path_factory):
    return write_sample_as_tool_exports(tmp_path_factory.mktemp("tools"))


@pytest.fixture(scope="module")
def tools_run(tools_sample, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    result, out, err = run_idream_captured(tools_sample.raw_dir, warehouse)
    printed = err + out
    assert result.exit_code == 0, printed[-5000:]
    return warehouse, printed


def published(brief, attribute: str) -> pl.DataFrame:
    """A published CSV by the BriefTables attribute it holds."""
    stem = next(stem for stem, held in TABLE_FILES.items() if held == attribute)
    return pl.read_csv(brief / f"{stem}.csv", infer_schema=False)


def _read_exports(raw, names) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Responses, answers (as the category's code) and turned-down count of `names`."""
    codebook = pl.read_excel(raw / "survey" / "codebook.xlsx", sheet_name="items")
    items = codebook_items(codebook)
    responses, answers, turned_down = [], [], 0
    for name in names:
        contents = read_survey_export(raw / "survey" / name, raw, items)
        responses.append(contents.responses.select("response_id", "submitted_at", "cohort"))
        answers.append(contents.answers.select("response_id", "item_id", "answer"))
        turned_down += contents.excluded_by_review
    return pl.concat(responses), pl.concat(answers), turned_down


def test_the_tool_exports_hold_the_samples_responses(tools_sample):
    """No pipeline run: the exports the tools wrote hold, read back, exactly the sample's
    responses (times, cohorts, answers' categories), plus one turned-down submission each."""
    raw = tools_sample.raw_dir
    assert sorted(p.name for p in (raw / "survey").iterdir()) == ["codebook.xlsx", *TOOL_EXPORTS]
    sample = _read_exports(SAMPLE_RAW, SAMPLE_EXPORTS)
    tools = _read_exports(raw, TOOL_EXPORTS)
    assert_frame_equal(tools[0], sample[0])
    assert_frame_equal(tools[1], sample[1])
    assert (sample[2], tools[2]) == (0, 3)


def test_the_published_figures_are_the_reference_briefs(tools_run):
    warehouse, _ = tools_run
    reference = parse_reference_brief(REFERENCE.read_text(encoding="utf-8"))
    markers = published(warehouse / "brief", "success_markers")
    assert markers["cohort"].to_list() == ["1", "2", "3", "4", "all"]
    for row in markers.iter_rows(named=True):
        expected = reference["table"][row["cohort"]]
        pcts = tuple(int(row[f"{domain}_pct"]) for domain in DOMAIN_COLUMNS)
        assert pcts == expected["pcts"], row["cohort"]
    sections = published(warehouse / "brief", "survey_sections")
    by_section = {row["section"]: row for row in sections.iter_rows(named=True)}
    for section, (items, pct) in reference["sections"].items():
        assert (int(by_section[section]["items"]), int(by_section[section]["top_box_pct"])) == (
            items,
            pct,
        ), section
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        cohorts = connection.execute(
            "select cohort, survey_respondents from marts.dim_cohorts order by cohort"
        ).fetchall()
    # The turned-down submissions are not respondents; cohort 3's duplicate counts once.
    assert cohorts == [(1, 0), (2, 9), (3, 16), (4, 10)]
    assert sum(count for _, count in cohorts) == reference["respondents"] == 35
    markdown = (warehouse / "brief" / "brief.md").read_text(encoding="utf-8")
    assert "Across Cohorts 2, 3, and 4, 35 respondents" in markdown


def test_every_published_figure_is_the_sample_runs(tools_run, sample_run):
    """The same responses give the same brief, whichever tool delivered them."""
    tools_brief, sample_brief = tools_run[0] / "brief", sample_run[0] / "brief"
    for attribute in ("success_markers", "survey_items", "survey_sections"):
        assert_frame_equal(published(tools_brief, attribute), published(sample_brief, attribute))


def test_the_tools_metadata_and_free_text_are_never_stored(tools_run, tools_sample):
    warehouse, printed = tools_run
    tables, _ = warehouse_text(warehouse / "idream.duckdb")
    places = {"warehouse tables": tables, "terminal": printed}
    for path in (warehouse / "brief").iterdir():
        if path.suffix in (".csv", ".md", ".html", ".json", ".svg"):
            places[path.name] = path.read_text(encoding="utf-8")
    assert len(tools_sample.never_stored) > 70
    assert_nowhere(set(tools_sample.never_stored), places)
