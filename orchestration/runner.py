"""Run the pipeline's job in this process, as `idream run` and the end-to-end tests do."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.dbt_manifest import run_dbt_command
from orchestration.lib.fingerprint import FINGERPRINT_TAG, FULL_REBUILD_TAG
from orchestration.settings import Settings

JOB_NAME = "idream_pipeline"


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    failure: str | None = None


def run_pipeline(
    settings: Settings, fingerprint: str | None, full_rebuild: bool = False
) -> RunOutcome:
    """Materialise every asset once; failures are returned, not raised.

    Dagster's resources read the same settings from the environment that `settings` was
    built from (see `cli.py`); `settings` here only places the report of a stopped run.
    `fingerprint` (of the inputs, taken before the run) is recorded with what it publishes.
    """
    import dagster as dg

    from orchestration.definitions import defs

    job = defs().resolve_job_def(JOB_NAME)
    instance = dg.DagsterInstance.ephemeral(settings={"telemetry": {"enabled": False}})
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags=({FINGERPRINT_TAG: fingerprint} if fingerprint else {})
        | ({FULL_REBUILD_TAG: "true"} if full_rebuild else {}),
        # Step-by-step progress, not Dagster's per-event debug stream.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    if result.success:
        return RunOutcome(success=True, run_id=result.run_id)
    failure = _failure_message(result)
    if not _any_check_ran(result):
        from datetime import UTC, datetime

        from orchestration.lib.quality.docs import publish_stopped_report

        run = {
            "run_id": result.run_id,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        publish_stopped_report(settings.quality_dir, run, failure, settings.scratch_dir)
    return RunOutcome(success=False, run_id=result.run_id, failure=failure)


def _any_check_ran(result) -> bool:
    return any(event.event_type_value == "ASSET_CHECK_EVALUATION" for event in result.all_events)


def run_dbt(settings: Settings, dbt_args: list[str]) -> int:
    """Any dbt command against the build warehouse, with the path from the settings."""
    from orchestration.lib.dbt_target import dbt_arguments, dbt_environment

    return run_dbt_command(
        [*dbt_args, *dbt_arguments(settings)],
        check=False,
        env=dbt_environment(settings.warehouse_key()),
    )


def _failure_message(result) -> str:
    """Failed checks with their located problems first, then any other failed step."""
    messages = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if evaluation.passed:
            continue
        severity = evaluation.severity.value.lower()
        problems = evaluation.metadata.get("problems")
        target = evaluation.asset_key.to_user_string()
        messages.append(f"check {evaluation.check_name} on {target} failed ({severity}):")
        messages.append(problems.value if problems else "  (no details)")
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = error.message.strip() if error else "unknown error"
        if "DagsterAssetCheckFailedError" in text:
            continue  # already listed above, with its problems
        messages.append(f"step {event.step_key} failed: {text}")
    return "\n".join(messages) or "the run failed before any step started"
