"""Quality checks: one Dagster asset check per Great Expectations suite, validated in three
steps (`STEPS`: the roster, markers and codebook; the survey; the marts).

Checks are blocking: a suite with a failed error-level expectation stops every asset
downstream of the table it checks, so nothing is published from data that broke a rule.
Warning-level failures (a duplicate survey submission, a respondent count that differs
from the programme settings) are reported on the check and in the report, and do not block.

No `from __future__ import annotations` here: Dagster reads the context annotation.
"""

import json
from dataclasses import asdict

import dagster as dg

from orchestration.defs.partitions import PROGRAMMES
from orchestration.defs.resources import (
    BUILD_POOL,
    BuildWarehouse,
    QualitySite,
    other_runs_in_progress,
)
from orchestration.lib.quality.suites import load_suite, suite_names

# The steps that validate the suites, in run order: the raw tables (roster, markers,
# codebook), the survey's tables, the marts. The survey's are a step apart because the
# survey is landed after the codebook's check passed (the survey step reads the codebook).
STEPS = ("raw", "survey", "marts")


def check_name(suite: str) -> str:
    return f"gx_{suite}"


def step_of(suite: str) -> str:
    """Which of `STEPS` validates the suite."""
    from orchestration.defs.ingest import raw_survey

    key = dg.AssetKey(load_suite(suite)["meta"]["table"].split("."))
    if key in raw_survey.keys:
        return "survey"
    return key.path[0]


def _spec(suite: str) -> dg.AssetCheckSpec:
    meta = load_suite(suite)["meta"]
    return dg.AssetCheckSpec(
        # The suite file names its table (`raw.participants`), which is the asset's key.
        name=check_name(suite),
        asset=dg.AssetKey(meta["table"].split(".")),
        blocking=True,
        additional_deps=[dg.AssetKey(table.split(".")) for table in meta["reads"]],
        description=f"Great Expectations suite expectations/suites/{suite}.json",
    )


def _build_step_checks(step: str, suites: list[str]) -> dg.AssetChecksDefinition:
    """One step validates several suites: each suite is still its own check, with its own
    result, but the run pays one step's start-up and events, not one per table."""
    specs = [_spec(suite) for suite in suites]
    by_key = {spec.key: suite for spec, suite in zip(specs, suites, strict=True)}

    @dg.multi_asset_check(
        name=f"quality_checks_{step}",
        specs=specs,
        can_subset=True,
        pool=BUILD_POOL,
        description=f"The Great Expectations suites of the {step} tables.",
    )
    def _checks(context: dg.AssetCheckExecutionContext, build: BuildWarehouse):
        # Great Expectations is imported here, in the check's own step: loading the
        # definitions (the UI, sensors, schedules) should not pay for it.
        from orchestration.lib.quality.runner import run_suites

        with build.turn(context.log) as s:
            keys = {by_key[key]: key for key in context.selected_asset_check_keys}
            for suite, result in run_suites(
                sorted(keys),
                s,
                context.run.run_id,
                build.programme,
                build.key,
                other_runs_in_progress(context),
            ):
                report = s.quality_dir / "index.html"
                yield _check_result(context, keys[suite], suite, result, report)

    return _checks


def _check_result(context, key, suite, result, report) -> dg.AssetCheckResult:
    problems = [str(problem) for problem in result.problems()]
    # Every located problem in the run's log; one line per failed rule above it, which
    # `idream run` shows on the terminal (it lists the problems grouped at the end).
    for problem in problems:
        context.log.info(problem)
    for failure in result.failures:
        (context.log.error if failure.severity == "error" else context.log.warning)(
            f"{check_name(suite)}: {failure.rule or failure.expectation}: "
            f"{failure.unexpected_count} row(s) ({failure.severity})"
        )
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not result.failures,
        severity=dg.AssetCheckSeverity.ERROR if not result.passed else dg.AssetCheckSeverity.WARN,
        metadata={
            "expectations_evaluated": result.evaluated,
            "expectations_failed": len(result.failures),
            "failed_expectations": dg.MetadataValue.json(
                [
                    {
                        "expectation": f.expectation,
                        "severity": f.severity,
                        "rule": f.rule,
                        "unexpected_count": f.unexpected_count,
                        "read_back": f.read_back,
                        "problems": [asdict(p) for p in f.problems],
                    }
                    for f in result.failures
                ]
            ),
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
            "report": dg.MetadataValue.path(str(report)),
        },
    )


@dg.asset(
    key=["quality", "report"],
    group_name="quality",
    partitions_def=PROGRAMMES,
    kinds={"great_expectations", "html"},
    owners=["team:monitoring-evaluation"],
    deps=sorted(
        {dg.AssetKey(load_suite(suite)["meta"]["table"].split(".")) for suite in suite_names()},
        key=lambda key: key.path,
    ),
    description=(
        "The run's data-quality report, <warehouse>/quality/ (GX Data Docs, offline, and "
        "summary.json), built once every checked table passed its error-level checks. A "
        "run that fails publishes the report as far as it got (the job's failure hook)."
    ),
)
def quality_report(
    context: dg.AssetExecutionContext, build: BuildWarehouse, quality_site: QualitySite
) -> dg.MaterializeResult:
    from orchestration.lib.quality.runner import publish_run_report

    s = build.paths
    publish_run_report(s, context.run.run_id, build_site=quality_site.build_site)
    summary = json.loads((s.quality_dir / "summary.json").read_text(encoding="utf-8"))
    ran = [suite for suite in summary["suites"] if suite["ran"]]
    warnings = sum(suite.get("warnings", 0) for suite in ran)
    context.log.info(
        f"quality report: {len(ran)} suites ran, {warnings} warning(s); {s.quality_dir}/index.html"
    )
    return dg.MaterializeResult(
        metadata={
            "suites_run": len(ran),
            "suites_passed": sum(1 for suite in ran if suite["passed"]),
            "warnings": warnings,
            "gx_run_id": summary["run_id"],
            "report": dg.MetadataValue.path(str(s.quality_dir / "index.html")),
        }
    )


@dg.failure_hook(required_resource_keys={"build", "quality_site"})
def quality_report_of_a_failed_run(context: dg.HookContext) -> None:
    """A step failed: the run's quality report is published as far as the run got (the
    suites it validated, or why no check ran), so that reviewers never read the last
    run's report as this one's. Every launch path runs the same job, so gets this hook."""
    from orchestration.lib.quality.runner import publish_run_report

    error = context.op_exception
    stopped = f"{context.step_key} failed: {error}" if error else f"{context.step_key} failed"
    publish_run_report(
        context.resources.build.paths,
        context.run_id,
        stopped,
        build_site=context.resources.quality_site.build_site,
    )


@dg.definitions
def quality_checks() -> dg.Definitions:
    by_step: dict[str, list[str]] = {step: [] for step in STEPS}
    for suite in suite_names():
        by_step[step_of(suite)].append(suite)
    return dg.Definitions(
        assets=[quality_report],
        asset_checks=[_build_step_checks(step, suites) for step, suites in by_step.items()],
    )
