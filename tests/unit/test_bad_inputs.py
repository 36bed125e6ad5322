"""Every class of bad input in tests/bad_inputs.py, on the contract's files as
`minimal_programme()` writes them, without Dagster or dbt: a case that stops at ingest raises
`RawDataError` with its located problem; every other case lands, and its suite fails with
the located problem on the landed frames, as the run's check would report it.
(End to end, one case of each stage: tests/e2e/test_bad_input.py.)"""

from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import ingest
from orchestration.lib.errors import Problem, RawDataError
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.survey_export_rules import codebook_items
from tests.bad_inputs import CASES, GX_CHECK, location, write_broken
from tests.duckdb_tables import duckdb_with
from tests.programmes import minimal_programme

KEY = b"unit-test-key-0123456789"
INGEST_CASES = [case for case in CASES if case not in GX_CHECK]


def land(raw: Path) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """What the ingest assets land from `raw` (`raw.<table>` -> frame), and the problems of
    the landings that failed."""
    tables: dict[str, pl.DataFrame] = {}
    problems: list[Problem] = []
    definition = ProgrammeSettings.load(raw).definition

    def attempt(landing) -> None:
        try:
            landed = landing()
        except RawDataError as error:
            problems.extend(error.problems)
        else:
            tables.update({f"raw.{name}": frame for name, frame in landed.tables.items()})

    attempt(lambda: ingest.ingest_roster(raw, definition, KEY))
    attempt(lambda: ingest.ingest_success_markers(raw, definition, KEY))
    attempt(lambda: ingest.ingest_codebook(raw, definition))
    if "raw.survey_codebook" in tables:
        items = codebook_items(tables["raw.survey_codebook"])
        attempt(lambda: ingest.ingest_survey(raw, definition, items))
    return tables, problems


def _located(problems: list[Problem], case: str) -> list[Problem]:
    """The problems at the case's file, sheet, row and column that say its message."""
    _, file, sheet, row, column, message = CASES[case]
    return [
        problem
        for problem in problems
        if (problem.file, problem.sheet, problem.row, problem.column) == (file, sheet, row, column)
        and message in problem.message
    ]


def test_the_unbroken_programme_lands_without_a_problem(tmp_path):
    tables, problems = land(minimal_programme().write(tmp_path))
    assert problems == []
    assert sorted(tables) == [
        "raw.participants",
        "raw.success_marker_statuses",
        "raw.success_markers",
        "raw.survey_answers",
        "raw.survey_codebook",
        "raw.survey_exclusions",
        "raw.survey_responses",
        "raw.unanticipated_outcomes",
    ]


@pytest.mark.parametrize("case", INGEST_CASES, ids=INGEST_CASES)
def test_a_file_that_cannot_be_landed_is_refused_with_its_location(case, tmp_path):
    _, problems = land(write_broken(case, tmp_path))
    assert _located(problems, case), [str(problem) for problem in problems]
    # The run prints each problem as `<location>: <message>`.
    assert any(str(p).startswith(f"{location(*CASES[case][1:5])}: ") for p in problems)


@pytest.mark.parametrize("case", list(GX_CHECK), ids=list(GX_CHECK))
def test_a_broken_rule_lands_and_fails_its_suite_with_its_location(case, tmp_path):
    from orchestration.lib.quality import runner

    raw = write_broken(case, tmp_path)
    tables, problems = land(raw)
    assert problems == [], [str(problem) for problem in problems]  # a value rule: GX's

    def read(table: str) -> pl.DataFrame:
        return tables[table]

    suite = GX_CHECK[case].removeprefix("gx_")
    # As `idream check` validates what ingest read: the suite's query on the landed frames.
    with duckdb_with(tables) as connection:
        [(_, result, _)] = runner.validate_on(
            connection, [suite], ProgrammeSettings.load(raw), read=read
        )
    assert not result.passed  # an error-level failure: the check blocks the publish
    located = _located(result.problems(), case)
    assert located, [str(problem) for problem in result.problems()]
    assert str(located[0]).startswith(f"{location(*CASES[case][1:5])}: ")
