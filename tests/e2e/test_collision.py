"""A CLI run and a run Dagster launches on one warehouse at once take turns: every step
that opens the DuckDB build file waits for the warehouse pool's one slot. A file of its own,
so that its two runs go to a test worker of their own (tests/conftest.py groups by file)."""

import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT
from tests.e2e.test_operations import programme_of, published_participants


def test_a_cli_run_and_a_run_dagster_launches_take_turns_on_one_warehouse(tmp_path):
    """`idream run` and a run Dagster launches from the code location (as the UI, the
    schedule and the sensor do; `dg launch` here) on one warehouse at once: both succeed,
    because every step that opens the DuckDB build file waits for the pool's one slot.
    Without the pool, one of them fails on DuckDB's file lock."""
    import dagster as dg

    from orchestration.runner import dagster_home

    # The instance as `make` leaves it before anything runs: its dagster.yaml (the warehouse
    # pool's limit) in place and its storage created. Two processes creating one SQLite
    # instance at the same moment race on its schema, and a process that found no
    # dagster.yaml would run without the pool.
    new_raw = programme_of(3).write(tmp_path / "raw")
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        # The programme (its folder's name: no [programme] id) as a partition, as `idream
        # run` or the sensor adds it, before `dg launch` names it.
        instance.add_dynamic_partitions("programmes", ["raw"])
    warehouse = tmp_path / "warehouse"
    bin_dir = os.path.dirname(sys.executable)
    env = {
        **os.environ,
        "IDREAM_RAW_DIR": str(new_raw),
        "IDREAM_WAREHOUSE_DIR": str(warehouse),
        # dg refuses to run from a project whose .venv is not the active one.
        "VIRTUAL_ENV": os.path.dirname(bin_dir),
    }
    commands = {
        "cli": [os.path.join(bin_dir, "idream"), "run", "--force"],
        "dagster": [
            *[os.path.join(bin_dir, "dg"), "launch", "--job", "idream_pipeline"],
            *["--partition", "raw"],
        ],
    }
    runs = {
        name: subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, command in commands.items()
    }
    outputs = {name: run.communicate(timeout=600)[0] for name, run in runs.items()}
    for name, run in runs.items():
        assert run.returncode == 0, outputs[name]
    assert published_participants(warehouse) == 3

    with dg.DagsterInstance.from_config(os.environ["DAGSTER_HOME"]) as instance:
        both = (
            instance.get_runs(filters=dg.RunsFilter(tags={"idream/raw_dir": str(new_raw)}), limit=1)
            + [run for run in instance.get_runs(limit=5) if "idream/launched_by" not in run.tags][
                :1
            ]
        )
        assert len(both) == 2 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in both)
        intervals = [
            [
                (step.start_time, step.end_time)
                for step in instance.get_run_step_stats(run.run_id)
                if step.step_key != "quality__report"  # reads no warehouse: not in the pool
            ]
            for run in both
        ]
    # The runs took turns step by step: no step of one overlaps a step of the other.
    for start, end in intervals[0]:
        for other_start, other_end in intervals[1]:
            assert end <= other_start or other_end <= start
