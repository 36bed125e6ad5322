"""The dbt CLI resource, without the two start-up costs this pipeline does not need.

dagster-dbt's `DbtCliResource.cli` first runs `dbt --version` in a subprocess (about 2 s:
a second dbt start-up) and then builds a dbt adapter in this process (about 2 s more), on
every invocation. The adapter only serves `fetch_row_counts()` / `fetch_column_metadata()`,
which this pipeline does not call (`defs/transform.py` reads row counts and schemas from
DuckDB once dbt is done), and the version is the installed dbt-core's, the package beside
this interpreter whose `dbt` executable runs (`settings.DBT_EXECUTABLE`).

Both are private methods of dagster-dbt 0.29 (pinned in pyproject.toml);
`tests/unit/test_dbt_cli.py` fails if a new version renames them.
"""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class FastDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
