"""Which dbt models a run must rebuild: those downstream of a raw table whose landing
changed since dbt last built successfully, or all of them when the dbt project changed.

Kept in the build warehouse itself (`raw._dbt_built`), next to the landings it compares
with (`raw._landings`), so that a deleted or replaced build copy simply means a full build.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from orchestration.lib import warehouse
from orchestration.lib.fingerprint import file_digest, folder_state, state_fingerprint

BUILT_TABLE = "_dbt_built"
PROJECT_ROW = "__dbt_project__"
PROJECT_PARTS = ("models", "macros", "seeds", "tests")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def project_fingerprint(project_dir: Path) -> str:
    state = {
        f"{part}/{name}": digest
        for part in PROJECT_PARTS
        for name, digest in folder_state(project_dir / part).items()
    }
    state |= {name: file_digest(project_dir / name) for name in PROJECT_FILES}
    state |= {package: version(package) for package in ("dbt-core", "dbt-duckdb", "duckdb")}
    return state_fingerprint(state)


def changed_sources(database: Path, project: str, key: str | None = None) -> list[str] | None:
    """Raw tables landed anew since the last successful build; None means build everything."""
    built = _read(database, BUILT_TABLE, key)
    if built is None or built.get(PROJECT_ROW) != project:
        return None
    landed = _read(database, warehouse.LANDINGS_TABLE, key) or {}
    return sorted(table for table, fingerprint in landed.items() if built.get(table) != fingerprint)


def record_built(database: Path, project: str, key: str | None = None) -> None:
    """After a successful build: the landings it was built from, and the project."""
    with warehouse.connect(database, key=key) as connection:
        connection.execute(
            f'create or replace table raw."{BUILT_TABLE}" as '
            f'select table_name, fingerprint from raw."{warehouse.LANDINGS_TABLE}" '
            "union all select ?, ?",
            [PROJECT_ROW, project],
        )


def selection(changed: list[str]) -> list[str]:
    """dbt's own graph selection: every model and test downstream of the changed sources."""
    return ["--select", " ".join(f"source:raw.{table}+" for table in changed)]


def _read(database: Path, table: str, key: str | None) -> dict[str, str] | None:
    if not database.exists():
        return None
    with warehouse.connect(database, read_only=True, key=key) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchone()[0]
        if not exists:
            return None
        return dict(
            connection.execute(f'select table_name, fingerprint from raw."{table}"').fetchall()
        )
