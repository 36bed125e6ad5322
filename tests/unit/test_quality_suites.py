"""Every expectation that encodes a contract rule, broken on its own in a small frame:
the right suite fails, on the right expectation, naming the right rows and values.
(End to end, with Dagster blocking the publish step, in tests/e2e/test_bad_input.py.)"""

import re
from dataclasses import replace

import polars as pl
import pytest

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import frames, relations, runner
from orchestration.lib.quality.parameters import suite_parameters
from orchestration.lib.quality.results import ERROR, WARNING
from orchestration.lib.quality.suites import suite_names
from tests.duckdb_tables import duckdb_with

# IDREAM's definition (no definition in programme.toml), with the counts it states.
CONTEXT = frames.FrameContext(
    programme=ProgrammeSettings(cohort_sizes={1: 2}, survey_respondents={1: 2}),
)


def lineage(file: str, sheet: str | None, rows: int) -> dict:
    return {
        "source_file": [file] * rows,
        "source_sheet": [sheet] * rows,
        "source_row": list(range(2, rows + 2)),
    }


LEVEL_PATTERNS_SCHEMA = {
    "cohort": pl.String,
    "cohort_number": pl.Int64,
    "domain": pl.String,
    "highest_level": pl.String,
    "highest_level_order": pl.Int64,
    "achieved_levels": pl.String,
    "missed_levels": pl.String,
    "participants_n": pl.Int64,
}


def valid_tables() -> dict[str, pl.DataFrame]:
    """A two-participant programme that passes every suite: raw tables hold the codes
    ingest mapped the labels to."""
    markers_file = lineage("success_markers/c1.xlsx", "markers", 3)
    marker = {
        "participant_key": ["p1"] * 3,
        "domain": ["resilience"] * 3,
        "outcome_no": [1, 1, 1],
        "level": ["realistic", "ambitious", "very_ambitious"],
    }
    return {
        "raw.participants": pl.DataFrame(
            {
                "participant_key": ["p1", "p2"],
                "cohort": [1, 1],
                "participant_type": ["individual", "organization"],
            }
            | lineage("participants.xlsx", "participants", 2)
        ),
        "raw.success_markers": pl.DataFrame(marker | markers_file),
        "raw.success_marker_statuses": pl.DataFrame(
            {
                "participant_key": ["p1"] * 3,
                "domain": ["resilience"] * 3,
                "outcome_no": [1, 1, 1],
                "level": ["realistic", "ambitious", "very_ambitious"],
                "review": ["midpoint", "final", "midpoint"],
                "status": ["achieved", "partially_achieved", "not_achieved"],
                "source_file": ["success_markers/c1.xlsx"] * 3,
                "source_sheet": ["markers"] * 3,
                "source_row": [2, 3, 4],
            }
        ),
        "raw.unanticipated_outcomes": pl.DataFrame(
            {"participant_key": ["p2"], "domain": [None], "review": ["final"]}
            | lineage("success_markers/c1.xlsx", "unanticipated", 1),
            schema_overrides={"domain": pl.String},
        ),
        "raw.survey_codebook": pl.DataFrame(
            {
                "item_id": ["s1", "c1"],
                "section": ["security", "connection"],
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
                "answer": ["more_confident", "agree", "not_applicable", None],
                "source_file": ["survey/s.csv"] * 4,
                "source_sheet": [None] * 4,
                "source_row": [2, 2, 3, 3],
            },
            schema_overrides={"source_sheet": pl.String, "answer": pl.String},
        ),
        "raw.survey_exclusions": pl.DataFrame(
            {"source_file": ["survey/s.csv"], "source_sheet": [None], "excluded_by_review": [0]},
            schema_overrides={"source_sheet": pl.String},
        ),
        "marts.fct_success_markers": pl.DataFrame(
            {
                "participant_key": ["p1"] * 3,
                "cohort": [1] * 3,
                "participant_type": ["individual"] * 3,
                "domain": ["resilience"] * 3,
                "outcome_no": [1] * 3,
                "level": ["realistic", "ambitious", "very_ambitious"],
                "level_order": [1, 2, 3],
                "is_achieved": [True, False, False],
                "first_achieved_review": ["midpoint", None, None],
                "first_achieved_review_order": [1, None, None],
            }
            | markers_file,
            schema_overrides={"first_achieved_review_order": pl.Int64},
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
            {
                "item_id": ["s1", "c1"],
                "responses": [2, 2],
                "valid_n": [1, 1],
                "top_box_n": [1, 1],
                "top_box_rate": [1.0, 1.0],
                "excluded_n": [1, 0],
                "skipped_n": [0, 1],
            }
        ),
        # Levels nested in every domain: no pattern to list.
        "marts.mart_marker_level_patterns": pl.DataFrame(schema=LEVEL_PATTERNS_SCHEMA),
        "marts.mart_survey_section_rates": pl.DataFrame(
            {
                "section": ["security", "connection"],
                "valid_n": [1, 1],
                "top_box_n": [1, 1],
                "mean_top_box_rate": [1.0, 1.0],
                "pooled_top_box_rate": [1.0, 1.0],
            }
        ),
    }


def set_value(tables, table, column, row, value):
    frame = tables[table]
    values = frame[column].to_list()
    values[row] = value
    tables[table] = frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


@pytest.fixture(scope="module")
def validate():
    """The suite's rules as SQL, on the tables held in memory (as `idream check` runs them)."""

    def run(suite: str, tables: dict[str, pl.DataFrame], context=CONTEXT):
        def read(table: str) -> pl.DataFrame:
            return tables[table]

        with duckdb_with(tables) as connection:
            [(_, result, _)] = runner.validate_on(connection, [suite], context.programme, read=read)
        return result

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
        ("raw.participants", "participant_type", 1, "person"),
        "expect_column_values_to_be_in_set(participant_type)",
        ERROR,
        "participants.xlsx, sheet 'participants', row 3, column 'participant_type': "
        "unknown participant type 'person'; expected individual or organization",
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
        ("raw.success_markers", "domain", 2, "sports"),
        "expect_column_values_to_be_in_set(domain)",
        ERROR,
        "row 4, column 'domain': unknown domain 'sports'; "
        "expected Resilience, Advocacy or Integrated Security",
    ),
    "unknown level": (
        "raw_success_markers",
        ("raw.success_markers", "level", 0, "easy"),
        "expect_column_values_to_be_in_set(level)",
        ERROR,
        "row 2, column 'level': unknown level 'easy'; "
        "expected Realistic, Ambitious or Very ambitious",
    ),
    "repeated level": (
        "raw_success_markers",
        ("raw.success_markers", "level", 2, "ambitious"),
        "expect_column_values_to_be_between(level_repeats)",
        ERROR,
        "row 4, column 'level': level 'Ambitious' is repeated for outcome 1 in domain 'Resilience'",
    ),
    "missing level": (
        "raw_success_markers",
        ("raw.success_markers", "outcome_no", 2, 2),
        "expect_column_values_to_be_between(levels_in_outcome)",
        ERROR,
        "row 4, column 'level': outcome 2 in domain 'Resilience' has no 'Realistic' "
        "and no 'Ambitious' marker",
    ),
    "cohort with no markers": (
        "raw_success_markers",
        ("raw.participants", "cohort", 1, 2),
        "expect_column_values_to_be_between(markers_in_cohort)",
        ERROR,
        "participants.xlsx, sheet 'participants', row 3, column 'cohort': "
        "cohort 2 has no success markers",
    ),
    "unknown status": (
        "raw_success_marker_statuses",
        ("raw.success_marker_statuses", "status", 1, "nearly"),
        "expect_column_values_to_be_in_set(status)",
        ERROR,
        "success_markers/c1.xlsx, sheet 'markers', row 3, column 'final_status': "
        "unknown status 'nearly'; expected Achieved, Partially achieved or Not achieved, "
        "or blank",
    ),
    "status of an unknown review": (
        "raw_success_marker_statuses",
        ("raw.success_marker_statuses", "review", 0, "annual"),
        "expect_column_values_to_be_in_set(review)",
        ERROR,
        "row 2, column 'annual_status': a status for review 'annual', which the programme "
        "does not define; expected a status column for midpoint or final",
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
        "expect_column_values_to_be_in_set(review)",
        ERROR,
        "row 2, column 'review': unknown review 'annual'; expected midpoint or final",
    ),
    "unanticipated: blank review": (
        "raw_unanticipated_outcomes",
        ("raw.unanticipated_outcomes", "review", 0, None),
        "expect_column_values_to_not_be_null(review)",
        ERROR,
        "row 2, column 'review': review is blank; expected midpoint or final",
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
        "expect_column_values_to_be_in_set(section)",
        ERROR,
        "row 2, column 'section': unknown section 'wellbeing'; "
        "expected Security, Advocacy or Connection",
    ),
    "codebook: unknown scale": (
        "raw_survey_codebook",
        ("raw.survey_codebook", "scale", 1, "frequency"),
        "expect_column_values_to_be_in_set(scale)",
        ERROR,
        "row 3, column 'scale': unknown scale 'frequency'; expected confidence or agreement",
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
        ("raw.survey_answers", "answer", 1, "maybe"),
        "expect_column_values_to_be_in_set(answer)",
        ERROR,
        "survey/s.csv, row 2, column 'c1': unknown answer 'maybe' to an item on the agreement "
        "scale; expected Strongly disagree, Disagree, Neither agree nor disagree, Agree, "
        "Strongly agree, Not applicable or Don't know, or blank",
    ),
    "answer of the other scale": (
        "raw_survey_answers",
        ("raw.survey_answers", "answer", 0, "agree"),
        "expect_column_values_to_be_in_set(answer_fits_scale)",
        ERROR,
        "row 2, column 's1': answer 'Agree' is not on the confidence scale of this item; "
        "expected Much less confident, ",
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
        ("marts.mart_survey_item_rates", "top_box_n", 0, 2),
        "expect_column_pair_values_a_to_be_greater_than_b(valid_n)",
        ERROR,
        "item s1: top_box_n 2 is above valid_n 1",
    ),
    "item rate above 100%": (
        "mart_survey_item_rates",
        ("marts.mart_survey_item_rates", "top_box_rate", 1, 2.0),
        "expect_column_values_to_be_between(top_box_rate)",
        ERROR,
        "item c1: rate outside 0-100%",
    ),
    "item answers do not add up to the responses": (
        "mart_survey_item_rates",
        ("marts.mart_survey_item_rates", "skipped_n", 0, 1),
        "expect_column_pair_values_to_be_equal(answers_n)",
        ERROR,
        "item s1: valid, excluded and skipped answers add up to 3, but there are 2 responses",
    ),
    "section rate above 100%": (
        "mart_survey_section_rates",
        ("marts.mart_survey_section_rates", "mean_top_box_rate", 0, 1.2),
        "expect_column_values_to_be_between(mean_top_box_rate)",
        ERROR,
        "section security: mean rate outside 0-100%",
    ),
    "section numerator above denominator": (
        "mart_survey_section_rates",
        ("marts.mart_survey_section_rates", "top_box_n", 1, 2),
        "expect_column_pair_values_a_to_be_greater_than_b(valid_n)",
        ERROR,
        "section connection: top_box_n 2 is above valid_n 1",
    ),
    "a participant in two cohorts": (
        "fct_success_markers",
        ("marts.fct_success_markers", "cohort", 0, 2),
        "expect_column_values_to_be_between(cohorts_of_participant)",
        ERROR,
        "a participant's markers fall in 2 cohorts",
    ),
    "a marker level lost in the mart": (
        "fct_success_markers",
        ("marts.fct_success_markers", "level", 2, "ambitious"),
        "expect_column_values_to_be_between(levels_in_outcome)",
        ERROR,
        "outcome 1 in domain 'resilience' has 2 distinct levels; expected one of each: "
        "Realistic, Ambitious or Very ambitious",
    ),
    "achieved without an achieving review": (
        "fct_success_markers",
        ("marts.fct_success_markers", "is_achieved", 1, True),
        "expect_column_values_to_be_in_set(achieved_at_a_review)",
        ERROR,
        "success_markers/c1.xlsx, sheet 'markers', row 3, column 'is_achieved': "
        "is_achieved is True, first_achieved_review is '': a marker is achieved exactly "
        "when a review recorded an achieved status",
    ),
    "submissions turned down by a reviewer": (
        "raw_survey_exclusions",
        ("raw.survey_exclusions", "excluded_by_review", 0, 3),
        "expect_column_values_to_be_between(excluded_by_review)",
        WARNING,
        "survey/s.csv: 3 submission(s) left out: a reviewer turned them down",
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


# A programme shaped nothing like IDREAM: four domains, two levels, three reviews, its own
# statuses, a 4-point and a 3-point scale.
ELSEWHERE = ProgrammeSettings.from_toml(
    {
        "domains": [
            {"id": "livelihoods", "label": "Livelihoods"},
            {"id": "voice", "label": "Voice"},
            {"id": "safety", "label": "Safety"},
            {"id": "networks", "label": "Networks"},
        ],
        "markers": {
            "levels": ["Basic", "Stretch"],
            "reviews": ["baseline", "midline", "endline"],
            "achieved": ["Met"],
            "not_achieved": ["Not met"],
        },
        "survey": {
            "excluded": ["Prefer not to say"],
            "scales": [
                {
                    "id": "agreement",
                    "categories": ["Disagree", "Somewhat disagree", "Somewhat agree", "Agree"],
                    "top": 2,
                },
                {"id": "frequency", "categories": ["Never", "Sometimes", "Often"], "top": 1},
            ],
            "sections": [{"id": "income", "label": "Income", "phrase": "income tasks"}],
        },
    },
    "elsewhere",
)


def elsewhere_tables() -> dict[str, pl.DataFrame]:
    """Outcome 1 of p1 has both levels; each test adds its own mistake."""
    markers = {
        "participant_key": ["p1", "p1"],
        "domain": ["livelihoods", "livelihoods"],
        "outcome_no": [1, 1],
        "level": ["basic", "stretch"],
    }
    return {
        "raw.participants": pl.DataFrame(
            {"participant_key": ["p1"], "cohort": [1], "participant_type": ["individual"]}
            | lineage("participants.xlsx", "participants", 1)
        ),
        "raw.success_markers": pl.DataFrame(
            markers | lineage("success_markers/c1.xlsx", "markers", 2)
        ),
        "raw.success_marker_statuses": pl.DataFrame(
            markers
            | {"review": ["baseline", "endline"], "status": ["not_met", "met"]}
            | lineage("success_markers/c1.xlsx", "markers", 2)
        ),
        "raw.survey_codebook": pl.DataFrame(
            {
                "item_id": ["a1", "f1"],
                "section": ["income", "income"],
                "statement": ["A", "F"],
                "scale": ["agreement", "frequency"],
                "item_order": [1, 2],
            }
            | lineage("survey/codebook.xlsx", "items", 2)
        ),
        "raw.survey_answers": pl.DataFrame(
            {
                "response_id": ["r1", "r1"],
                "item_id": ["a1", "f1"],
                "answer": ["somewhat_agree", "prefer_not_to_say"],
            }
            | lineage("survey/export.csv", None, 2)
            | {"source_row": [2, 2]},
            schema_overrides={"source_sheet": pl.String},
        ),
    }


def append_row(tables, table, **values):
    frame = tables[table]
    row = {column: [values.get(column, frame[column][-1])] for column in frame.columns}
    tables[table] = pl.concat([frame, pl.DataFrame(row, schema=frame.schema)])


def test_another_programme_passes_with_its_own_levels_reviews_and_answers(validate):
    context = frames.FrameContext(ELSEWHERE)
    for suite in [
        "raw_success_markers",
        "raw_success_marker_statuses",
        "raw_survey_codebook",
        "raw_survey_answers",
    ]:
        assert validate(suite, elsewhere_tables(), context).failures == [], suite


def test_a_missing_level_is_named_with_the_definitions_levels(validate):
    # A two-level programme: IDREAM's count of three must not be assumed anywhere.
    tables = elsewhere_tables()
    append_row(tables, "raw.success_markers", outcome_no=2, level="basic", source_row=4)
    result = validate("raw_success_markers", tables, frames.FrameContext(ELSEWHERE))
    assert [f.expectation for f in result.failures] == [
        "expect_column_values_to_be_between(levels_in_outcome)"
    ]
    assert [str(p) for p in result.problems()] == [
        "success_markers/c1.xlsx, sheet 'markers', row 4, column 'level': outcome 2 in domain "
        "'Livelihoods' has no 'Stretch' marker; each outcome has one marker per level "
        "(Basic or Stretch)"
    ]


def test_a_status_for_a_review_the_programme_does_not_have(validate):
    tables = elsewhere_tables()
    append_row(tables, "raw.success_marker_statuses", review="final", status="met", source_row=3)
    result = validate("raw_success_marker_statuses", tables, frames.FrameContext(ELSEWHERE))
    assert [str(p) for p in result.problems()] == [
        "success_markers/c1.xlsx, sheet 'markers', row 3, column 'final_status': a status "
        "for review 'final', which the programme does not define; expected a status column "
        "for baseline, midline or endline"
    ]


def test_messages_name_the_definitions_labels_not_idreams(validate):
    context = frames.FrameContext(ELSEWHERE)
    tables = elsewhere_tables()
    set_value(tables, "raw.success_markers", "domain", 1, "resilience")
    set_value(tables, "raw.success_marker_statuses", "status", 0, "achieved")
    set_value(tables, "raw.survey_answers", "answer", 1, "agree")
    problems = {
        suite: [str(p) for p in validate(suite, tables, context).problems()]
        for suite in ["raw_success_markers", "raw_success_marker_statuses", "raw_survey_answers"]
    }
    assert (
        "success_markers/c1.xlsx, sheet 'markers', row 3, column 'domain': unknown domain "
        "'resilience'; expected Livelihoods, Voice, Safety or Networks"
    ) in problems["raw_success_markers"]
    assert problems["raw_success_marker_statuses"] == [
        "success_markers/c1.xlsx, sheet 'markers', row 2, column 'baseline_status': unknown "
        "status 'achieved'; expected Met or Not met, or blank"
    ]
    # `agree` is an answer of the programme, but of the agreement scale.
    assert problems["raw_survey_answers"] == [
        "survey/export.csv, row 2, column 'f1': answer 'Agree' is not on the frequency scale "
        "of this item; expected Never, Sometimes, Often or Prefer not to say, or blank"
    ]


def test_each_cohort_without_markers_is_named_once_on_its_first_roster_row(validate):
    tables = valid_tables()
    tables["raw.participants"] = pl.DataFrame(
        {
            "participant_key": ["p1", "p2", "p3", "p4", "p5"],
            "cohort": [1, 2, 2, 1, 3],
            "participant_type": ["individual"] * 5,
        }
        | lineage("participants.xlsx", "participants", 5)
    )
    result = validate("raw_success_markers", tables)
    assert [f.expectation for f in result.failures] == [
        "expect_column_values_to_be_between(markers_in_cohort)"
    ]
    assert not result.passed  # a missing workbook blocks the run
    assert [str(p) for p in result.problems()] == [
        f"participants.xlsx, sheet 'participants', row {row}, column 'cohort': cohort {cohort} "
        "has no success markers; every cohort of the roster has at least one (is its "
        "workbook missing from success_markers/?)"
        for row, cohort in [(3, 2), (6, 3)]
    ]


def test_raw_suites_read_nothing_but_raw_tables():
    # `idream check` validates tables that ingest read but never landed: no mart, no
    # seed, no reference table may be needed, by the parameters or by a suite's query.
    tables = valid_tables()
    asked: set[str] = set()

    def read(table: str) -> pl.DataFrame:
        asked.add(table)
        return tables[table]

    suite_parameters(CONTEXT.definition, read)
    for suite in suite_names():
        if suite.startswith("raw_"):
            sql = relations.RELATIONS[suite](CONTEXT.programme).sql
            asked.update(re.findall(r"\b(?:from|join)\s+([a-z_]+\.[a-z_]+)", sql))
    assert asked and all(table.startswith("raw.") for table in asked), asked
    assert "raw.participants" in asked  # the pattern does find the tables a query reads


def test_every_suite_has_its_query_and_every_query_a_suite():
    assert sorted(relations.RELATIONS) == suite_names()


def level_patterns(*rows: tuple) -> pl.DataFrame:
    """mart_marker_level_patterns' rows: (cohort, domain, highest level and its order,
    achieved levels, missed levels, participants)."""
    return pl.DataFrame(
        [(str(row[0]), *row) for row in rows], schema=LEVEL_PATTERNS_SCHEMA, orient="row"
    )


def test_non_nested_levels_are_a_warning_by_cohort_and_domain_with_counts_only(validate):
    # Levels are not nested (the contract counts the highest); a reviewer is told where
    # participants skipped a lower level, how many and how, and never who.
    tables = valid_tables()
    tables["marts.mart_marker_level_patterns"] = level_patterns(
        (2, "advocacy", "very_ambitious", 3, "realistic, very_ambitious", "ambitious", 1),
        (1, "advocacy", "ambitious", 2, "ambitious", "realistic", 3),
        (1, "advocacy", "very_ambitious", 3, "very_ambitious", "realistic, ambitious", 2),
        (1, "resilience", "very_ambitious", 3, "ambitious, very_ambitious", "realistic", 1),
    )
    result = validate("mart_marker_level_patterns", tables)
    assert result.passed
    assert [(f.expectation, f.severity, f.unexpected_count) for f in result.failures] == [
        ("expect_column_values_to_be_between(participants_n)", WARNING, 3)
    ]
    assert [str(p) for p in result.problems()] == [
        "marts.mart_marker_level_patterns: cohort 1, Resilience: 1 participant(s) achieved a "
        "higher level but not a lower one (1 achieved 'Ambitious' and 'Very ambitious', not "
        "'Realistic'); levels are not nested, so each is counted at their highest level",
        "marts.mart_marker_level_patterns: cohort 1, Advocacy: 5 participant(s) achieved a "
        "higher level but not a lower one (3 achieved 'Ambitious', not 'Realistic'; "
        "2 achieved 'Very ambitious', not 'Realistic' and 'Ambitious'); levels are not "
        "nested, so each is counted at their highest level",
        "marts.mart_marker_level_patterns: cohort 2, Advocacy: 1 participant(s) achieved a "
        "higher level but not a lower one (1 achieved 'Realistic' and 'Very ambitious', not "
        "'Ambitious'); levels are not nested, so each is counted at their highest level",
    ]


def test_level_patterns_are_named_with_the_definitions_levels(validate):
    tables = {
        "raw.survey_codebook": elsewhere_tables()["raw.survey_codebook"],
        "marts.mart_marker_level_patterns": level_patterns(
            (3, "networks", "stretch", 2, "stretch", "basic", 4)
        ),
    }
    result = validate("mart_marker_level_patterns", tables, frames.FrameContext(ELSEWHERE))
    assert [str(p) for p in result.problems()] == [
        "marts.mart_marker_level_patterns: cohort 3, Networks: 4 participant(s) achieved a "
        "higher level but not a lower one (4 achieved 'Stretch', not 'Basic'); levels are "
        "not nested, so each is counted at their highest level"
    ]
