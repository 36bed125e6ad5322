"""What Dagster's instance recorded of one pipeline run: each step's time, grouped into the
pipeline's stages, and the run's own start-to-end time.

`idream run` records its runs in the persistent instance at $DAGSTER_HOME and prints the
run's id (`idream: run <id> succeeded.`); the bench gives each checkout a DAGSTER_HOME of its
own and, after the run, starts this file in a process of its own with that checkout's
interpreter, so the instance is read by the Dagster version that wrote it:

    CHECKOUT/.venv/bin/python bench/pipeline_run.py RUN_ID     (prints one JSON object)

It imports nothing from the bench or the project. A run the instance does not hold prints
{}: before issue 13, `idream run` executed on an ephemeral instance that kept nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

STAGES = ("ingest", "checks", "dbt", "publish")
RUN_LINE = re.compile(r"^idream: run ([0-9a-f-]{36}) (?:succeeded|failed)", re.MULTILINE)
# What the dbt step logs of dbt's own graph (orchestration/lib/dbt_invocation.py).
GRAPH_LINE = re.compile(r"^dbt graph: \d+ nodes \((?P<kinds>[^)]*)\) in (?P<seconds>[0-9.]+) s")


def run_id_in(output: str) -> str | None:
    """The run id `idream run` printed, or None (a no-op run, or one that failed to start)."""
    found = RUN_LINE.search(output)
    return found.group(1) if found else None


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


# The checks stage's one step that validates nothing: it stores the suites' results in
# GX and renders its Data Docs, a cost that does not grow with the data's size.
REPORT_STEP = "quality__report"


def checks_split(steps: dict[str, float]) -> tuple[float, float]:
    """The checks stage as (its rules' steps, its report step): the floor is of the rules."""
    report = sum(seconds for step, seconds in steps.items() if step.startswith(REPORT_STEP))
    rules = sum(
        seconds
        for step, seconds in steps.items()
        if stage_of(step) == "checks" and not step.startswith(REPORT_STEP)
    )
    return rules, report


def stages_of(steps: dict[str, float]) -> dict[str, float]:
    """Seconds per stage: the sum of its steps' times (steps of one stage may overlap)."""
    stages = dict.fromkeys(STAGES, 0.0)
    for step, seconds in steps.items():
        stage = stage_of(step)
        stages[stage] = stages.get(stage, 0.0) + seconds
    return stages


def recorded(run_id: str) -> dict:
    """The run's steps and start-to-end time from the instance at $DAGSTER_HOME."""
    # An instance folder that does not exist was never written: do not create one.
    if not Path(os.environ.get("DAGSTER_HOME", "")).is_dir():
        return {}
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        if instance.get_run_by_id(run_id) is None:
            return {}
        steps = {
            stats.step_key: stats.end_time - stats.start_time
            for stats in instance.get_run_step_stats(run_id)
            if stats.start_time is not None and stats.end_time is not None
        }
        run = instance.get_run_stats(run_id)
        graph = next(
            filter(None, (dbt_graph(entry.user_message) for entry in instance.all_logs(run_id))),
            None,
        )
    run_seconds = run.end_time - run.start_time if run.start_time and run.end_time else None
    found = {"run_seconds": run_seconds, "steps": steps, "stages": stages_of(steps)}
    return found | ({"dbt_graph": graph} if graph else {})


def dbt_graph(message: str) -> dict | None:
    """{"elapsed": seconds, "nodes": {"model": 17, ...}} from the dbt step's graph line."""
    found = GRAPH_LINE.match(message or "")
    if not found:
        return None
    nodes = {}
    for part in found["kinds"].split(", "):
        count, _, kind = part.partition(" ")
        nodes[kind] = int(count)
    return {"elapsed": float(found["seconds"]), "nodes": nodes}


if __name__ == "__main__":
    print(json.dumps(recorded(sys.argv[1])))
