"""The data-quality verdict of the run, read from the report the quality checks wrote."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

# From <warehouse>/brief/brief.html to <warehouse>/quality/index.html: relative, so the link
# survives the warehouse folder being copied or opened from another machine. A programme
# under a root publishes elsewhere (`report_link`).
REPORT_LINK = "../quality/index.html"


def report_link(quality_dir: Path, brief_dir: Path) -> str:
    """The relative link from the brief's folder to the quality report's index.html."""
    return Path(os.path.relpath(quality_dir / "index.html", brief_dir)).as_posix()


@dataclass(frozen=True)
class QualityStatus:
    passed: bool
    suites_run: int
    expectations: int
    warnings: tuple[str, ...]
    link: str = REPORT_LINK

    @classmethod
    def read(cls, summary_path: Path, link: str = REPORT_LINK) -> QualityStatus:
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
            link=link,
        )

    def sentence(self) -> str:
        verdict = "passed every error-level check" if self.passed else "FAILED a check"
        return (
            f"The data of this run {verdict}: {self.expectations} expectations in "
            f"{self.suites_run} suites, with {len(self.warnings)} warning(s)."
        )
