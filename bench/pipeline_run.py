"""`idream run --force` as a user runs it, plus the time of each step from Dagster's event log.

Run in a process of its own by the bench (`python -m bench.pipeline_run RAW WAREHOUSE`):
the parent times the whole process and samples its memory; this prints one JSON object with
the run's steps, grouped into the stages of the pipeline.
"""

from __future__ import annotations

import json
import sys
import time

STARTED = time.perf_counter()

STAGES = ("ingest", "checks", "dbt", "publish")


def stage_of(step_key: str) -> str:
    """The pipeline stage a Dagster step belongs to, from its key."""
    if "_gx_" in step_key or step_key.startswith("quality"):
        return "checks"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("publish"):
        return "publish"
    if step_key.startswith("raw_"):
        return "ingest"
    return "other"


def step_times(entries) -> tuple[dict[str, float], float, float]:
    """Seconds per step, and the run's first and last event times."""
    started, steps = {}, {}
    run_start = run_end = None
    for entry in entries:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        # Run events keep their legacy names in the event log.
        if kind in ("RUN_START", "PIPELINE_START"):
            run_start = entry.timestamp
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE", "PIPELINE_SUCCESS", "PIPELINE_FAILURE"):
            run_end = entry.timestamp
        elif kind == "STEP_START":
            started[entry.step_key] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in started:
            steps[entry.step_key] = entry.timestamp - started[entry.step_key]
    return steps, run_start, run_end


def main(raw_dir: str, warehouse_dir: str) -> int:
    import dagster as dg

    instances = []
    ephemeral = dg.DagsterInstance.ephemeral

    def keep(*args, **kwargs):
        instance = ephemeral(*args, **kwargs)
        instances.append(instance)
        return instance

    # The runner makes its own ephemeral instance; keep it to read the run's event log.
    dg.DagsterInstance.ephemeral = staticmethod(keep)
    from orchestration import cli

    exit_code = cli.main(["run", "--force", "--raw-dir", raw_dir, "--warehouse-dir", warehouse_dir])
    finished = time.perf_counter()
    instance = instances[-1]
    run = next(iter(instance.get_runs(limit=1)))
    steps, run_start, run_end = step_times(instance.all_logs(run.run_id))
    stages = dict.fromkeys(STAGES, 0.0)
    for step, seconds in steps.items():
        stage = stage_of(step)
        stages[stage] = stages.get(stage, 0.0) + seconds
    result = {
        "exit_code": exit_code,
        "in_process_seconds": finished - STARTED,
        "run_seconds": (run_end - run_start) if run_start and run_end else None,
        "stages": stages,
        "steps": steps,
    }
    print("BENCH_RESULT " + json.dumps(result))
    return exit_code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
