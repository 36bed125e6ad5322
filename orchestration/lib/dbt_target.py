"""How every dbt invocation reaches the warehouse the settings name: the path as a var,
and for an encrypted warehouse the `encrypted` profile target, the httpfs extension's
path, and the key in an environment variable whose value dbt scrubs from its logs (any
`DBT_ENV_SECRET_` variable). A PostgreSQL warehouse (IDREAM_WAREHOUSE_URL) is the
`postgres` target, with the URL's server, role and database as vars."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from orchestration.settings import Settings

KEY_VARIABLE = "DBT_ENV_SECRET_IDREAM_WAREHOUSE_KEY"
ENCRYPTED_TARGET = "encrypted"
POSTGRES_TARGET = "postgres"
# dbt-postgres always hands libpq a password, empty when its profile has none, and libpq
# then skips PGPASSWORD (it still reads PGPASSFILE and ~/.pgpass). So a PGPASSWORD is passed
# on under a name dbt scrubs from its logs and never records (profiles.yml reads it).
PASSWORD_VARIABLE = "DBT_ENV_SECRET_PGPASSWORD"


def target_dir(settings: Settings) -> Path:
    """dbt's target folder for this warehouse, in its build folder (dagster-dbt otherwise
    makes a new one per run, forever): it keeps dbt's partial-parse state from one run to
    the next, and runs on two warehouses never write each other's target or log."""
    return settings.build_dir / "dbt"


def dbt_arguments(settings: Settings) -> list[str]:
    """`--vars` (and `--target`) for this warehouse; nothing secret."""
    if settings.warehouse_url is not None:
        return postgres_arguments(settings)
    variables = {"database_path": str(settings.build_database_path)}
    if not settings.encrypted:
        return ["--vars", json.dumps(variables)]
    from orchestration.lib.encryption import httpfs_extension

    variables |= {
        "httpfs_extension": str(httpfs_extension()),
        # dbt-duckdb installs the extension by copying it: into the build folder, not ~.
        "extension_directory": str(settings.build_dir / "duckdb_extensions"),
    }
    return ["--vars", json.dumps(variables), "--target", ENCRYPTED_TARGET]


def parse_arguments(settings: Settings) -> list[str]:
    """The arguments the project is parsed with: the run's target, and the warehouse's
    file name but not its folder. What dbt resolves as it parses (each node's database,
    named after the file) is the same, and dbt keeps its partial-parse state only while
    the vars stay the same: with the folder in them, every run on another warehouse (a
    test, the bench, a second programme) would parse the whole project again."""
    if settings.warehouse_url is not None:
        return postgres_arguments(settings)
    variables = {"database_path": settings.build_database_path.name}
    target = ["--target", ENCRYPTED_TARGET] if settings.encrypted else []
    return ["--vars", json.dumps(variables), *target]


def postgres_arguments(settings: Settings) -> list[str]:
    """The `postgres` target, and where it connects: the same for parsing and building
    (each node's database is the URL's). A programme's run builds in its own schemas
    (`schema_prefix`, lib/postgres_layout.py), never in the published `marts`."""
    url = settings.warehouse_url
    assert url is not None
    variables = {
        "postgres_host": url.host,
        # A string: profiles.yml turns it into the number dbt-postgres wants.
        "postgres_port": str(url.port),
        "postgres_user": url.user,
        "postgres_database": url.dbname,
    }
    if settings.programme_id:
        from orchestration.lib.postgres_layout import schema_prefix

        variables["schema_prefix"] = schema_prefix(settings.programme_id)
    return ["--vars", json.dumps(variables), "--target", POSTGRES_TARGET]


def dbt_environment(key: str | None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The secrets dbt needs, under names it scrubs: the DuckDB warehouse's key, and a
    PGPASSWORD of this process's environment (see PASSWORD_VARIABLE)."""
    env = os.environ if environ is None else environ
    secrets = {KEY_VARIABLE: key} if key else {}
    if env.get("PGPASSWORD"):
        secrets[PASSWORD_VARIABLE] = env["PGPASSWORD"]
    return secrets


@contextlib.contextmanager
def secret_environment(variables: dict[str, str]) -> Iterator[None]:
    """Set `variables` for the subprocesses started inside (dagster-dbt passes this
    process's environment to dbt) and remove them afterwards."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
