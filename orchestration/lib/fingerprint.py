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
