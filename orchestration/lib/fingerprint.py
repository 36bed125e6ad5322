"""Content fingerprints of the raw folder: what the sensor watches and what a re-run compares.

Content hashes, not modification times: copying a folder back, or saving a workbook
without changing it, is the same state and must not cause a run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from orchestration.lib.raw_files import is_ignored

CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file below `folder`, lock and hidden files excepted."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): file_digest(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(is_ignored(Path(part)) for part in path.relative_to(folder).parts)
    }


def state_fingerprint(state: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode("utf-8")).hexdigest()


# What decides a run's outputs besides the raw files: the code, the dbt project, the
# suites, and the versions of the packages that compute.
CODE_FOLDERS = (
    "orchestration",
    "transforms/models",
    "transforms/macros",
    "transforms/tests",
    "expectations/suites",
)
CODE_FILES = ("transforms/dbt_project.yml", "transforms/profiles.yml")
PACKAGES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "polars",
    "fastexcel",
    "great-expectations",
    # The brief's renderers: a new version can change the published HTML, workbook or charts.
    "great-tables",
    "altair",
    "vl-convert-python",
    "xlsxwriter",
    "pyarrow",
)
FINGERPRINT_TAG = "idream/fingerprint"
# A run with this tag set to "true" redoes every landing and rebuilds every model.
FULL_REBUILD_TAG = "idream/full_rebuild"


def code_state(project_root: Path) -> dict[str, str]:
    from importlib.metadata import version

    state = {}
    for folder in CODE_FOLDERS:
        for name, digest in folder_state(project_root / folder).items():
            if "__pycache__" not in name:
                state[f"{folder}/{name}"] = digest
    for name in CODE_FILES:
        state[name] = file_digest(project_root / name)
    for package in PACKAGES:
        state[f"package:{package}"] = version(package)
    return state


def pipeline_fingerprint(
    raw_dir: Path,
    project_root: Path,
    key_file: Path,
    production: bool,
    raw_state: dict[str, str] | None = None,
    warehouse_key_file: Path | None = None,
    warehouse: str = "duckdb",
) -> str | None:
    """One hash of everything a run's outputs depend on; None when it cannot be known
    without running (no key yet: the run will create one). `raw_state`, when the caller
    has already hashed the raw folder, saves hashing it again."""
    if not key_file.exists() or (warehouse_key_file and not warehouse_key_file.exists()):
        return None
    state = {
        "raw": state_fingerprint(folder_state(raw_dir) if raw_state is None else raw_state),
        "code": state_fingerprint(code_state(project_root)),
        # A new key means new pseudonyms everywhere. Its hash is stored, never the key.
        "key": file_digest(key_file),
        "production": str(production),
        # Encrypting (or re-keying) the warehouse rewrites it.
        "warehouse_key": file_digest(warehouse_key_file) if warehouse_key_file else "plain",
        # Where the marts are published: a run into another warehouse is never a no-op.
        "warehouse": warehouse,
    }
    return state_fingerprint(state)


def read_published(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
