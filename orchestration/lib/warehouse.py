"""The DuckDB files: the build copy every run writes, and the published one analysts read.

DuckDB allows one writer, and a reader blocks it. So a run never writes the file analysts
have open: it builds in `<warehouse>/.build/`, and only a run that passed every step
replaces `<warehouse>/idream.duckdb` (and `<warehouse>/brief/`) with an atomic rename.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl

RAW_SCHEMA = "raw"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def replace_tables(path: Path, tables: dict[str, pl.DataFrame], schema: str = RAW_SCHEMA) -> None:
    """Replace several tables in one transaction: a failure leaves all of them as they were."""
    with connect(path) as connection:
        connection.execute(f'create schema if not exists "{schema}"')
        connection.execute("begin transaction")
        try:
            for name, frame in tables.items():
                connection.register("landing_frame", frame)
                connection.execute(
                    f'create or replace table "{schema}"."{name}" as select * from landing_frame'
                )
                connection.unregister("landing_frame")
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise


def query(path: Path, sql: str) -> pl.DataFrame:
    with connect(path, read_only=True) as connection:
        return connection.execute(sql).pl()


def clean_scratch(scratch: Path, run_id: str) -> None:
    """Remove what killed runs left in the scratch folder; this run's entries stay."""
    if not scratch.is_dir():
        return
    for leftover in scratch.iterdir():
        if f".{run_id}." not in leftover.name:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def scratch_path(scratch: Path, name: str, run_id: str, suffix: str) -> Path:
    """Staging paths live in the warehouse folder's scratch space: the same file system as
    what they replace (so a rename is atomic), and out of analysts' sight."""
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch / f"{name}.{run_id}.{suffix}"


def publish_database(build_path: Path, published_path: Path, scratch: Path, run_id: str) -> None:
    """Copy the finished build over the published warehouse in one atomic rename.

    The copy is checkpointed first so the file holds everything (no write-ahead log),
    and fsynced before the rename so a crash cannot publish a half-written file.
    """
    with connect(build_path) as connection:
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
