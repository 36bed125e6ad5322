"""A smoke run of the benchmark command at a tiny scale: it runs end to end, its floors
compute what the pipeline computes, and it writes its table. No time is asserted."""

import json
import subprocess
import sys

from bench.pipeline_run import stage_of
from tests.conftest import PROJECT_ROOT


def test_steps_are_grouped_into_the_pipeline_s_stages():
    assert stage_of("raw_success_markers") == "ingest"
    assert stage_of("raw__success_markers_gx_raw_success_markers") == "checks"
    assert stage_of("marts__mart_domain_rates_gx_mart_domain_rates") == "checks"
    assert stage_of("quality__report") == "checks"
    assert stage_of("idream_dbt_models") == "dbt"
    assert stage_of("publish__evidence_brief") == "publish"


def test_bench_command_smoke_run(tmp_path):
    results = tmp_path / "results"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--scales",
            "2",
            "--no-fixed",
            "--data-dir",
            str(tmp_path / "data"),
            "--results",
            str(results),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    measured = json.loads((results / "latest.json").read_text())
    (scale,) = measured["scales"]
    assert scale["scale"] == 2 and scale["exit_code"] == 0 and scale["noop_exit_code"] == 0
    assert scale["inputs"]["participants"] == 80
    assert set(scale["stages"]) >= {"ingest", "checks", "dbt", "publish"}
    assert all(seconds > 0 for seconds in scale["stages"].values())
    # The floors computed the same marts as the pipeline: a faster wrong floor is no floor.
    assert set(scale["transform_floor"]["differing_rows"].values()) == {0}
    assert scale["read_floor"]["rows"] > scale["inputs"]["markers"]
    assert scale["peak_mb"] > 100
    # dbt's own account of the build it ran in this run, not a stale one.
    assert scale["dbt_graph"]["nodes"]["model"] >= 10
    assert 0 < scale["dbt_graph"]["elapsed"] < scale["stages"]["dbt"]
    assert "| x2 |" in (results / "latest.md").read_text()
