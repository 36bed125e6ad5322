"""The suites' rules run as SQL where the data is (issue 17): what comes back from the engine
is counts and a capped sample of failing rows, the results are GX's and render in Data
Docs, and a rule that cannot run says so instead of stopping the checks. (Each rule's
meaning, rule by rule: tests/unit/test_quality_suites.py.)"""

import json
import os
import time

import polars as pl
import pytest

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import evaluate, gx_results, relations, runner, sql_rules
from orchestration.lib.quality.parameters import suite_parameters
from orchestration.lib.quality.results import ERROR
from orchestration.lib.quality.site_process import SiteProcess, SiteProcessError
from orchestration.lib.quality.suites import load_suite
from tests.duckdb_tables import duckdb_with

PROGRAMME = ProgrammeSettings()
FAILING = 30_000


def codebook() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "item_id": ["s1"],
            "section": ["security"],
            "statement": ["S"],
            "scale": ["confidence"],
            "item_order": [1],
            "source_file": ["survey/codebook.xlsx"],
            "source_sheet": ["items"],
            "source_row": [2],
        }
    )


def answers(rows: int, bad: int) -> pl.DataFrame:
    """`rows` answers to item s1 in one export, the last `bad` of them an unknown answer."""
    return pl.DataFrame(
        {
            "response_id": [f"r{n}" for n in range(rows)],
            "item_id": ["s1"] * rows,
            "answer": ["more_confident"] * (rows - bad) + ["maybe"] * bad,
            "source_file": ["survey/big.csv"] * rows,
            "source_sheet": pl.Series([None] * rows, dtype=pl.String),
            "source_row": list(range(2, rows + 2)),
        }
    )


def validate(connection, suite: str, max_problems: int = 20):
    [(_, result, gx)] = runner.validate_on(
        connection, [suite], PROGRAMME, "run-1", max_problems=max_problems
    )
    return result, gx


def test_every_failing_row_is_counted_and_only_the_first_come_back():
    connection = duckdb_with(
        {"raw.survey_codebook": codebook(), "raw.survey_answers": answers(FAILING + 5, FAILING)}
    )
    result, gx = validate(connection, "raw_survey_answers", max_problems=7)
    [failure] = result.failures
    assert failure.expectation == "expect_column_values_to_be_in_set(answer)"
    assert failure.unexpected_count == FAILING
    # The first failing rows in the file's order, located, and no more than asked.
    assert [p.row for p in failure.problems] == list(range(7, 14))
    assert str(failure.problems[0]).startswith(
        "survey/big.csv, row 7, column 's1': unknown answer 'maybe' to an item on the "
        "confidence scale"
    )
    [in_set] = [r for r in gx["results"] if not r["success"]]
    assert in_set["result"]["unexpected_count"] == FAILING
    assert len(in_set["result"]["unexpected_index_list"]) == 7
    assert in_set["result"]["partial_unexpected_list"] == ["maybe"] * 5
    assert gx["statistics"]["unsuccessful_expectations"] == 1


def test_a_rule_that_cannot_run_fails_its_suite_with_the_engines_reason():
    # A landed table without a column the contract requires: the columns rule fails, and
    # each rule on that column says why it could not run; the checks go on.
    connection = duckdb_with(
        {
            "raw.survey_codebook": codebook().drop("scale"),
            "raw.survey_answers": answers(3, 0),
        }
    )
    result, gx = validate(connection, "raw_survey_codebook")
    failed = {f.expectation: f for f in result.failures}
    assert set(failed) == {
        "expect_table_columns_to_match_set",
        "expect_column_values_to_be_in_set(scale)",
        "expect_column_values_to_not_be_null(scale)",
    }
    assert failed["expect_table_columns_to_match_set"].severity == ERROR
    assert "scale" in str(failed["expect_column_values_to_be_in_set(scale)"].problems[0])
    raised = [r for r in gx["results"] if r["exception_info"]["raised_exception"]]
    assert len(raised) == 2 and not result.passed


@pytest.mark.parametrize(
    ("ignore_row_if", "expected"),
    [("both_values_are_missing", 2), ("either_value_is_missing", 1), ("neither", 3)],
)
def test_column_pairs_skip_missing_values_as_gx_does(ignore_row_if, expected):
    # Rows: equal, different, one value missing, both missing.
    connection = duckdb_with(
        {"t.pairs": pl.DataFrame({"a": [1, 1, None, None], "b": [1, 2, 3, None]})}
    )
    item = sql_rules.rule(
        0,
        "expect_column_pair_values_to_be_equal",
        {"column_A": "a", "column_B": "b", "ignore_row_if": ignore_row_if},
    )
    sql = f"select count(*) filter (where {item.unexpected}) from t.pairs"
    assert connection.execute(sql).fetchone()[0] == expected


def test_every_rule_of_every_suite_has_its_sql():
    parameters = suite_parameters(PROGRAMME.definition, lambda table: codebook())
    for name in relations.RELATIONS:
        for index, expectation in enumerate(load_suite(name)["expectations"]):
            kwargs = sql_rules.resolve(expectation["kwargs"], parameters)
            assert sql_rules.rule(index, expectation["type"], kwargs), (name, expectation)


def _answers_result(tmp_path):
    """A results folder with one suite's GX result: 25 of 40 answers off their scale."""
    connection = duckdb_with(
        {"raw.survey_codebook": codebook(), "raw.survey_answers": answers(40, 25)}
    )
    _, gx = validate(connection, "raw_survey_answers")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "raw_survey_answers.json").write_text(json.dumps(gx))
    return tmp_path / "results"


def test_the_results_render_in_gx_data_docs(tmp_path):
    _answers_result(tmp_path)
    assert gx_results.build_site(tmp_path / "results", tmp_path / "gx", tmp_path / "site")
    [page] = (tmp_path / "site" / "validations" / "raw_survey_answers").rglob("*.html")
    text = page.read_text(encoding="utf-8")
    assert "run-1" in text and "maybe" in text and "25 unexpected values found" in text


def test_the_site_process_builds_the_pages_gx_builds_here(tmp_path):
    results = _answers_result(tmp_path)
    process = SiteProcess()
    assert process.build(results, tmp_path / "gx_there", tmp_path / "there")
    assert gx_results.build_site(results, tmp_path / "gx_here", tmp_path / "here")

    def pages(site):
        return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))

    assert pages(tmp_path / "there") == pages(tmp_path / "here")
    [page] = (tmp_path / "there" / "validations" / "raw_survey_answers").rglob("*.html")
    assert "25 unexpected values found" in page.read_text(encoding="utf-8")
    assert not _alive(process.pid)


def test_a_site_process_never_given_its_work_is_stopped():
    process = SiteProcess()
    process.close()
    assert not _alive(process.pid)


def test_the_site_process_runs_below_the_runs_priority():
    # Its GX import must not take a core from the run's ingest (docs/performance.md).
    process = SiteProcess()
    try:
        deadline = time.monotonic() + 10
        while os.getpriority(os.PRIO_PROCESS, process.pid) == os.getpriority(os.PRIO_PROCESS, 0):
            assert time.monotonic() < deadline, "the site process kept the run's priority"
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, process.pid) > os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        process.close()


def test_a_site_process_that_fails_says_why(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "raw_survey_answers.json").write_text("{not json")
    with pytest.raises(SiteProcessError, match="JSONDecodeError"):
        SiteProcess().build(tmp_path / "results", tmp_path / "gx", tmp_path / "site")
    assert not (tmp_path / "site").exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_no_results_no_site(tmp_path):
    assert not gx_results.build_site(tmp_path / "results", tmp_path / "gx", tmp_path / "site")


def test_a_suite_result_keeps_gx_s_shape():
    connection = duckdb_with({"raw.survey_codebook": codebook()})
    _, gx = validate(connection, "raw_survey_codebook")
    assert gx["success"] and gx["suite_name"] == "raw_survey_codebook"
    assert gx["meta"]["run_id"]["run_name"] == "run-1"
    assert {r["expectation_config"]["type"] for r in gx["results"]} == {
        e["type"] for e in load_suite("raw_survey_codebook")["expectations"]
    }
    # The value sets as the definition gave them, not `$PARAMETER` references.
    [section] = [
        r
        for r in gx["results"]
        if r["expectation_config"]["kwargs"].get("column") == "section"
        and r["expectation_config"]["type"] == "expect_column_values_to_be_in_set"
    ]
    assert section["expectation_config"]["kwargs"]["value_set"] == [
        "security",
        "advocacy",
        "connection",
    ]
    assert evaluate.PARTIAL == 5
