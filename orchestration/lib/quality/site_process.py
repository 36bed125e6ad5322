"""The run's Data Docs site, built by a process of its own that imports GX as the run starts.

Why: on the DuckDB warehouse the Data Docs are all a run needs Great Expectations for (the
rules run in SQL), and GX's import alone takes about 4 s on this 2-core machine, whatever
the data's size: most of the report step, and at x1 a seventh of the run. Started as the
run's resources are set up (`defs/resources.QualitySite`), this process imports GX on the
machine's spare CPU, below the run's priority, while the run ingests, checks and builds
(none of which needs GX); the report step then hands it the run's results and waits only
for the site (docs/performance.md, docs/decisions.md).

The exchange is one JSON line each way over the process's standard input and output:
`{"results_dir", "context_dir", "site_dir"}` in, `{"built": bool}` out; the work is
`gx_results.build_site`, the same function a run calls in its own process when there is
no such process (the PostgreSQL warehouse, where the checks import GX anyway).

Only paths cross: the results and the site are files in the run's build folder. The
process writes nothing else, and its error output is kept in memory, not on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# How much of the process's error output a failure quotes: GX's last lines say what broke.
_QUOTED_ERROR_LINES = 5
# The process's CPU priority below the run's (os.nice; 19 is the lowest).
_NICENESS = 10


class SiteProcessError(Exception):
    pass


class SiteProcess:
    """One Data Docs build, by a process started now. `build` once, or `close` unused."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "GX_ANALYTICS_ENABLED": "false"},
        )

    @property
    def pid(self) -> int:
        return self._process.pid

    def build(self, results_dir: Path, context_dir: Path, site_dir: Path) -> bool:
        """`gx_results.build_site(results_dir, context_dir, site_dir)`, in the process;
        waits for it (and for GX's import, if that is not done yet)."""
        request = {
            "results_dir": str(results_dir),
            "context_dir": str(context_dir),
            "site_dir": str(site_dir),
        }
        out, err = self._process.communicate(json.dumps(request) + "\n")
        if self._process.returncode != 0:
            last = "\n".join(err.strip().splitlines()[-_QUOTED_ERROR_LINES:])
            raise SiteProcessError(
                f"the Data Docs process failed (exit code {self._process.returncode}):\n{last}"
            )
        return bool(json.loads(out.strip().splitlines()[-1])["built"])

    def close(self) -> None:
        """Stop the process if it was never given its work (a run that failed before its
        report): it would otherwise finish GX's import for nothing."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def _serve() -> int:
    # The run's own work comes first: at x1000 ingest keeps both cores busy, and an import
    # at the same priority took a core from it (the markers' step 10.2 -> 8.9 s, median of
    # six and three runs; docs/performance.md). 10, not 19: a run that waits for its report
    # while another programme's run is busy still gets the import done.
    os.nice(_NICENESS)
    # Imported before the request is read: that is the point of starting early.
    import great_expectations  # noqa: F401

    from orchestration.lib.quality import gx_results

    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the run ended without a report to build, or its process died
    request = json.loads(line)
    built = gx_results.build_site(
        Path(request["results_dir"]), Path(request["context_dir"]), Path(request["site_dir"])
    )
    print(json.dumps({"built": built}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
