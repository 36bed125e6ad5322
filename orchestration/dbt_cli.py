"""The dbt CLI resource, without the two start-up costs this pipeline does not need.

dagster-dbt's `DbtCliResource.cli` first runs `dbt --version` in a subprocess (about 2 s:
a second dbt start-up) and then builds a dbt adapter in this process (about 2 s more), on
every invocation. The adapter only serves `fetch_row_counts()` / `fetch_column_metadata()`,
which this pipeline does not call (`defs/transform.py` reads row counts and schemas from
DuckDB once dbt is done), and the version is the installed dbt-core's, the package beside
this interpreter whose `dbt` executable runs (`settings.DBT_EXECUTABLE`).

Both are private methods of dagster-dbt 0.29 (pinned in pyproject.toml);
`tests/unit/test_dbt_cli.py` fails if a new version renames them.

The resource also starts the run's dbt server (`dbt_server.py`) when a run Dagster
launches itself sets it up, and its executable is `idream-dbt` (`dbt_client.py`).
"""

from __future__ import annotations

import contextlib
import os
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr


class FastDbtCliResource(DbtCliResource):
    _run_server: contextlib.ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context) -> None:
        """A run launched by Dagster itself (UI, schedule, sensor) starts its dbt server here,
        as the run starts (Dagster sets up a run's resources before its first step), so
        dbt is imported and the project parsed while ingest runs. `idream run` has started
        one already, before loading Dagster."""
        super().setup_for_execution(context)
        from orchestration import dbt_server
        from orchestration.dbt_client import SERVER_VARIABLE
        from orchestration.settings import Settings

        if os.environ.get(SERVER_VARIABLE):
            return
        self._run_server = contextlib.ExitStack()
        # Settings.from_env(): what the `settings` resource was built from.
        self._run_server.enter_context(dbt_server.for_the_run_of(Settings.from_env()))

    def teardown_after_execution(self, context) -> None:
        if self._run_server is not None:
            self._run_server.close()
            self._run_server = None

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
