"""Run a pipeline run's suites: prepare each one's frame, validate it, and build the run's
report once."""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from orchestration.lib import raw_files, warehouse
from orchestration.lib.errors import RawDataError
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import docs, frames, gx_runner
from orchestration.lib.quality.parameters import ReadTable, suite_parameters
from orchestration.lib.quality.results import MAX_PROBLEMS_PER_EXPECTATION, SuiteResult
from orchestration.settings import Settings


def run_suites(
    names: list[str],
    settings: Settings,
    run_id: str,
    programme: ProgrammeSettings,
    key: str | None,
    other_runs: Collection[str] = (),
) -> Iterator[tuple[str, SuiteResult]]:
    """Validate the suites one after another, as each result is ready. One read-only
    connection to the build copy serves them all; the programme's definition gives every
    value set and expected label. `other_runs`: the runs in progress on this warehouse
    besides this one, whose GX workspaces stay."""
    run_dir = _run_dir(settings, run_id, other_runs)
    summaries_dir = run_dir / "summaries"
    summaries_dir.mkdir(parents=True, exist_ok=True)
    with warehouse.connect(settings.build_database_path, read_only=True, key=key) as connection:

        def read(table: str) -> pl.DataFrame:
            return connection.execute(f"select * from {table}").pl()

        for name, result in validate_frames(names, read, programme, run_dir, run_id):
            (summaries_dir / f"{name}.json").write_text(
                json.dumps(result.summary(), indent=2), encoding="utf-8"
            )
            yield name, result


def validate_frames(
    names: list[str],
    read: ReadTable,
    programme: ProgrammeSettings,
    workspace: Path,
    run_id: str | None = None,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
) -> Iterator[tuple[str, SuiteResult]]:
    """The suites on the tables `read` returns, wherever they are: the build warehouse in a
    run, the frames ingest read in memory for `idream check`. GX keeps its stores and Data
    Docs site under `workspace`."""
    context = frames.FrameContext(programme=programme)
    parameters = suite_parameters(programme.definition, read)
    for name in names:
        frame = frames.PREPARERS[name](read, context)
        site = workspace / "site"
        yield (
            name,
            gx_runner.validate(
                name, frame, parameters, workspace / "gx", site, run_id, max_problems
            ),
        )


def publish_run_report(settings: Settings, run_id: str, stopped: str | None = None) -> Path:
    """The run's quality report, swapped into `<warehouse>/quality/`: the Data Docs and
    summary.json of every suite the run validated. Built once, after the last check of a
    run that passed them (the `quality/report` asset), or when a step of the run failed
    (the job's failure hook); `stopped` says why, for a run that no check reached."""
    run = {
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files_not_read": files_not_read(settings.raw_dir),
    }
    run_dir = settings.build_dir / "quality" / run_id
    summaries = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((run_dir / "summaries").glob("*.json"))
    ]
    if not summaries:
        docs.publish_stopped_report(
            settings.quality_dir, run, stopped or "no check ran", settings.scratch_dir
        )
        return settings.quality_dir
    gx_runner.build_docs(run_dir / "gx", run_dir / "site")
    return docs.publish_report(
        run_dir / "site", summaries, run, settings.quality_dir, settings.scratch_dir
    )


def files_not_read(raw_dir: Path) -> list[str]:
    """The raw folder's files and sub-folders the contract does not read (a README, an
    old export in survey/old/): listed in the run's report, never dropped in silence.
    Names only. Empty when the folder cannot be listed (a symbolic link: the run's
    failure says so)."""
    try:
        return [
            name
            for folder in ("", raw_files.MARKERS_FOLDER, raw_files.SURVEY_FOLDER)
            for name in raw_files.ignored_files(raw_dir, folder)
        ]
    except RawDataError:
        return []


def _run_dir(settings: Settings, run_id: str, other_runs: Collection[str]) -> Path:
    """One GX workspace per run; finished runs' workspaces are removed when a new run starts
    (two runs on one warehouse take turns step by step, so both may be in progress)."""
    root = settings.build_dir / "quality"
    run_dir = root / run_id
    if not run_dir.exists():
        if root.exists():
            for old in root.iterdir():
                if old.name not in other_runs:
                    shutil.rmtree(old, ignore_errors=True)
        run_dir.mkdir(parents=True)
    return run_dir
