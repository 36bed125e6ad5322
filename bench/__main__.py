"""The benchmark: each stage of the pipeline and the whole run at x1, x100 and x1000, beside
the floors measured in the same run, and the fixed costs that do not grow with data.

    .venv/bin/python -m bench [--scales 1,100,1000] [--repeat-x1 3] [--data-dir DIR]
                              [--results DIR]

For each scale: the scale generator's data (cached in --data-dir, outside git), then
`idream run --force` in a fresh process (wall time, peak memory of its process tree, and
each stage's time from Dagster's event log), `idream run` again with nothing changed, the
raw-read floor (fastexcel / DuckDB read_csv) and the transform floor (the dbt models as
hand-written SQL on a bare DuckDB). Prints a table and writes it, with the raw figures and
the machine, to <results>/latest.md and latest.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import Measured, run

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
IDREAM = str(Path(PYTHON).with_name("idream"))
DBT = str(Path(PYTHON).with_name("dbt"))
DEFAULT_DATA_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "idream-bench"
QUIET = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}
# Costs that do not grow with data, each in a fresh interpreter (python -c ...).
FIXED_COSTS = {
    "interpreter start": "pass",
    "import dagster": "import dagster",
    "import dagster_dbt": "import dagster_dbt",
    "import great_expectations": "import great_expectations",
    "load definitions (dagster, dagster-dbt, manifest)": (
        "from orchestration.definitions import defs; defs()"
    ),
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = (
        os.environ
        | QUIET
        | {
            "IDREAM_PSEUDONYM_KEY_FILE": str(data_dir / "bench.key"),
            "DAGSTER_HOME": str(PROJECT_ROOT / ".dagster_home"),
        }
    )
    # A plain warehouse: the floors open it without a key (encryption is measured nowhere).
    for name in ("IDREAM_ENV", "IDREAM_WAREHOUSE_KEY_FILE"):
        env.pop(name, None)
    results = {
        "machine": machine(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fixed_costs": {} if args.no_fixed else fixed_costs(env),
        "scales": [],
    }
    for scale in scales:
        repeat = args.repeat_x1 if scale == 1 else 1
        results["scales"].append(bench_scale(scale, data_dir, env, repeat))
        _print_scale(results["scales"][-1])
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (args.results / "latest.md").write_text(table)
    print(table)
    failed = [s["scale"] for s in results["scales"] if s["exit_code"] != 0]
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scales", default="1,100,1000", help="comma-separated scale factors")
    parser.add_argument(
        "--repeat-x1", type=int, default=3, help="full runs at x1 (the median is reported)"
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--results", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-cost timings")
    return parser


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "load_average_at_start": os.getloadavg()[0],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def fixed_costs(env: dict[str, str]) -> dict[str, float]:
    costs = {name: run([PYTHON, "-c", code], env).seconds for name, code in FIXED_COSTS.items()}
    # dbt's start-up and manifest load with nothing to do: the cost of one more invocation.
    costs["dbt invocation, nothing selected"] = run(
        [DBT, "ls", "--select", "tag:nothing", "--quiet"],
        env,
        cwd=PROJECT_ROOT / "transforms",
    ).seconds
    costs["the same through the run's warmed-up dbt server"] = served_dbt_command(env)
    return costs


def served_dbt_command(env: dict[str, str]) -> float:
    """What the run's dbt build pays before its graph once `idream run`'s dbt server has
    imported dbt and parsed the project (orchestration/dbt_server.py): the client's start,
    a fork, dbt's flags and configuration, its artifacts."""
    import tempfile

    from orchestration import dbt_server
    from orchestration.dbt_client import SERVER_VARIABLE
    from orchestration.settings import DBT_CLIENT_EXECUTABLE, DBT_PROJECT_DIR

    with tempfile.TemporaryDirectory() as folder:
        args = ["--vars", json.dumps({"database_path": f"{folder}/bench.duckdb"})]
        command = [str(DBT_CLIENT_EXECUTABLE), "build", *args, "--select", "tag:nothing"]
        target = {"DBT_TARGET_PATH": folder, "DBT_LOG_PATH": folder}
        with dbt_server.for_this_run(DBT_PROJECT_DIR, args, Path(folder)):
            served = env | target | {SERVER_VARIABLE: os.environ[SERVER_VARIABLE]}
            run(command, served, cwd=DBT_PROJECT_DIR)  # waits for the warm-up
            return run(command, served, cwd=DBT_PROJECT_DIR).seconds


def generated(scale: int, data_dir: Path) -> Path:
    """The raw folder at `scale`, generated once per version of the generators."""
    from orchestration.lib.fingerprint import file_digest

    raw_dir = data_dir / f"x{scale}" / "raw"
    stamp = raw_dir / ".generated"
    version = "|".join(
        file_digest(PROJECT_ROOT / "orchestration" / name)
        for name in ("sample_programme.py", "scale_programme.py")
    )
    if stamp.exists() and stamp.read_text() == version:
        return raw_dir
    import shutil

    from orchestration.scale_programme import generate

    shutil.rmtree(raw_dir, ignore_errors=True)
    generate(raw_dir, scale)
    stamp.write_text(version)  # hidden: the pipeline ignores files whose names start with '.'
    return raw_dir


def input_rows(raw_dir: Path) -> dict[str, int]:
    import fastexcel

    markers = sum(
        fastexcel.read_excel(path).load_sheet_by_name("markers").height
        for path in sorted((raw_dir / "success_markers").glob("[!~.]*.xlsx"))
    )
    participants = fastexcel.read_excel(raw_dir / "participants.xlsx").load_sheet(0).height
    stated = tomllib.loads((raw_dir / "programme.toml").read_text(encoding="utf-8"))
    respondents = sum(stated["survey_respondents"].values())
    return {"participants": participants, "markers": markers, "respondents": respondents}


def bench_scale(scale: int, data_dir: Path, env: dict[str, str], repeat: int) -> dict:
    raw_dir = generated(scale, data_dir)
    # One warehouse for every scale, as in production: dbt's partial parse depends on the
    # database path, so a new path per scale would add a full `dbt parse` to each first run.
    warehouse_dir = data_dir / "warehouse"
    runs = []
    for _ in range(repeat):
        measured = run([PYTHON, "-m", "bench.pipeline_run", str(raw_dir), str(warehouse_dir)], env)
        # dbt's figures of this run (the next one overwrites its run_results.json), so the
        # median run's step and graph times come from the same run.
        runs.append((measured, _pipeline_result(measured), _dbt_graph(warehouse_dir)))
    runs.sort(key=lambda run_: run_[0].seconds)
    measured, pipeline, dbt_graph = runs[len(runs) // 2]
    noop = run(
        [IDREAM, "run", "--raw-dir", str(raw_dir), "--warehouse-dir", str(warehouse_dir)], env
    )
    read_floor = _floor(run([PYTHON, "-m", "bench.floors", "read", str(raw_dir)], env))
    transform_floor = _floor(
        run(
            [PYTHON, "-m", "bench.floors", "transform", str(warehouse_dir / "idream.duckdb")],
            env,
        )
    )
    stages = pipeline.get("stages", {})
    return {
        "scale": scale,
        "inputs": input_rows(raw_dir),
        "exit_code": measured.returncode,
        "total_seconds": measured.seconds,
        "total_seconds_all_runs": [m.seconds for m, *_ in runs],
        "peak_mb": max(m.peak_mb for m, *_ in runs),
        "startup_seconds": measured.seconds - (pipeline.get("run_seconds") or 0),
        "stages": stages,
        "steps": pipeline.get("steps", {}),
        "dbt_graph": dbt_graph,
        "noop_seconds": noop.seconds,
        "noop_exit_code": noop.returncode,
        "read_floor": read_floor,
        "transform_floor": transform_floor,
        "ingest_ratio": _ratio(stages.get("ingest"), read_floor.get("seconds")),
        "dbt_ratio": _ratio(stages.get("dbt"), transform_floor.get("seconds")),
        "error": None if measured.returncode == 0 else measured.stderr[-3000:],
    }


def _pipeline_result(measured: Measured) -> dict:
    for line in measured.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    return {}


def _floor(measured: Measured) -> dict:
    if measured.returncode != 0:
        return {"error": measured.stderr[-2000:]}
    return json.loads(measured.stdout.strip().splitlines()[-1]) | {"peak_mb": measured.peak_mb}


def _dbt_graph(warehouse_dir: Path) -> dict:
    """What dbt's own run_results.json says of the build (the pipeline's dbt target folder is
    in the warehouse's build folder): the graph's elapsed time, and the nodes by kind. The
    rest of the dbt step is fixed cost: dbt's start-up and manifest, and Dagster's events."""
    path = warehouse_dir / ".build" / "dbt" / "run_results.json"
    try:
        run_results = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    nodes: dict[str, int] = {}
    for result in run_results["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        nodes[kind] = nodes.get(kind, 0) + 1
    return {"elapsed": run_results["elapsed_time"], "nodes": nodes}


def _ratio(stage: float | None, floor: float | None) -> float | None:
    return stage / floor if stage and floor else None


def _print_scale(result: dict) -> None:
    print(
        f"x{result['scale']}: {result['total_seconds']:.1f} s, peak {result['peak_mb']:.0f} MB, "
        f"stages {json.dumps({k: round(v, 2) for k, v in result['stages'].items()})}",
        file=sys.stderr,
    )


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['started_at']} on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB, Python {m['python']}, {m['system']}.",
        "",
        "| scale | participants / markers / responses | whole run | start-up"
        " | ingest (floor, ratio) | checks | dbt (floor, ratio) | publish | peak memory"
        " | no-op re-run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results["scales"]:
        stages, inputs = s["stages"], s["inputs"]
        runs = s["total_seconds_all_runs"]
        whole = _s(s["total_seconds"]) + (f" (median of {len(runs)})" if len(runs) > 1 else "")
        lines.append(
            f"| x{s['scale']} | {inputs['participants']:,} / {inputs['markers']:,} / "
            f"{inputs['respondents']:,} | {whole} s | {_s(s['startup_seconds'])} s | "
            f"{_s(stages.get('ingest'))} s ({_s(s['read_floor'].get('seconds'))} s, "
            f"{_x(s['ingest_ratio'])}) | {_s(stages.get('checks'))} s | "
            f"{_s(stages.get('dbt'))} s ({_s(s['transform_floor'].get('seconds'))} s, "
            f"{_x(s['dbt_ratio'])}) | {_s(stages.get('publish'))} s | "
            f"{s['peak_mb']:,.0f} MB | {s['noop_seconds']:.2f} s |"
        )
    lines += [
        "",
        "| scale | dbt step | of which dbt's graph (floor, ratio) | start-up and events | nodes |",
        "|---|---|---|---|---|",
    ]
    for s in results["scales"]:
        dbt, graph = s["stages"].get("dbt"), s.get("dbt_graph", {})
        elapsed, floor = graph.get("elapsed"), s["transform_floor"].get("seconds")
        nodes = ", ".join(f"{n} {kind}s" for kind, n in sorted(graph.get("nodes", {}).items()))
        lines.append(
            f"| x{s['scale']} | {_s(dbt)} s | {_s(elapsed)} s ({_s(floor)} s, "
            f"{_x(_ratio(elapsed, floor))}) | "
            f"{_s(dbt - elapsed if dbt and elapsed else None)} s | {nodes or '-'} |"
        )
    if results["fixed_costs"]:
        lines += ["", "| fixed cost (fresh process) | seconds |", "|---|---|"]
        lines += [f"| {name} | {sec:.2f} |" for name, sec in results["fixed_costs"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
