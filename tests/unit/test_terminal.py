"""What `idream run` prints when a run fails: problems grouped by rule, errors first, a
few locations per rule and the count of the rest; and the raw value read back where the
warehouse holds only a pseudonym."""

from orchestration.lib.errors import Problem
from orchestration.terminal import (
    SHOWN_PER_RULE,
    RuleFailure,
    StepLines,
    render_failures,
    step_label,
    step_line,
)


def _problem(row: int, column: str = "cohort") -> Problem:
    return Problem(file="participants.xlsx", sheet="roster", row=row, column=column, message="bad")


def test_a_rule_failing_on_many_rows_is_one_heading_with_its_count_and_a_few_rows():
    failure = RuleFailure(
        check="gx_raw_participants",
        table="raw/participants",
        severity="error",
        rule="cohort sizes as programme.toml states them",
        count=12,
        problems=[_problem(row) for row in range(2, 14)],
    )
    text = render_failures([failure], [], "/w/quality/index.html")
    assert text.count("cohort sizes as programme.toml states them") == 1
    assert "12 row(s)" in text
    assert text.count("participants.xlsx, sheet 'roster'") == SHOWN_PER_RULE
    assert f"... and {12 - SHOWN_PER_RULE} more, listed in /w/quality/index.html" in text


def test_errors_come_before_warnings_and_failed_steps_count_as_errors():
    warning = RuleFailure(
        "gx_raw_survey_responses",
        "raw/survey_responses",
        "warning",
        "response ids unique",
        2,
        [_problem(6)],
    )
    error = RuleFailure(
        "gx_raw_success_markers",
        "raw/success_markers",
        "error",
        "statuses from the label dictionary",
        1,
        [_problem(9, "final_status")],
    )
    text = render_failures([warning, error], ["step raw_survey failed: survey.csv: ..."], None)
    assert text.index("statuses from the label dictionary") < text.index("response ids unique")
    assert text.index("step raw_survey failed") < text.index("Warnings")
    assert text.startswith("Errors:")


def test_a_read_back_value_is_shown_only_for_rules_that_ask_for_it():
    unknown = RuleFailure(
        "gx_raw_success_markers",
        "raw/success_markers",
        "error",
        "participant ids found in the roster",
        1,
        [_problem(5, "participant_id")],
        read_back=True,
    )
    other = RuleFailure("gx_raw_participants", "raw/participants", "error", "x", 1, [_problem(3)])
    text = render_failures([unknown, other], [], None, read_back=lambda problem: "A-99")
    assert text.count("(the file says 'A-99')") == 1
    assert "row 5, column 'participant_id': bad (the file says 'A-99')" in text


def test_steps_are_named_in_words():
    assert step_label("raw_survey") == "raw_survey"
    assert step_label("quality_checks_survey") == "check the survey (Great Expectations)"
    assert step_label("idream_dbt_models").startswith("dbt build")


def _printed(*messages: str) -> str:
    """What the step lines print for these error logs of a run, as Dagster sends them."""
    import io
    import logging

    from rich.console import Console

    out = io.StringIO()
    lines = StepLines(Console(file=out, width=200))
    for message in messages:
        record = logging.LogRecord("dagster", logging.ERROR, "", 0, message, None, None)
        record.dagster_meta = {"orig_message": message}
        lines.emit(record)
    return out.getvalue()


def test_a_step_dagster_does_not_run_after_a_failure_is_one_line_without_dagster_s_list():
    printed = _printed(
        "Dependencies for step quality__report failed: ['quality_checks_marts', "
        "'quality_checks_marts']. Not executing.",
        "Dependencies for step publish__evidence_brief failed: ['quality_checks_marts'] were "
        "not executed: ['quality__report']. Not executing.",
        "something else went wrong",
    )
    assert printed.splitlines() == [
        step_line("quality__report", "not run", None),
        step_line("publish__evidence_brief", "not run", None),
        "  error: something else went wrong",
    ]
