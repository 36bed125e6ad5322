"""What a suite's validation found, in the pipeline's own terms (no GX types here)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from orchestration.lib.errors import Problem

ERROR, WARNING = "error", "warning"
# How many failing rows a check lists; the counts are always complete.
MAX_PROBLEMS_PER_EXPECTATION = 20


@dataclass(frozen=True)
class ExpectationFailure:
    expectation: str
    severity: str
    rule: str
    unexpected_count: int
    sample: list
    problems: list[Problem] = field(default_factory=list)
    # The terminal may show the raw file's value of the problems' cells (suite meta
    # `read_back`): what the warehouse holds there is a pseudonym.
    read_back: bool = False


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    table: str
    evaluated: int
    failures: list[ExpectationFailure]

    @property
    def passed(self) -> bool:
        """Passed unless an error-level expectation failed; warnings are reported only."""
        return not any(failure.severity == ERROR for failure in self.failures)

    @property
    def severity(self) -> str:
        return WARNING if self.passed else ERROR

    def summary(self) -> dict:
        return {
            "suite": self.suite,
            "table": self.table,
            "passed": self.passed,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failures),
            "errors": sum(1 for f in self.failures if f.severity == ERROR),
            "warnings": sum(1 for f in self.failures if f.severity == WARNING),
            "failures": [
                {
                    "expectation": f.expectation,
                    "severity": f.severity,
                    "rule": f.rule,
                    "unexpected_count": f.unexpected_count,
                }
                for f in self.failures
            ],
        }

    def problems(self) -> list[Problem]:
        return [problem for failure in self.failures for problem in failure.problems]


def problem_from_row(table: str, meta: dict, row: dict, words: dict | None = None) -> Problem:
    """A failing row as a located problem, using the suite's message template: it quotes
    the row's values (`{domain}`) and `words` from the programme definition
    (`{expected_domains}`, see `quality.parameters`)."""
    values = {key: _show(value) for key, value in {**(words or {}), **row}.items()}
    column = meta.get("column")
    return Problem(
        file=values.get("source_file") or table,
        sheet=values.get("source_sheet") or None,
        row=int(row["source_row"]) if row.get("source_row") is not None else None,
        column=column.format_map(_Missing(values)) if column else None,
        message=meta.get("problem", "failed").format_map(_Missing(values)),
    )


def _show(value) -> str:
    # pandas hands missing values back as None or NaN.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"
