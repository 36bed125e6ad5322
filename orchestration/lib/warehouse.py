"""The DuckDB files: the build copy every run writes, and the published one analysts read.

DuckDB allows one writer, and a reader blocks it. So a run never writes the file analysts
have open: it builds in `<warehouse>/.build/`, and only a run that passed every step
replaces `<warehouse>/idream.duckdb` (and `<warehouse>/brief/`) with an atomic rename.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib import encryption
from orchestration.lib.spilled import SpilledTable

RAW_SCHEMA = "raw"
# Free text, kept only when the programme settings ask; nothing published reads it.
RESTRICTED_SCHEMA = "restricted"


def connect(
    path: Path, read_only: bool = False, key: str | None = None
) -> duckdb.DuckDBPyConnection:
    """`key`: the warehouse is encrypted at rest with it (lib/encryption.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if key:
        return encryption.connect(path, key, read_only=read_only)
    return duckdb.connect(str(path), read_only=read_only)


def discard(path: Path) -> None:
    """Remove a build copy, write-ahead log included; the next landing starts a new one."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def holds_schema(path: Path, schema: str, key: str | None) -> bool:
    if not path.exists():
        return False
    with connect(path, read_only=True, key=key) as connection:
        return bool(
            connection.execute(
                "select count(*) from information_schema.schemata where schema_name = ?",
                [schema],
            ).fetchone()[0]
        )


def discard_if_unreadable(path: Path, key: str | None) -> bool:
    """Remove the build copy when it was written with another encryption setting or key.

    It is a cache of the last build, and the published warehouse is untouched: the run
    lands and builds everything anew. Returns whether it was removed."""
    if not path.exists():
        return False
    try:
        with connect(path, read_only=True, key=key):
            return False
    except duckdb.Error as error:
        # DuckDB's three refusals: a key for a plain file, none or a wrong one for an
        # encrypted file. Any other error is not this function's to swallow.
        if "encrypt" not in str(error).lower():
            raise
    discard(path)
    return True


LANDINGS_TABLE = "_landings"
# A landing copies rows into the file once: DuckDB's cache of the blocks it writes is of no
# use to it. Capped, 27 million survey answers land in 0.5 GB instead of 1.1 GB, and no
# slower (docs/performance.md).
LANDING_MEMORY_LIMIT = "256MB"
LANDINGS_COLUMNS = ["table_name", "fingerprint", "landed_at"]


def replace_tables(
    path: Path,
    tables: dict[str, pl.DataFrame | SpilledTable],
    fingerprint: str,
    schema: str = RAW_SCHEMA,
    restricted: dict[str, pl.DataFrame | None] | None = None,
    key: str | None = None,
) -> None:
    """Replace several tables, and record the fingerprint of the inputs they were landed
    from, in one transaction: a failure leaves all of them as they were.

    `restricted` tables (free text) go to the `restricted` schema, which no model reads;
    a None drops the table, so turning free text off removes what was kept before.
    A `SpilledTable` is read from its Parquet parts by DuckDB, in their order, without
    passing through Python's memory."""
    with connect(path, key=key) as connection:
        connection.execute(f"set memory_limit = '{LANDING_MEMORY_LIMIT}'")
        connection.execute(f'create schema if not exists "{schema}"')
        columns = connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, LANDINGS_TABLE],
        ).fetchall()
        if [name for (name,) in columns] != LANDINGS_COLUMNS:
            # Missing, or written by an older version: forgetting it only costs re-landing.
            connection.execute(
                f'create or replace table "{schema}"."{LANDINGS_TABLE}" '
                "(table_name varchar primary key, fingerprint varchar not null, "
                "landed_at timestamptz)"
            )
        connection.execute("begin transaction")
        try:
            _replace_restricted(connection, restricted or {})
            for name, table in tables.items():
                _create_table(connection, f'"{schema}"."{name}"', table)
                connection.execute(
                    f'insert or replace into "{schema}"."{LANDINGS_TABLE}" '
                    "values (?, ?, current_timestamp)",
                    [name, fingerprint],
                )
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise


def _create_table(connection, qualified: str, table: pl.DataFrame | SpilledTable) -> None:
    if isinstance(table, SpilledTable):
        connection.execute(
            f"create or replace table {qualified} as select * from read_parquet(?)",
            [[str(path) for path in table.parts]],
        )
        return
    connection.register("landing_frame", table)
    connection.execute(f"create or replace table {qualified} as select * from landing_frame")
    connection.unregister("landing_frame")


def _replace_restricted(connection, tables: dict[str, pl.DataFrame | None]) -> None:
    for name, frame in tables.items():
        if frame is None:
            connection.execute(f'drop table if exists "{RESTRICTED_SCHEMA}"."{name}"')
            continue
        connection.execute(f'create schema if not exists "{RESTRICTED_SCHEMA}"')
        connection.register("restricted_frame", frame)
        connection.execute(
            f'create or replace table "{RESTRICTED_SCHEMA}"."{name}" as '
            "select * from restricted_frame"
        )
        connection.unregister("restricted_frame")
    if tables and all(frame is None for frame in tables.values()):
        # An empty `restricted` schema would still tell analysts that free text exists.
        remaining = connection.execute(
            "select count(*) from information_schema.tables where table_schema = ?",
            [RESTRICTED_SCHEMA],
        ).fetchone()[0]
        if not remaining:
            connection.execute(f'drop schema if exists "{RESTRICTED_SCHEMA}"')


def landed_fingerprint(
    path: Path, tables: list[str], schema: str = RAW_SCHEMA, key: str | None = None
) -> str | None:
    """The fingerprint all of `tables` were last landed from, or None (never, or not alike)."""
    if not path.exists():
        return None
    with connect(path, read_only=True, key=key) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, LANDINGS_TABLE],
        ).fetchone()[0]
        if not exists:
            return None
        rows = connection.execute(
            f'select table_name, fingerprint from "{schema}"."{LANDINGS_TABLE}"'
        ).fetchall()
    found = {name: fingerprint for name, fingerprint in rows if name in tables}
    prints = set(found.values())
    return prints.pop() if len(found) == len(tables) and len(prints) == 1 else None


def query(path: Path, sql: str, key: str | None = None) -> pl.DataFrame:
    with connect(path, read_only=True, key=key) as connection:
        return connection.execute(sql).pl()


def clean_scratch(scratch: Path, run_id: str, keep: Collection[str] = ()) -> None:
    """Remove what killed runs left in the scratch folder; the entries of this run and of
    the runs in `keep` (the others in progress on this warehouse) stay."""
    if not scratch.is_dir():
        return
    ours = [f".{run}." for run in (run_id, *keep)]
    for leftover in scratch.iterdir():
        if not any(marker in leftover.name for marker in ours):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def scratch_path(scratch: Path, name: str, run_id: str, suffix: str) -> Path:
    """Staging paths live in the warehouse folder's scratch space: the same file system as
    what they replace (so a rename is atomic), and out of analysts' sight."""
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch / f"{name}.{run_id}.{suffix}"


def publish_database(
    build_path: Path, published_path: Path, scratch: Path, run_id: str, key: str | None = None
) -> None:
    """Copy the finished build over the published warehouse in one atomic rename.

    The copy is checkpointed first so the file holds everything (no write-ahead log),
    and fsynced before the rename so a crash cannot publish a half-written file.
    """
    with connect(build_path, key=key) as connection:
        connection.execute("checkpoint")
    staged = scratch_path(scratch, published_path.name, run_id, "tmp")
    try:
        shutil.copyfile(build_path, staged)
        _fsync(staged)
        os.replace(staged, published_path)
    finally:
        staged.unlink(missing_ok=True)
    _fsync_dir(published_path.parent)


def publish_folder(staged_dir: Path, published_dir: Path, scratch: Path, run_id: str) -> None:
    """Swap a fully written folder into place; the old one is removed only afterwards."""
    retired = scratch_path(scratch, published_dir.name, run_id, "old")
    if published_dir.exists():
        os.replace(published_dir, retired)
    os.replace(staged_dir, published_dir)
    _fsync_dir(published_dir.parent)
    shutil.rmtree(retired, ignore_errors=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
