"""Two published briefs compared as the project promises: the same inputs give the same
bytes, the run-metadata block apart (the run's id and time, and the hashes of the three
documents that print them). Used for two runs on one backend and for DuckDB against
PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path


def normalised(path: Path, run_id: str, published_at: str) -> dict[str, bytes]:
    """A published file's bytes with this run's id and time replaced (each member of a
    workbook separately): what must be identical between two runs on the same inputs."""

    def scrub(data: bytes) -> bytes:
        return data.replace(run_id.encode(), b"<run>").replace(published_at.encode(), b"<at>")

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as workbook:
            return {name: scrub(workbook.read(name)) for name in workbook.namelist()}
    return {"": scrub(path.read_bytes())}


def assert_same_brief_but_run_metadata(
    first: Path, first_run: str, second: Path, second_run: str
) -> None:
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    times = {
        run: json.loads((folder / "provenance.json").read_text())["published_at"]
        for run, folder in ((first_run, first), (second_run, second))
    }
    for path in sorted(first.iterdir()):
        twin = second / path.name
        if path.suffix in (".csv", ".parquet", ".svg", ".png"):
            # Tables and charts carry no run metadata at all.
            assert path.read_bytes() == twin.read_bytes(), path.name
        elif path.name == "provenance.json":
            # The run's block, and the hashes of the files that hold it, differ; no more.
            records = [json.loads(p.read_text()) for p in (path, twin)]
            for record in records:
                del record["run_id"], record["published_at"]
                for name in ("brief.html", "brief.md", "brief.xlsx"):
                    del record["outputs"][name]
            assert records[0] == records[1]
        else:
            assert normalised(path, first_run, times[first_run]) == normalised(
                twin, second_run, times[second_run]
            ), path.name
