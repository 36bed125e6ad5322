"""Every expectation that encodes a contract rule, broken on its own in a small frame:
the right suite fails, on the right expectation, naming the right rows and values.
(End to end, with Dagster blocking the publish step, in tests/e2e/test_bad_input.py.)"""

from dataclasses import replace

import polars as pl
import pytest

from orchestration.lib.labels import LabelDictionary
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import frames, gx_runner
from orchestration.lib.quality.results import ERROR, WARNING
from orchestration.lib.quality.runner import suite_parameters
from orchestration.lib.quality.suites import suite_names
from orchestration.lib.survey import load_answer_scales
from orchestration.settings import SEEDS_DIR

LABELS = LabelDictionary.load(SEEDS_DIR / "label_dictionary.csv")
CONTEXT = frames.FrameContext(
    labels=LABELS,
    answer_scales=load_answer_scales(SEEDS_DIR / "survey_answer_categories.csv"),
    programme=ProgrammeSettings(cohort_sizes={1: 2}, survey_respondents={1: 2}),
)


def lineage(file: str, sheet: str | None, rows: int) -> dict:
    return {
        "source_file": [file] * rows,
        "source_sheet": [sheet] * rows,
        "source_row": list(range(2, rows + 2)),
    }


def valid_tables() -> dict[str, pl.DataFrame]:
    """A two-participant programme that passes every suite."""
    markers_file = lineage("success_markers/c1.xlsx", "markers", 3)
    return {
        "raw.participants": pl.DataFrame(
            {
                "participant_key": ["p1", "p2"],
                "cohort": [1, 1],
                "participant_type": ["Individual", "org"],
            }
            | lineage("participants.xlsx", "participants", 2)
        ),
        "raw.success_markers": pl.DataFrame(
            {
                "participant_key": ["p1"] * 3,
                "domain": ["Resilience", "resilience", "Psychosocial Resilience"],
                "outcome_no": [1, 1, 1],
                "level": ["Realistic", "ambitious", "very-ambitious"],
                "midpoint_status": ["Achieved", None, "no"],
                "final_status": [None, "Partially achieved", "Yes"],
            }
            | markers_file
        ),
        "raw.unanticipated_outcomes": pl.DataFrame(
            {"participant_key": ["p2"], "domain": [None], "review": ["Final"]}
            | lineage("success_markers/c1.xlsx", "unanticipated", 1),
            schema_overrides={"domain": pl.String},
        ),
        "raw.survey_codebook": pl.DataFrame(
            {
                "item_id": ["s1", "c1"],
                "section": ["security", "Connection"],
                "statement": ["S", "C"],
                "scale": ["confidence", "agreement"],
                "item_order": [1, 2],
            }
            | lineage("survey/codebook.xlsx", "items", 2)
        ),
        "raw.survey_responses": pl.DataFrame(
            {
                "response_id": ["r1", "r2"],
                "submitted_at": ["2024-05-01T10:00", "2024-05-01T11:00"],
                "cohort": [1, 1],
            }
            | lineage("survey/s.csv", None, 2),
            schema_overrides={"source_sheet": pl.String},
        ),
        "raw.survey_answers": pl.DataFrame(
            {
                "response_id": ["r1", "r1", "r2", "r2"],
                "item_id": ["s1", "c1", "s1", "c1"],
                "answer": ["More confident", "Agree", "N/A", None],
                "source_file": ["survey/s.csv"] * 4,
                "source_sheet": [None] * 4,
                "source_row": [2, 2, 3, 3],
            },
            schema_overrides={"source_sheet": pl.String, "answer": pl.String},
        ),
        "marts.fct_success_markers": pl.DataFrame(
            {
                "participant_key": ["p1"] * 3,
                "cohort": [1] * 3,
                "domain": ["resilience"] * 3,
                "outcome_no": [1] * 3,
                "level": ["realistic", "ambitious", "very_ambitious"],
            }
            | markers_file
        ),
        "marts.fct_survey_answers": pl.DataFrame(
            {
                "response_id": ["r1", "r1", "r2", "r2"],
                "cohort": [1] * 4,
                "item_id": ["s1", "c1", "s1", "c1"],
            }
        ),
        "marts.mart_domain_rates": pl.DataFrame(
            {
                "cohort": ["1", "all"],
                "cohort_number": [1, None],
                "domain": ["resilience"] * 2,
                "participants": [2, 2],
                "achieved_n": [1, 1],
                "achieved_rate": [0.5, 0.5],
            }
        ),
        "marts.mart_survey_item_rates": pl.DataFrame(
            {"item_id": ["s1", "c1"], "valid_n": [1, 1], "top2_n": [1, 1], "top2_rate": [1.0, 1.0]}
        ),
        "marts.mart_survey_section_rates": pl.DataFrame(
            {
                "section": ["security", "connection"],
                "valid_n": [1, 1],
                "top2_n": [1, 1],
                "mean_top2_rate": [1.0, 1.0],
                "pooled_top2_rate": [1.0, 1.0],
            }
        ),
    }


def set_value(tables, table, column, row, value):
    frame = tables[table]
    values = frame[column].to_list()
    values[row] = value
    tables[table] = frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


@pytest.fixture(scope="module")
def validate(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("gx")

    def run(suite: str, tables: dict[str, pl.DataFrame], context=CONTEXT):
        def read(table: str) -> pl.DataFrame:
            return tables[table]

        frame = frames.PREPARERS[suite](read, context)
        return gx_runner.validate(
            suite, frame, suite_parameters(LABELS, read), workspace / "context", workspace / "site"
        )

    return run


@pytest.mark.parametrize("suite", suite_names())
def test_a_valid_programme_passes_every_suite(validate, suite):
    result = validate(suite, valid_tables())
    assert result.failures == [], result.failures
    assert result.evaluated >= 2


# suite, break (table, column, row index, value), failing expectation, severity, problem text
BROKEN = {
    "unknown participant type": (
        "raw_participants",
        ("raw.participants", "participant_type", 1, "Person"),
        "expect_column_values_to_be_in_set(participant_type__key)",
        ERROR,
        "participants.xlsx, sheet 'participants', row 3, column 'participant_type': "
        "unknown participant type 'Person'",
    ),
    "participant listed twice": (
        "raw_participants",
        ("raw.participants", "participant_key", 1, "p1"),
        "expect_column_values_to_be_unique(participant_key)",
        ERROR,
        "row 3, column 'participant_id': participant is listed more than once",
    ),
    "participant not in roster": (
        "raw_success_markers",
        ("raw.success_markers", "participant_key", 0, "p9"),
        "expect_column_values_to_be_in_set(in_roster)",
        ERROR,
        "success_markers/c1.xlsx, sheet 'markers', row 2, column 'participant_id': "
        "participant is not in the roster",
    ),
    "unknown domain": (
        "raw_success_markers",
        ("raw.success_markers", "domain", 2, "Sports"),
        "expect_column_values_to_be_in_set(domain__key)",
        ERROR,
        "row 4, column 'domain': unknown domain 'Sports'",
    ),
    "unknown level": (
        "raw_success_markers",
        ("raw.success_markers", "level", 0, "Easy"),
        "expect_column_values_to_be_in_set(level__key)",
        ERROR,
        "row 2, column 'level': unknown level 'Easy'",
    ),
    "unknown mid-point status": (
        "raw_success_markers",
        ("raw.success_markers", "midpoint_status", 1, "Nearly"),
        "expect_column_values_to_be_in_set(midpoint_status__key)",
        ERROR,
        "row 3, column 'midpoint_status': unknown status 'Nearly'",
    ),
    "unknown final status": (
        "raw_success_markers",
        ("raw.success_markers", "final_status", 0, "Done"),
        "expect_column_values_to_be_in_set(final_status__key)",
        ERROR,
        "row 2, column 'final_status': unknown status 'Done'",
    ),
    "repeated level": (
        "raw_success_markers",
        ("raw.success_markers", "level", 2, "AMBITIOUS"),
        "expect_column_values_to_be_between(level_repeats)",
        ERROR,
        "row 4, column 'level': level 'AMBITIOUS' is repeated for outcome 1",
    ),
    "missing level": (
        "raw_success_markers",
        ("raw.success_markers", "outcome_no", 2, 2),
        "expect_column_values_to_be_between(levels_in_outcome)",
        ERROR,
        "row 4, column 'level': outcome 2 in domain 'Psychosocial Resilience' has no 'Realistic' "
        "and no 'Ambitious' marker",
    ),
    "unanticipated: not in roster": (
        "raw_unanticipated_outcomes",
        ("raw.unanticipated_outcomes", "participant_key", 0, "p9"),
        "expect_column_values_to_be_in_set(in_roster)",
        ERROR,
        "sheet 'unanticipated', row 2, column 'participant_id'",
    ),
    "unanticipated: unknown review": (
        "raw_unanticipated_outcomes",
        ("raw.unanticipated_outcomes", "review", 0, "annual"),
        "expect_column_values_to_be_in_set(review__key)",
        ERROR,
        "row 2, column 'review': unknown review 'annual'",
    ),
    "codebook: repeated item": (
        "raw_survey_codebook",
        ("raw.survey_codebook", "item_id", 1, "s1"),
        "expect_column_values_to_be_unique(item_id)",
        ERROR,
        "row 3, column 'item_id': item_id 's1' is repeated",
    ),
    "codebook: unknown section": (
        "raw_survey_codebook",
        ("raw.survey_codebook", "section", 0, "wellbeing"),
        "expect_column_values_to_be_in_set(section__key)",
        ERROR,
        "row 2, column 'section': unknown section 'wellbeing'",
    ),
    "codebook: unknown scale": (
        "raw_survey_codebook",
        ("raw.survey_codebook", "scale", 1, "frequency"),
        "expect_column_values_to_be_in_set(scale__key)",
        ERROR,
        "row 3, column 'scale': unknown scale 'frequency'",
    ),
    "duplicate response id": (
        "raw_survey_responses",
        ("raw.survey_responses", "response_id", 1, "r1"),
        "expect_column_values_to_be_unique(response_id)",
        WARNING,
        "survey/s.csv, row 3, column 'response_id': response_id 'r1' was submitted more "
        "than once; the latest submission is kept",
    ),
    "survey cohort not in roster": (
        "raw_survey_responses",
        ("raw.survey_responses", "cohort", 0, 5),
        "expect_column_values_to_be_in_set(cohort_in_roster)",
        ERROR,
        "survey/s.csv, row 2, column 'cohort': cohort 5 is not in the roster",
    ),
    "unknown answer": (
        "raw_survey_answers",
        ("raw.survey_answers", "answer", 1, "Maybe"),
        "expect_column_values_to_be_in_set(answer__key)",
        ERROR,
        "survey/s.csv, row 2, column 'c1': unknown answer 'Maybe' for a agreement item",
    ),
    "answer of the other scale": (
        "raw_survey_answers",
        ("raw.survey_answers", "answer", 0, "Agree"),
        "expect_column_values_to_be_in_set(answer_fits_scale)",
        ERROR,
        "row 2, column 's1': answer 'Agree' belongs to the other scale",
    ),
    "rate above 100%": (
        "mart_domain_rates",
        ("marts.mart_domain_rates", "achieved_rate", 0, 1.5),
        "expect_column_values_to_be_between(achieved_rate)",
        ERROR,
        "rate outside 0-100% for cohort 1",
    ),
    "numerator above denominator": (
        "mart_domain_rates",
        ("marts.mart_domain_rates", "achieved_n", 0, 3),
        "expect_column_pair_values_a_to_be_greater_than_b(participants)",
        ERROR,
        "achieved_n 3 is above participants 2 for cohort 1",
    ),
    "all row is not the sum of cohorts": (
        "mart_domain_rates",
        ("marts.mart_domain_rates", "achieved_n", 1, 2),
        "expect_column_pair_values_to_be_equal(achieved_n)",
        ERROR,
        "the 'all' row has achieved_n 2 for resilience, but the cohort rows add up to 1",
    ),
    "item numerator above denominator": (
        "mart_survey_item_rates",
        ("marts.mart_survey_item_rates", "top2_n", 0, 2),
        "expect_column_pair_values_a_to_be_greater_than_b(valid_n)",
        ERROR,
        "item s1: top2_n 2 is above valid_n 1",
    ),
    "item rate above 100%": (
        "mart_survey_item_rates",
        ("marts.mart_survey_item_rates", "top2_rate", 1, 2.0),
        "expect_column_values_to_be_between(top2_rate)",
        ERROR,
        "item c1: rate outside 0-100%",
    ),
    "section rate above 100%": (
        "mart_survey_section_rates",
        ("marts.mart_survey_section_rates", "mean_top2_rate", 0, 1.2),
        "expect_column_values_to_be_between(mean_top2_rate)",
        ERROR,
        "section security: mean rate outside 0-100%",
    ),
    "a participant in two cohorts": (
        "fct_success_markers",
        ("marts.fct_success_markers", "cohort", 0, 2),
        "expect_column_values_to_be_between(cohorts_of_participant)",
        ERROR,
        "a participant's markers fall in 2 cohorts",
    ),
    "a response missing an item": (
        "fct_survey_answers",
        ("marts.fct_survey_answers", "response_id", 3, "r3"),
        "expect_column_values_to_be_between(items_of_response)",
        ERROR,
        "response 'r3' has 1 items",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_rule_fails_its_own_expectation_with_the_offending_rows(validate, case):
    suite, (table, column, row, value), expectation, severity, problem = BROKEN[case]
    tables = valid_tables()
    set_value(tables, table, column, row, value)
    result = validate(suite, tables)
    failed = {failure.expectation: failure for failure in result.failures}
    assert expectation in failed, list(failed)
    assert failed[expectation].severity == severity
    assert any(problem in str(p) for p in failed[expectation].problems), [
        str(p) for p in failed[expectation].problems
    ]
    assert result.passed == (severity == WARNING)


def test_counts_are_checked_against_the_programme_settings(validate):
    stated_otherwise = replace(
        CONTEXT, programme=ProgrammeSettings(cohort_sizes={1: 3}, survey_respondents={1: 5})
    )
    roster = validate("raw_participants", valid_tables(), stated_otherwise)
    assert [f.expectation for f in roster.failures] == [
        "expect_column_pair_values_to_be_equal(cohort_size)"
    ]
    assert "cohort 1 has 2 participants on the roster, but the programme settings say 3" in str(
        roster.problems()[0]
    )
    assert not roster.passed  # a wrong denominator blocks
    survey = validate("raw_survey_responses", valid_tables(), stated_otherwise)
    assert [f.severity for f in survey.failures] == [WARNING]  # a late respondent does not
    assert survey.passed


def test_without_programme_settings_the_count_checks_are_skipped(validate):
    unstated = replace(CONTEXT, programme=ProgrammeSettings())
    assert validate("raw_participants", valid_tables(), unstated).failures == []


def test_integers_reach_gx_as_int64_so_its_range_checks_are_vectorised():
    frame = pl.DataFrame(
        {
            "cohort": pl.Series([1, 2], dtype=pl.Int32),
            "achieved_n": pl.Series([3, 4], dtype=pl.UInt32),
            "participants": pl.Series([5, None], dtype=pl.Int16),
        }
    )
    copy = gx_runner.for_pandas_engine(frame)
    # GX's `expect_column_values_to_be_between` tests `dtype in [int, float]`.
    assert all(dtype in [int, float] for dtype in copy.dtypes)
    assert copy["cohort"].tolist() == [1, 2] and copy["participants"].isna().tolist() == [0, 1]
