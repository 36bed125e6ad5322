"""Provenance of a publication: which run, when, from which raw files (SHA-256), with which
code and package versions. The run id and the time are the only values that differ between
two runs on the same inputs: renderers put them in one run-metadata block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.fingerprint import PACKAGES, code_state, folder_state, state_fingerprint

PIPELINE = "idream-pipeline"


@dataclass(frozen=True)
class Provenance:
    run_id: str
    published_at: str
    pipeline_version: str
    code_fingerprint: str
    packages: tuple[tuple[str, str], ...]
    raw_files: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "published_at": self.published_at,
            "pipeline": {"version": self.pipeline_version, "code_sha256": self.code_fingerprint},
            "packages": dict(self.packages),
            "raw_files": dict(self.raw_files),
        }

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs, run metadata first, for tables in the report and workbook."""
        return [
            ("Run id", self.run_id),
            ("Published at (UTC)", self.published_at),
            ("Pipeline version", f"{PIPELINE} {self.pipeline_version}"),
            ("Pipeline code (SHA-256)", self.code_fingerprint),
            *((f"Package {name}", version) for name, version in self.packages),
            *((f"Raw file {name} (SHA-256)", digest) for name, digest in self.raw_files),
        ]


def collect(
    run_id: str, raw_dir: Path, project_root: Path, now: datetime | None = None
) -> Provenance:
    from importlib.metadata import version

    code = code_state(project_root)
    published = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return Provenance(
        run_id=run_id,
        published_at=published.isoformat().replace("+00:00", "Z"),
        pipeline_version=version(PIPELINE),
        code_fingerprint=state_fingerprint(code),
        packages=tuple((name, version(name)) for name in PACKAGES),
        raw_files=tuple(sorted(folder_state(raw_dir).items())),
    )
