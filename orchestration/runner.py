"""Run the pipeline's job for `idream run`: in this process, recorded in the project's
persistent Dagster instance, so the run, its materialisations and its check results are
in the UI's history like a run the UI launched."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.fingerprint import FINGERPRINT_TAG, FULL_REBUILD_TAG
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, Settings

JOB_NAME = "idream_pipeline"
# The project's instance: the Makefile sets DAGSTER_HOME to it, and `idream` uses it when
# DAGSTER_HOME is unset. Its dagster.yaml is copied into a new DAGSTER_HOME.
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
# Tags of a run `idream run` executes: which process runs it (see `release_dead_runs`).
LAUNCHED_BY_TAG, LAUNCHED_BY_CLI = "idream/launched_by", "idream run"
HOST_TAG, PID_TAG = "idream/host", "idream/pid"


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    log_file: Path
    failure: str | None = None


def dagster_home() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).expanduser().resolve()
    config = home / "dagster.yaml"
    if not config.exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULT_DAGSTER_HOME / "dagster.yaml", config)
    return home


def run_pipeline(
    settings: Settings,
    programme: Settings,
    fingerprint: str | None,
    full_rebuild: bool = False,
    verbose: bool = False,
) -> RunOutcome:
    """Materialise every asset of one programme once (its partition); failures are
    returned, not raised.

    `settings` name the raw folder as given (a programme folder or a root): the run's
    resources resolve the programme from them and the partition key, as a run launched
    from the UI does. `programme` are that programme's settings (`settings.programmes()`),
    where the run's log and reports are. `fingerprint` (of the programme's inputs, taken
    before the run) is recorded with what it publishes.
    """
    import dagster as dg
    from rich.console import Console

    from orchestration import terminal
    from orchestration.defs.jobs import RUN_LOGGER

    run_id = str(uuid.uuid4())
    log_file = programme.warehouse_dir / "logs" / f"{run_id}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # The terminal's own stream, taken before the run's output is sent to the log file.
    # Soft wrap: a long message stays one line, for the terminal to wrap and grep to find.
    console = Console(file=sys.stderr, highlight=False, soft_wrap=True)
    with (
        dg.DagsterInstance.from_config(str(dagster_home())) as instance,
        _run_log(log_file, console, verbose) as steps,
        steps,
    ):
        for run in release_dead_runs(instance):
            logging.getLogger(RUN_LOGGER).warning(f"run {run} had been killed: marked failed")
        job = _load_job(settings)
        add_programmes(instance, [programme.programme_id])
        result = _execute(job, instance, settings, programme, run_id, fingerprint, full_rebuild)
    if result.success:
        return RunOutcome(success=True, run_id=run_id, log_file=log_file)
    failures, step_errors = _failures(result)
    report = programme.quality_dir / "index.html"
    printable = terminal.render_failures(
        failures,
        step_errors,
        str(report),
        read_back=lambda problem: read_back_cell(programme, problem),
    )
    return RunOutcome(success=False, run_id=run_id, log_file=log_file, failure=printable)


def add_programmes(instance, programme_ids: list[str]) -> list[str]:
    from orchestration.defs.partitions import add_programmes as add

    return add(instance, programme_ids)


def _load_job(settings: Settings):
    """The job, from definitions loaded after dbt parsed the project as it is now (the dbt
    assets are defined from dbt's manifest)."""
    from orchestration.defs.dbt_project import dbt_project, parse
    from orchestration.lib.dbt_target import parse_arguments

    parse(dbt_project, parse_arguments(settings))
    from orchestration.definitions import defs

    return defs().resolve_job_def(JOB_NAME)


def release_dead_runs(instance) -> list[str]:
    """Mark failed the runs `idream run` started on this machine whose process is gone.

    A run killed outright (SIGKILL, a machine stopped) stays STARTED in the instance and
    keeps its slot of the warehouse pool, so every later run would wait for it forever.
    Dagster's run monitoring, which would notice, watches only runs that a run launcher
    started (the daemon's), not runs executed in-process. This is the UI's "free
    concurrency slots" and "mark failed", done for the runs whose process is known dead.
    """
    import dagster as dg

    released = []
    started = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED], tags={LAUNCHED_BY_TAG: LAUNCHED_BY_CLI}
        )
    )
    for run in started:
        if run.tags.get(HOST_TAG) != platform.node() or _alive(int(run.tags.get(PID_TAG, 0))):
            continue
        instance.report_run_failed(run, "the `idream run` process ended before the run did")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _execute(job, instance, settings, programme, run_id, fingerprint, full_rebuild):
    from orchestration.defs.resources import run_resources

    tags = {
        LAUNCHED_BY_TAG: LAUNCHED_BY_CLI,
        HOST_TAG: platform.node(),
        PID_TAG: str(os.getpid()),
        "idream/raw_dir": str(programme.raw_dir),
    }
    if fingerprint:
        tags[FINGERPRINT_TAG] = fingerprint
    if full_rebuild:
        tags[FULL_REBUILD_TAG] = "true"
    return job.execute_in_process(
        instance=instance,
        partition_key=programme.programme_id,
        run_id=run_id,
        resources=run_resources(settings),
        raise_on_error=False,
        tags=tags,
        run_config={"loggers": {"run_log": {}}},
    )


@contextlib.contextmanager
def _run_log(log_file: Path, console, verbose: bool):
    """Every event of the run, and all that Dagster and dbt print, into `log_file`; the
    terminal gets one line per step (and, with `verbose`, everything too)."""
    from orchestration import terminal
    from orchestration.defs.jobs import RUN_LOGGER

    logger = logging.getLogger(RUN_LOGGER)
    with log_file.open("a", encoding="utf-8") as stream:
        to_file = logging.StreamHandler(stream)
        to_file.setFormatter(logging.Formatter(LOG_FORMAT))
        steps = terminal.StepLines(console)
        handlers = [to_file, steps]
        if verbose:
            to_terminal = logging.StreamHandler(sys.stderr)
            to_terminal.setFormatter(logging.Formatter(LOG_FORMAT))
            handlers.append(to_terminal)
        for handler in handlers:
            logger.addHandler(handler)
        # dagster-dbt writes dbt's log to standard output: to the file (and, verbose, on).
        output = _Tee(stream, sys.stdout) if verbose else stream
        try:
            with contextlib.redirect_stdout(output):
                yield steps
        finally:
            for handler in handlers:
                logger.removeHandler(handler)


class _Tee:
    def __init__(self, *streams) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


def _failures(result):
    """The failed checks' rules, and every other failed step's error."""
    from orchestration.lib.errors import Problem
    from orchestration.terminal import RuleFailure

    failures = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if evaluation.passed:
            continue
        listed = evaluation.metadata.get("failed_expectations")
        for failure in listed.value if listed else []:
            failures.append(
                RuleFailure(
                    check=evaluation.check_name,
                    table=evaluation.asset_key.to_user_string(),
                    severity=failure["severity"],
                    rule=failure["rule"],
                    count=failure["unexpected_count"],
                    problems=[Problem(**problem) for problem in failure["problems"]],
                    read_back=failure.get("read_back", False),
                )
            )
    step_errors = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = error.message.strip() if error else "unknown error"
        if "DagsterAssetCheckFailedError" in text:
            continue  # listed with its problems above
        step_errors.append(f"step {event.step_key} failed: {text}")
    return failures, step_errors


def read_back_cell(settings: Settings, problem) -> str | None:
    """The raw file's text of the problem's cell, for the terminal only; None if unreadable."""
    from orchestration.lib.read_back import cell_value

    try:
        return cell_value(settings.raw_dir, problem, settings.workbook_password())
    except Exception:  # showing the raw value is a courtesy; the problem is listed anyway
        return None


def run_dbt(settings: Settings, dbt_args: list[str]) -> int:
    """Any dbt command against the build warehouse, with the path from the settings."""
    import subprocess

    from orchestration.lib.dbt_target import dbt_arguments, dbt_environment

    command = [
        str(DBT_EXECUTABLE),
        *dbt_args,
        *dbt_arguments(settings),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    environment = {**os.environ, **dbt_environment(settings.warehouse_key())}
    return subprocess.run(command, check=False, env=environment).returncode
