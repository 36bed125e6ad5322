"""Quality checks: one Dagster asset check per Great Expectations suite.

Checks are blocking: a suite with a failed error-level expectation stops every asset
downstream of the table it checks, so nothing is published from data that broke a rule.
Warning-level failures (a duplicate survey submission, a respondent count that differs
from the programme settings) are reported on the check and in the report, and do not block.

No `from __future__ import annotations` here: Dagster reads the context annotation.
"""

import dagster as dg

from orchestration.defs.resources import PipelineSettings
from orchestration.lib.quality.suites import load_suite, suite_names


def check_name(suite: str) -> str:
    return f"gx_{suite}"


def _build_check(suite: str) -> dg.AssetChecksDefinition:
    meta = load_suite(suite)["meta"]

    @dg.asset_check(
        # The suite file names its table (`raw.participants`), which is the asset's key.
        asset=dg.AssetKey(meta["table"].split(".")),
        name=check_name(suite),
        blocking=True,
        additional_deps=[dg.AssetKey(table.split(".")) for table in meta["reads"]],
        description=f"Great Expectations suite expectations/suites/{suite}.json",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, settings: PipelineSettings
    ) -> dg.AssetCheckResult:
        from orchestration.lib.quality.runner import run_suite

        s = settings.get()
        result = run_suite(suite, s, context.run.run_id)
        problems = [str(problem) for problem in result.problems()]
        for problem in problems:
            (context.log.error if not result.passed else context.log.warning)(problem)
        return dg.AssetCheckResult(
            passed=not result.failures,
            severity=dg.AssetCheckSeverity.ERROR
            if not result.passed
            else dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations_evaluated": result.evaluated,
                "expectations_failed": len(result.failures),
                "failed_expectations": dg.MetadataValue.json(
                    [
                        {
                            "expectation": f.expectation,
                            "severity": f.severity,
                            "unexpected_count": f.unexpected_count,
                            "sample": f.sample,
                        }
                        for f in result.failures
                    ]
                ),
                "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
                "report": dg.MetadataValue.path(str(s.quality_dir / "index.html")),
            },
        )

    return _check


@dg.definitions
def quality_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[_build_check(suite) for suite in suite_names()])
