"""The data-quality verdict of the run, read from the report the quality checks wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# From <warehouse>/brief/brief.html to <warehouse>/quality/index.html: relative, so the link
# survives the warehouse folder being copied or opened from another machine.
REPORT_LINK = "../quality/index.html"


@dataclass(frozen=True)
class QualityStatus:
    passed: bool
    suites_run: int
    expectations: int
    warnings: tuple[str, ...]

    @classmethod
    def read(cls, summary_path: Path) -> QualityStatus:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        ran = [suite for suite in summary["suites"] if suite["ran"]]
        warnings = tuple(
            f"{suite['table']}: {failure.get('rule') or failure['expectation']} "
            f"({failure['unexpected_count']} value(s))"
            for suite in ran
            for failure in suite["failures"]
            if failure["severity"] == "warning"
        )
        return cls(
            passed=bool(summary["passed"]),
            suites_run=len(ran),
            expectations=sum(suite["expectations_evaluated"] for suite in ran),
            warnings=warnings,
        )

    def sentence(self) -> str:
        verdict = "passed every error-level check" if self.passed else "FAILED a check"
        return (
            f"The data of this run {verdict}: {self.expectations} expectations in "
            f"{self.suites_run} suites, with {len(self.warnings)} warning(s)."
        )
