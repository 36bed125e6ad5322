"""What `idream run` shows a person: one line per step with its time while the run goes on,
and, when it fails, the located problems grouped by rule. Everything else Dagster and dbt
say goes to the run's log file (and to the terminal with --verbose).

The rendering functions are pure; `StepLines` is the logging handler that draws the steps.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestration.lib.errors import Problem

# The located problems a rule lists on the terminal; the rest are in the quality report.
SHOWN_PER_RULE = 5

_DONE = {"STEP_SUCCESS": "ok", "STEP_FAILURE": "FAILED", "STEP_SKIPPED": "skipped"}

# How Dagster says it will not run a step because one before it failed (an error log, not a
# step event: "Dependencies for step <key> failed: [<every output it waited for>]. Not
# executing."). The terminal gives that step its line instead; the log file keeps the text.
_NOT_RUN = re.compile(r"Dependencies for step (?P<step>\S+?)(?: failed:| were not executed:).*")


class StepLines(logging.Handler):
    """Turns the run's step events into one line per step, with a spinner while a step
    runs when the terminal can show one (rich falls back to plain lines otherwise)."""

    def __init__(self, console) -> None:
        super().__init__(level=logging.DEBUG)
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._running: dict[str, tuple[int, float]] = {}

    def __enter__(self) -> StepLines:
        self._progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._progress.stop()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None and record.levelno >= logging.WARNING:
            # What the run warns of (a key it created, a build copy set aside, a check's
            # warning-level rule) is for the person at the terminal too.
            message = meta.get("orig_message") or record.getMessage()
            if not_run := _NOT_RUN.fullmatch(message):
                line = step_line(not_run["step"], "not run", None)
                self._progress.console.print(line, highlight=False)
                return
            self._progress.console.print(
                f"  {record.levelname.lower()}: {message}", highlight=False
            )
            return
        if event is None or not event.step_key:
            return
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            task = self._progress.add_task(step_label(step), total=None)
            self._running[step] = (task, time.monotonic())
        elif kind in _DONE:
            task, started = self._running.pop(step, (None, time.monotonic()))
            if task is not None:
                self._progress.remove_task(task)
            seconds = time.monotonic() - started if task is not None else None
            self._progress.console.print(step_line(step, _DONE[kind], seconds), highlight=False)


# Steps whose key says little to a person at the terminal.
_STEP_LABELS = {
    "reference_tables_from_definition": "reference tables from the programme definition",
    "idream_dbt_models": "dbt build: models and their tests",
    "quality_checks_raw": "check the roster, markers and codebook (Great Expectations)",
    "quality_checks_survey": "check the survey (Great Expectations)",
    "quality_checks_marts": "check the marts (Great Expectations)",
    "quality__report": "quality report",
    "publish__evidence_brief": "publish the warehouse and the brief",
}


def step_label(step_key: str) -> str:
    """An ingest step by its name (`raw_survey`), the rest in words."""
    return _STEP_LABELS.get(step_key, step_key)


def step_line(step_key: str, outcome: str, seconds: float | None) -> str:
    took = f"{seconds:6.1f} s" if seconds is not None else " " * 8
    return f"  {outcome:<8} {took}  {step_label(step_key)}"


@dataclass(frozen=True)
class RuleFailure:
    """One failed rule of one check, with the problems it located (a capped sample)."""

    check: str
    table: str
    severity: str  # "error" or "warning"
    rule: str
    count: int
    problems: list[Problem] = field(default_factory=list)
    # The raw file holds what the warehouse must not (a participant code not on the
    # roster): the terminal shows it, read back from the file; nothing on disk keeps it.
    read_back: bool = False


def render_failures(
    failures: list[RuleFailure],
    step_errors: list[str],
    report: str | None,
    read_back: Callable[[Problem], str | None] = lambda problem: None,
) -> str:
    """Errors first (the failed checks' rules, then the steps that failed), then warnings;
    one heading per rule with its count and its first located problems."""
    lines: list[str] = []
    errors = [f for f in failures if f.severity == "error"]
    warnings = [f for f in failures if f.severity != "error"]
    if errors or step_errors:
        lines.append("Errors:")
        for failure in errors:
            lines += _rule_lines(failure, report, read_back)
        lines += [f"  {error}" for error in step_errors]
    if warnings:
        lines.append("Warnings (these do not stop a run):")
        for failure in warnings:
            lines += _rule_lines(failure, report, read_back)
    return "\n".join(lines) or "the run failed before any step started"


def _rule_lines(failure: RuleFailure, report: str | None, read_back) -> list[str]:
    lines = [
        f"  check {failure.check} on {failure.table} failed ({failure.severity}): "
        f"{failure.rule or 'see the report'}: {failure.count} row(s)"
    ]
    for problem in failure.problems[:SHOWN_PER_RULE]:
        value = read_back(problem) if failure.read_back else None
        lines.append(f"    - {problem}" + (f" (the file says {value!r})" if value else ""))
    rest = failure.count - min(len(failure.problems), SHOWN_PER_RULE)
    if rest > 0:
        lines.append(f"    ... and {rest} more" + (f", listed in {report}" if report else ""))
    return lines
