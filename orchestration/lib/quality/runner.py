"""Run a pipeline run's suites where the data is (GX's PostgreSQL data source on the team
warehouse, `quality.gx_postgres`; each rule as our SQL on DuckDB, `quality.evaluate`), and
build the run's report once."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib import raw_files
from orchestration.lib.build_store import BuildStore, PostgresStore, store_of
from orchestration.lib.errors import RawDataError
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import docs, engines, evaluate, gx_results, relations
from orchestration.lib.quality.parameters import ReadTable, suite_parameters
from orchestration.lib.quality.results import MAX_PROBLEMS_PER_EXPECTATION, SuiteResult
from orchestration.lib.quality.suites import load_suite
from orchestration.settings import Settings


def run_suites(
    names: list[str],
    settings: Settings,
    run_id: str,
    programme: ProgrammeSettings,
    key: str | None,
    other_runs: Collection[str] = (),
) -> Iterator[tuple[str, SuiteResult]]:
    """Validate the suites one after another, as each result is ready, in the database
    engine (GX's own on PostgreSQL, our SQL on DuckDB): one connection to the build copy
    serves them all; the programme's definition gives every value set and expected label.
    Each suite's summary and GX result are kept in the run's folder for its report.
    `other_runs`: the runs in progress on this warehouse besides this one, whose
    workspaces stay."""
    run_dir = _run_dir(settings, run_id, other_runs)
    for folder in ("summaries", "results"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    for name, result, gx_result in _validated(store_of(settings, key), names, programme, run_id):
        (run_dir / "summaries" / f"{name}.json").write_text(
            json.dumps(result.summary(), indent=2), encoding="utf-8"
        )
        (run_dir / "results" / f"{name}.json").write_text(json.dumps(gx_result), encoding="utf-8")
        yield name, result


def _validated(
    store: BuildStore, names: list[str], programme: ProgrammeSettings, run_id: str
) -> Iterator[tuple[str, SuiteResult, dict]]:
    """On PostgreSQL, GX validates through its own PostgreSQL data source
    (`quality.gx_postgres`); DuckDB has no GX dialect, so there the rules are our SQL."""
    if isinstance(store, PostgresStore):
        from orchestration.lib.quality import gx_postgres

        yield from gx_postgres.validate_suites(store, names, programme, run_id)
        return
    with engines.session(store) as connection:
        yield from validate_on(connection, names, programme, run_id)


def validate_on(
    connection,
    names: list[str],
    programme: ProgrammeSettings,
    run_id: str | None = None,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
    read: ReadTable | None = None,
    schemas: relations.Schemas = relations.PLAIN,
) -> Iterator[tuple[str, SuiteResult, dict]]:
    """The suites on the tables `connection` holds (DuckDB's, or `engines.PostgresSession`),
    in the `schemas` that hold the layers: their rules run as SQL there. Yields each
    suite's result and GX's validation result of it (a dict). `read`: where the small
    tables read in Python come from (the codebook, for its length; the level patterns'
    mart), by default the connection."""
    read = read or engines.reader(connection, schemas)
    parameters = suite_parameters(programme.definition, read)
    for name in names:
        suite_json = load_suite(name)
        relation = relations.relation_of(name, programme, schemas, read)
        result, gx_results = evaluate.validate(
            connection, suite_json, relation, parameters, max_problems
        )
        run_time = datetime.now(UTC).isoformat()
        yield name, result, evaluate.suite_result_dict(suite_json, gx_results, run_id, run_time)


def publish_run_report(
    settings: Settings,
    run_id: str,
    stopped: str | None = None,
    build_site: Callable[[Path, Path, Path], bool] = gx_results.build_site,
) -> Path:
    """The run's quality report, swapped into `<warehouse>/quality/`: the Data Docs and
    summary.json of every suite the run validated. Built once, after the last check of a
    run that passed them (the `quality/report` asset), or when a step of the run failed
    (the job's failure hook); `stopped` says why, for a run that no check reached.
    `build_site`: GX's Data Docs, here or by the run's site process (`site_process`)."""
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
    build_site(run_dir / "results", run_dir / "gx", run_dir / "site")
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
