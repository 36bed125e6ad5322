"""Keep dbt's parsed manifest current: Dagster builds its dbt assets from it at load time."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

# A change to any of these can change the manifest.
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in DBT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*")
        if any(p.is_file() and p.stat().st_mtime > built for p in paths):
            return True
    return False


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """`dbt parse` only when the manifest is missing or older than the project's files
    (a stat of a few dozen files, instead of three seconds of parsing on every load)."""
    if not manifest_is_stale(project_dir):
        return
    # Processes loading the definitions at once (the UI's code server and `idream run`,
    # parallel test workers) would otherwise parse into one target folder together.
    (project_dir / "target").mkdir(exist_ok=True)
    with (project_dir / "target" / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_stale(project_dir):
            run_dbt_command(["parse", "--quiet"], project_dir)


def run_dbt_command(
    args: list[str],
    project_dir: Path = DBT_PROJECT_DIR,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> int:
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]
    environment = {**os.environ, **env} if env else None
    return subprocess.run(command, check=check, env=environment).returncode
