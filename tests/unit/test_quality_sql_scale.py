"""The survey's checks on a survey of 50,000 responses (27 items, 1,350,000 answer rows, ten
exports), landed straight into DuckDB: one planted bad answer is still found, in its file,
row and column, and the counts the rules compare agree with an independent count.
(Time and memory at 1,000,000 responses are the bench's: docs/performance.md.)"""

import duckdb
import pytest

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import runner

RESPONSES, ITEMS, EXPORTS = 50_000, 27, 10
PER_EXPORT = RESPONSES // EXPORTS


@pytest.fixture(scope="module")
def survey():
    connection = duckdb.connect()
    connection.execute("create schema raw")
    connection.execute(
        "create table raw.survey_codebook as select 's' || i as item_id, 'security' as section, "
        "'S' as statement, 'confidence' as scale, i as item_order, 'survey/codebook.xlsx' "
        "as source_file, 'items' as source_sheet, i + 1 as source_row from range(?) t(i)",
        [ITEMS],
    )
    connection.execute(
        "create table raw.participants as select 'p' || c as participant_key, c as cohort, "
        "'individual' as participant_type, 'participants.xlsx' as source_file, "
        "'participants' as source_sheet, c + 1 as source_row from range(1, 4) t(c)"
    )
    # Response n is row n % 5,000 + 2 of export n // 5,000, in cohort 1, 2 or 3.
    connection.execute(
        "create table raw.survey_responses as select 'r' || n as response_id, "
        "'2024-05-01T10:00' as submitted_at, n % 3 + 1 as cohort, "
        f"'survey/export_' || n // {PER_EXPORT} || '.csv' as source_file, "
        f"cast(null as varchar) as source_sheet, n % {PER_EXPORT} + 2 as source_row "
        "from range(?) t(n)",
        [RESPONSES],
    )
    connection.execute(
        "create table raw.survey_answers as select r.response_id, i.item_id, "
        "case when r.response_id = 'r31415' and i.item_id = 's7' then 'agree' "
        "else 'more_confident' end as answer, r.source_file, r.source_sheet, r.source_row "
        "from raw.survey_responses r cross join raw.survey_codebook i"
    )
    return connection


def test_a_planted_bad_answer_is_located_among_a_million_answers(survey):
    programme = ProgrammeSettings(survey_respondents={1: 16_667, 2: 16_667, 3: 16_666})
    results = dict(
        (name, result)
        for name, result, _ in runner.validate_on(
            survey, ["raw_survey_responses", "raw_survey_answers"], programme
        )
    )
    assert results["raw_survey_responses"].failures == []  # the stated counts are right
    [failure] = results["raw_survey_answers"].failures
    assert failure.expectation == "expect_column_values_to_be_in_set(answer_fits_scale)"
    assert failure.unexpected_count == 1
    assert [str(p) for p in failure.problems] == [
        "survey/export_6.csv, row 1417, column 's7': answer 'Agree' is not on the confidence "
        "scale of this item; expected Much less confident, Less confident, About the same, "
        "More confident, Much more confident, Not applicable or Don't know, or blank"
    ]


def test_a_stale_count_is_a_warning_counted_on_every_row_and_listed_once_per_cap(survey):
    # The stale respondent count: every response fails the rule; the run is told
    # how many and sees the first 20, never a copy of every row.
    stale = ProgrammeSettings(survey_respondents={1: 100, 2: 100, 3: 100})
    [(_, result, _)] = runner.validate_on(survey, ["raw_survey_responses"], stale)
    [failure] = result.failures
    assert failure.severity == "warning" and result.passed
    assert failure.unexpected_count == RESPONSES
    assert len(failure.problems) == 20
    independent = survey.execute(
        "select count(distinct response_id) from raw.survey_responses where cohort = 1"
    ).fetchone()[0]
    assert str(failure.problems[0]).endswith(
        f"cohort 1 has {independent} distinct respondents, but the programme settings say 100"
    )
