"""Two published briefs compared as the project promises: the same inputs give the same
bytes, the run-metadata block apart (the run's id and time, and the hashes of the three
documents that print them). Used for two runs on one backend and for DuckDB against
PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from orchestration.lib.publishing import QUALITY_SUMMARY
from orchestration.lib.report.quality_status import REPORT_LINK


def normalised(
    path: Path, run_id: str, published_at: str, link: str = REPORT_LINK
) -> dict[str, bytes]:
    """A published file's bytes with this run's id and time replaced (each member of a
    workbook separately): what must be identical between two runs on the same inputs.
    `link`: where this brief's quality report is (a programme under a root has its own)."""

    def scrub(data: bytes) -> bytes:
        # The workbook's hyperlink holds the link with Windows separators.
        for separator in ("/", "\\"):
            theirs, ours = (text.replace("/", separator) for text in (link, REPORT_LINK))
            data = data.replace(theirs.encode(), ours.encode())
        return data.replace(run_id.encode(), b"<run>").replace(published_at.encode(), b"<at>")

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as workbook:
            return {name: scrub(workbook.read(name)) for name in workbook.namelist()}
    return {"": scrub(path.read_bytes())}


def assert_same_brief_but_run_metadata(
    first: Path, first_run: str, second: Path, second_run: str, second_link: str = REPORT_LINK
) -> None:
    """`second` may be a programme under a root (`second_link`: the link to its quality
    report): it then also holds its quality_summary.json, which is not compared."""
    extra = {QUALITY_SUMMARY} if second_link != REPORT_LINK else set()
    names = sorted(p.name for p in second.iterdir() if p.name not in extra)
    assert sorted(p.name for p in first.iterdir()) == names
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
                for name in ("brief.html", "brief.md", "brief.xlsx", *extra):
                    record["outputs"].pop(name, None)
            assert records[0] == records[1]
        else:
            assert normalised(path, first_run, times[first_run]) == normalised(
                twin, second_run, times[second_run], second_link
            ), path.name
