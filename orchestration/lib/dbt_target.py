"""How every dbt invocation reaches the warehouse the settings name: the path as a var,
and for an encrypted warehouse the `encrypted` profile target, the httpfs extension's
path, and the key in an environment variable whose value dbt scrubs from its logs (any
`DBT_ENV_SECRET_` variable)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from orchestration.settings import Settings

KEY_VARIABLE = "DBT_ENV_SECRET_IDREAM_WAREHOUSE_KEY"
ENCRYPTED_TARGET = "encrypted"


def target_dir(settings: Settings) -> Path:
    """dbt's target folder for this warehouse, in its build folder (dagster-dbt otherwise
    makes a new one per run, forever): it keeps dbt's partial-parse state from one run to
    the next, and runs on two warehouses never write each other's target or log."""
    return settings.build_dir / "dbt"


def dbt_arguments(settings: Settings) -> list[str]:
    """`--vars` (and `--target`) for this warehouse; nothing secret."""
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
    variables = {"database_path": settings.build_database_path.name}
    target = ["--target", ENCRYPTED_TARGET] if settings.encrypted else []
    return ["--vars", json.dumps(variables), *target]


def dbt_environment(key: str | None) -> dict[str, str]:
    return {KEY_VARIABLE: key} if key else {}


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
