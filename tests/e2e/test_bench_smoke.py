"""A smoke run of the benchmark command at a tiny scale: it runs end to end, its floors
compute what the pipeline computes, the stock-tools floor is measured on the run's own
warehouse, step times come from the run's Dagster instance, and it writes its table.
No time is asserted."""

import json
import subprocess
import sys

import dagster as dg

from bench.pipeline_run import checks_split, dbt_graph, run_id_in, stage_of
from orchestration.lib.dbt_invocation import Invocation, NodeResult
from tests.conftest import PROJECT_ROOT

RUN_RECORD_READER = PROJECT_ROOT / "bench" / "pipeline_run.py"
# Before issue 13, `idream run` executed on an ephemeral instance that kept no step times;
# the dbt server went with that launch path, so its presence tells which path this code has.
EPHEMERAL_LAUNCH_PATH = (PROJECT_ROOT / "orchestration" / "dbt_server.py").exists()


def test_steps_are_grouped_into_the_pipeline_s_stages():
    assert stage_of("raw_success_markers") == "ingest"
    assert stage_of("quality_checks_raw") == "checks"
    assert stage_of("marts__mart_domain_rates_gx_mart_domain_rates") == "checks"  # before
    assert stage_of("quality__report") == "checks"
    assert stage_of("idream_dbt_models") == "dbt"
    assert stage_of("publish__evidence_brief") == "publish"


def test_the_checks_stage_splits_into_its_rules_and_its_report():
    steps = {
        "raw_participants": 1.0,
        "quality_checks_raw": 2.0,
        "quality_checks_marts": 0.5,
        "quality__report": 4.0,
        "idream_dbt_models": 9.0,
    }
    assert checks_split(steps) == (2.5, 4.0)


def test_the_bench_reads_dbt_s_graph_from_the_line_the_dbt_step_logs():
    invocation = Invocation(
        success=True,
        results=[
            NodeResult("test.p.not_null_x", "pass", "", 0.1),
            NodeResult("model.p.a", "success", "", 0.2),
            NodeResult("model.p.b", "success", "", 0.2),
            NodeResult("seed.p.s", "success", "", 0.1),
        ],
        elapsed=3.314,
    )
    line = invocation.graph_line()
    assert line == "dbt graph: 4 nodes (2 model, 1 seed, 1 test) in 3.31 s"
    assert dbt_graph(line) == {"elapsed": 3.31, "nodes": {"model": 2, "seed": 1, "test": 1}}
    assert dbt_graph("dbt build --vars ...") is None


def test_the_run_id_is_read_from_what_idream_run_prints():
    run_id = "20ab95e7-f15f-4959-89d2-cba5c59350c6"
    printed = f"  ingest  1.2 s\nidream: run {run_id} succeeded.\n  warehouse: w/idream.duckdb\n"
    assert run_id_in(printed) == run_id
    assert run_id_in(f"idream: run {run_id} failed; nothing was published.\n") == run_id
    # A no-op re-run starts no Dagster run.
    assert run_id_in("idream: nothing changed since run abc (same raw files)\n") is None


def _reader(run_id: str, dagster_home) -> dict:
    completed = subprocess.run(
        [sys.executable, str(RUN_RECORD_READER), run_id],
        env={"DAGSTER_HOME": str(dagster_home), "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def test_step_times_are_read_from_the_instance_that_recorded_the_run(tmp_path):
    @dg.op
    def raw_participants():
        return 1

    @dg.op
    def publish__evidence_brief(rows):
        return rows

    @dg.job
    def pipeline():
        publish__evidence_brief(raw_participants())

    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        run_id = pipeline.execute_in_process(instance=instance).run_id
    recorded = _reader(run_id, home)
    assert set(recorded["steps"]) == {"raw_participants", "publish__evidence_brief"}
    assert recorded["stages"]["ingest"] == recorded["steps"]["raw_participants"]
    assert recorded["stages"]["publish"] == recorded["steps"]["publish__evidence_brief"]
    assert recorded["run_seconds"] >= recorded["stages"]["ingest"]
    # A run the instance does not hold (an ephemeral one), or no instance at all: nothing,
    # and no instance folder is made where there was none.
    assert _reader("00000000-0000-0000-0000-000000000000", home) == {}
    assert _reader(run_id, tmp_path / "none") == {}
    assert not (tmp_path / "none").exists()


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
    (ours,) = scale["runs"].values()
    assert scale["scale"] == 2 and ours["exit_code"] == 0 and ours["noop_exit_code"] == 0
    assert scale["inputs"]["participants"] == 80
    assert ours["run_id"]
    if EPHEMERAL_LAUNCH_PATH:
        assert ours["stages"] == {} and ours["startup_seconds"] is None
    else:
        # The run was recorded in the bench's own instance, not the project's.
        assert (tmp_path / "data" / "dagster_home").is_dir()
        assert set(ours["stages"]) >= {"ingest", "checks", "dbt", "publish"}
        assert all(seconds > 0 for seconds in ours["stages"].values())
        assert 0 < ours["startup_seconds"] < ours["total_seconds"]
        # dbt's own account of the build it ran in this run's dbt step, not a stale one.
        assert 0 < ours["dbt_graph"]["elapsed"] < ours["stages"]["dbt"]
    # The stock-tools floor: both parts measured, and its dbt build really built the
    # project on the run's warehouse (dbt's own account, in the floor's target folder).
    floor = scale["stock_floor"]
    assert floor["error"] is None
    assert floor["seconds"] == floor["imports_seconds"] + floor["dbt_build_seconds"]
    assert floor["dbt_graph"]["nodes"]["model"] >= 10
    assert ours["floor_ratio"] == ours["total_seconds"] / floor["seconds"]
    # The floors computed the same marts as the pipeline: a faster wrong floor is no floor.
    assert set(scale["transform_floor"]["differing_rows"].values()) == {0}
    assert scale["read_floor"]["rows"] > scale["inputs"]["markers"]
    assert ours["peak_mb"] > 100
    assert ours["dbt_graph"]["nodes"]["model"] >= 10
    table = (results / "latest.md").read_text()
    assert "| x2 |" in table and "stock-tools floor" in table
