"""Resources: the pipeline's settings, the run's build warehouse, its quality report's site.

`PipelineSettings` holds paths only and is cheap: schedules and sensors use it too.
`BuildWarehouse` is the run's working copy of the warehouse: the programme settings and
keys are read once as the run starts (Dagster sets up a run's resources before its first
step), and the build copy is prepared once, by the first step that opens it.
The CLI builds both from its own settings and passes them to the run (`runner.py`); a run
launched from the UI, a schedule or the sensor gets them from the environment, here.
"""

import contextlib
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from orchestration.defs.partitions import programme_of_run
from orchestration.lib import warehouse
from orchestration.lib.build_lock import BuildLock, ProgrammeBuildLock
from orchestration.lib.build_store import BuildStore, store_of
from orchestration.lib.postgres import parse_warehouse_url
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality.site_process import SiteProcess
from orchestration.settings import Settings

# Every step that opens the DuckDB build file claims a slot of this Dagster concurrency
# pool. DuckDB allows one writer, and a reader blocks it: with the pool's limit of 1
# (.dagster_home/dagster.yaml) a CLI run and a UI run on one warehouse wait for each other.
WAREHOUSE_POOL = "idream_warehouse"


def build_pool(settings: Settings) -> str | None:
    """The pool of the steps that open the build warehouse. DuckDB: `WAREHOUSE_POOL`, one
    writer. The PostgreSQL team warehouse: none, so that runs of different programmes build
    at once, each in its own build schemas; runs of one programme take turns by its build
    lock instead (`BuildWarehouse`, lib/build_lock.py), which also holds across hosts."""
    return None if settings.warehouse_url is not None else WAREHOUSE_POOL


# Decided as the definitions load, from the environment the code location or `idream run`
# started in: the same environment that gives the run's resources their warehouse.
BUILD_POOL = build_pool(Settings.from_env())


class PipelineSettings(dg.ConfigurableResource):
    """The settings every asset reads. Holds paths only: the keys are read from their files
    when needed, so they never appear in run configuration or logs."""

    raw_dir: str
    warehouse_dir: str
    key_file: str
    production: bool = False
    # Empty: a plain warehouse. A path, never the key itself.
    warehouse_key_file: str = ""
    workbook_password_file: str = ""
    # Empty: the DuckDB file. A PostgreSQL URL, which never holds a password (libpq finds
    # it in PGPASSFILE, ~/.pgpass or PGPASSWORD), so it may stand in run configuration.
    warehouse_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelineSettings":
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse_dir=str(settings.warehouse_dir),
            key_file=str(settings.key_file),
            production=settings.production,
            warehouse_key_file=str(settings.warehouse_key_file or ""),
            workbook_password_file=str(settings.workbook_password_file or ""),
            warehouse_url=str(settings.warehouse_url or ""),
        )

    def get(self) -> Settings:
        return Settings(
            raw_dir=Path(self.raw_dir),
            warehouse_dir=Path(self.warehouse_dir),
            key_file=Path(self.key_file),
            production=self.production,
            warehouse_key_file=Path(self.warehouse_key_file) if self.warehouse_key_file else None,
            workbook_password_file=(
                Path(self.workbook_password_file) if self.workbook_password_file else None
            ),
            warehouse_url=parse_warehouse_url(self.warehouse_url) if self.warehouse_url else None,
        )


class BuildWarehouse(dg.ConfigurableResource):
    """One run's build copy of the warehouse, with what every step of the run reads once:
    the settings of the run's programme (its partition), its programme.toml and the keys.
    (The workbook password is read by each ingest step that opens workbooks, where a bad
    password file is reported as that step's error.)"""

    settings: PipelineSettings
    _paths: Settings | None = PrivateAttr(default=None)
    _programme: ProgrammeSettings | None = PrivateAttr(default=None)
    _pseudonym_key: bytes | None = PrivateAttr(default=None)
    _warehouse_key: str | None = PrivateAttr(default=None)
    _prepared: bool = PrivateAttr(default=False)
    _programme_lock: ProgrammeBuildLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # The settings name the raw folder (a programme folder or a root of several); the
        # run's partition says which programme of it this run builds.
        s = self.settings.get().programme(programme_of_run(context.run))
        self._paths = s
        self._programme = ProgrammeSettings.load(s.raw_dir)
        if notice := s.create_warehouse_key():
            context.log.warning(notice)
        self._warehouse_key = s.warehouse_key()
        if s.warehouse_url is not None:
            # For the whole run, taken before its first step (and last here: nothing after
            # it can fail and leave it held): a run reads in one step what its earlier
            # steps built, which another run of the programme must not change in between.
            # Runs of other programmes build in other schemas and go on.
            self._programme_lock = ProgrammeBuildLock(s.warehouse_url, s.programme_id)
            self._programme_lock.hold(context.log.warning)

    @contextlib.contextmanager
    def turn(self, log) -> Iterator[Settings]:
        """A step's turn on the build copy: the paths, once the copy is prepared, and on
        DuckDB while this step holds the build file's lock (lib/build_lock.py, the backstop
        of the warehouse pool). Every step that opens the build warehouse does so inside its
        turn. On PostgreSQL the run holds its programme's build lock from its start to its
        end instead (`setup_for_execution`), and there is no pool (`build_pool`).

        The first turn of a run prepares the copy, inside its slot of the warehouse pool:
        prepared as the run's resources are set up, a second run's preparation would open
        the file while another run's step writes it (DuckDB: "Could not set lock on file").
        """
        lock = BuildLock(self.paths.build_dir) if self._programme_lock is None else None
        if lock is not None:
            lock.hold(log.info)
        try:
            if not self._prepared:
                for notice in prepare_build(self.paths, self.programme.keep_free_text, self.key):
                    log.warning(notice)
                self._prepared = True
            yield self.paths
        finally:
            if lock is not None:
                lock.release()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._programme_lock is not None:
            self._programme_lock.release()

    @property
    def paths(self) -> Settings:
        """The settings of the run's programme: every path a step uses comes from here."""
        assert self._paths is not None, "used outside a run"
        return self._paths

    @property
    def store(self) -> BuildStore:
        """Where the run's programme builds: the DuckDB build file, or its build schemas on
        the PostgreSQL team warehouse (lib/build_store.py)."""
        return store_of(self.paths, self.key)

    @property
    def programme(self) -> ProgrammeSettings:
        assert self._programme is not None, "used outside a run"
        return self._programme

    @property
    def key(self) -> str | None:
        """The warehouse encryption key (None: a plain warehouse)."""
        return self._warehouse_key

    def pseudonym_key(self, log) -> tuple[bytes, str]:
        """The pseudonym key, and a digest of it that can stand in a fingerprint."""
        if self._pseudonym_key is None:
            key, notice = self.paths.pseudonym_key()
            if notice:
                log.warning(notice)
            self._pseudonym_key = key
        return self._pseudonym_key, hashlib.sha256(self._pseudonym_key).hexdigest()


class QualitySite(dg.ConfigurableResource):
    """Builds the run's Data Docs site (the quality report) with Great Expectations.

    On the DuckDB warehouse a process of its own is started as the run's resources are set
    up, so that GX's import (about 4 s) runs beside the run's first steps instead of
    holding up its report step (lib/quality/site_process.py). Where GX is already imported
    in this process (the PostgreSQL warehouse's checks import it; a test session), or for
    a second report in one run (a failure after the report), the site is built here."""

    settings: PipelineSettings
    _process: SiteProcess | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not self.settings.warehouse_url and "great_expectations" not in sys.modules:
            self._process = SiteProcess()

    def build_site(self, results_dir: Path, context_dir: Path, site_dir: Path) -> bool:
        process, self._process = self._process, None
        if process is None:
            from orchestration.lib.quality import gx_results

            return gx_results.build_site(results_dir, context_dir, site_dir)
        return process.build(results_dir, context_dir, site_dir)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        # A run that failed before its report: the process would finish GX's import for
        # nothing.
        if self._process is not None:
            self._process.close()
            self._process = None


def prepare_build(settings: Settings, keep_free_text: bool, key: str | None) -> list[str]:
    """Set aside a build copy that the warehouse key cannot open or that holds free text
    the programme no longer keeps. Returns what it did, for the run's log."""
    notices = []
    database = settings.build_database_path
    if warehouse.discard_if_unreadable(database, key):
        notices.append(
            "the build copy was written with another encryption setting or key: "
            "building the warehouse anew"
        )
    if not keep_free_text and warehouse.holds_schema(database, warehouse.RESTRICTED_SCHEMA, key):
        # DuckDB does not wipe the pages of dropped tables: dropping the free text would
        # leave it readable in the file's free blocks, and the published copy is that file.
        warehouse.discard(database)
        notices.append(
            "free text is no longer kept (programme.toml): building the warehouse anew, "
            "so that none of it remains in the file"
        )
    return notices


def run_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """The resources of one run on `settings`; the CLI passes these to the run."""
    pipeline_settings = PipelineSettings.from_settings(settings)
    return {
        "settings": pipeline_settings,
        "build": BuildWarehouse(settings=pipeline_settings),
        "quality_site": QualitySite(settings=pipeline_settings),
    }


@dg.definitions
def resources() -> dg.Definitions:
    # A run launched from the UI, a schedule or the sensor: the settings of the environment
    # the code location was started in (the Makefile's, for `make dev`).
    return dg.Definitions(resources=run_resources(Settings.from_env()))


def other_runs_in_progress(context) -> set[str]:
    """The runs besides this one that are in progress in the instance. Runs of one
    programme take turns step by step (the pool, or on PostgreSQL the programme's build
    lock), so a step must not remove what another run in progress keeps in the programme's
    warehouse folder (its GX workspace, its staged files)."""
    statuses = [
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
    ]
    running = context.instance.get_run_ids(filters=dg.RunsFilter(statuses=statuses))
    return set(running) - {context.run.run_id}
