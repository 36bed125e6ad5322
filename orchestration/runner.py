"""Run the pipeline's job in this process, as `idream run` and the end-to-end tests do."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

JOB_NAME = "idream_pipeline"
# What a change to invalidates the parsed manifest Dagster builds its dbt assets from.
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    failure: str | None = None


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in DBT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*")
        if any(p.is_file() and p.stat().st_mtime > built for p in paths):
            return True
    return False


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """`dbt parse` when the manifest is missing or older than the project's files."""
    if manifest_is_stale(project_dir):
        _dbt(["parse", "--quiet"], project_dir)


def run_pipeline() -> RunOutcome:
    """Materialise every asset once; failures are returned, not raised."""
    prepare_manifest()
    import dagster as dg

    from orchestration.definitions import defs

    job = defs().resolve_job_def(JOB_NAME)
    instance = dg.DagsterInstance.ephemeral(settings={"telemetry": {"enabled": False}})
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    if result.success:
        return RunOutcome(success=True, run_id=result.run_id)
    return RunOutcome(success=False, run_id=result.run_id, failure=_failure_message(result))


def run_dbt(settings: Settings, dbt_args: list[str]) -> int:
    """Any dbt command against the build warehouse, with the path from the settings."""
    vars_arg = ["--vars", f'{{"database_path": "{settings.build_database_path}"}}']
    return _dbt([*dbt_args, *vars_arg], DBT_PROJECT_DIR, check=False)


def _dbt(args: list[str], project_dir: Path, check: bool = True) -> int:
    command = [str(DBT_EXECUTABLE), *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    return subprocess.run(command, check=check).returncode


def _failure_message(result) -> str:
    """The innermost error of each failed step: that is where the useful message is."""
    messages = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = error.message.strip() if error else "unknown error"
        messages.append(f"step {event.step_key} failed: {text}")
    return "\n".join(messages) or "the run failed before any step started"
