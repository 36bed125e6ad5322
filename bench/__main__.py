"""The benchmark: each stage of the pipeline and the whole run at x1, x100 and x1000, beside
the floors measured in the same session, and the fixed costs that do not grow with data.

    .venv/bin/python -m bench [--scales 1,100,1000,survey] [--repeat-x1 3] [--data-dir DIR]
                              [--results DIR] [--no-fixed]
    .venv/bin/python -m bench --compare OTHER_CHECKOUT [--pairs 3] [--scales 1,1000] ...
    .venv/bin/python -m bench --postgres [--pairs 1] [--scales 1000] ...

For each scale: the scale generator's data (cached in --data-dir, outside git), then
`idream run --force` as a user runs it (wall time, peak memory of its process tree, and each
step's time as the run's Dagster instance recorded it), `idream run` again with nothing
changed, and the floors:
- the stock-tools floor of the whole run, after every timed run: importing dagster,
  dagster-dbt, GX, polars and duckdb in one fresh interpreter, plus a plain `dbt build` of
  the project on the build copy the run just made;
- the raw-read floor (fastexcel / DuckDB read_csv) of the ingest stage;
- the transform floor (the dbt models as hand-written SQL on a bare DuckDB) of dbt's graph;
- the checks floor (every suite's rules as bare SQL counts on the published warehouse) of
  the checks stage.

--compare alternates `OTHER_CHECKOUT/.venv/bin/idream run --force` with this checkout's on
the same generated data, --pairs times per scale, and prints both medians beside the floor.
Each checkout has its own warehouse and Dagster instance under --data-dir.

--postgres alternates this checkout's run on the DuckDB warehouse with the same run on a
PostgreSQL team warehouse (IDREAM_WAREHOUSE_URL), a throwaway server started for the bench
(Debian's postgresql, `make postgres`; durability off, as in the tests), and prints their
stages side by side. The floors are DuckDB's.

Prints a table and writes it, with the raw figures and the machine, to <results>/latest.md
and latest.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import Measured, run
from bench.pipeline_run import checks_split, run_id_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DBT = str(Path(PYTHON).with_name("dbt"))
RUN_RECORD_READER = Path(__file__).with_name("pipeline_run.py")
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
# Part (a) of the stock-tools floor: what any run of this stack imports before it can work.
STOCK_IMPORTS = "import dagster, dagster_dbt, great_expectations, polars, duckdb"
# The survey-heavy scale (issue 17): x10's roster and markers, and a survey of a million
# responses in CSV exports of 100,000 (scale_programme.generate's `survey_responses`).
SURVEY_SCALE, SURVEY_BASE_SCALE, SURVEY_RESPONSES = "survey", 10, 1_000_000
# Issue 13's targets, printed beside the figures they apply to.
TARGET_RATIO_X1 = 1.5
TARGET_NOOP_SECONDS = 1.0


@dataclasses.dataclass(frozen=True)
class Checkout:
    """A checkout whose `idream run` is measured, with its own interpreter, and a warehouse
    and Dagster instance of its own so that two checkouts never share build state."""

    label: str
    root: Path
    bin: Path
    warehouse_dir: Path
    dagster_home: Path
    # Set: the run builds and publishes on this PostgreSQL team warehouse (--postgres).
    warehouse_url: str | None = None
    password_file: str | None = None

    def env(self, base: dict[str, str]) -> dict[str, str]:
        # The checkout's own executables first: dagster-dbt runs the `dbt` found on PATH.
        # Its own code first too: two checkouts may share one environment (a copy of an
        # older commit beside a worktree), whose editable install names only one of them.
        env = base | {
            "PYTHONPATH": str(self.root),
            "DAGSTER_HOME": str(self.dagster_home),
            "PATH": f"{self.bin}{os.pathsep}{base.get('PATH', '')}",
            "VIRTUAL_ENV": str(self.bin.parent),
        }
        env.pop("IDREAM_WAREHOUSE_URL", None)
        if self.warehouse_url:
            env |= {"IDREAM_WAREHOUSE_URL": self.warehouse_url}
            env |= {"PGPASSFILE": self.password_file} if self.password_file else {}
        return env


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    scales = [s if s == SURVEY_SCALE else int(s) for s in args.scales.split(",")]
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # The instance folder is left for `idream run` to create: a fresh DAGSTER_HOME gets the
    # project's dagster.yaml (its concurrency pool) only when idream makes it.
    this = Checkout(
        _label(PROJECT_ROOT),
        PROJECT_ROOT,
        Path(PYTHON).parent,
        data_dir / "warehouse",
        data_dir / "dagster_home",
    )
    checkouts = [this]
    server = contextlib.nullcontext()
    if args.postgres:
        if args.compare:
            parser.error("--postgres and --compare: one comparison at a time")
        from tests.postgres import running_server

        server = running_server()
    with server as postgres:
        if postgres is not None:
            url = postgres.create_database("bench")
            checkouts = [
                dataclasses.replace(
                    this,
                    label=f"{this.label} on PostgreSQL",
                    warehouse_dir=data_dir / "postgres" / "warehouse",
                    dagster_home=data_dir / "postgres" / "dagster_home",
                    warehouse_url=url,
                    password_file=str(postgres.password_file),
                ),
                this,
            ]
        return _main(args, parser, scales, data_dir, this, checkouts)


def _main(args, parser, scales, data_dir, this, checkouts) -> int:
    if args.compare:
        root = args.compare.resolve()
        if not (root / ".venv" / "bin" / "idream").exists():
            parser.error(f"{root}/.venv/bin/idream not found: run `make setup` in {root}")
        # A warehouse and instance per checkout and commit: dbt does not alter a seed's
        # columns in place, so another commit's seeds left in a shared warehouse can fail
        # this one's build (76e76e0 after a880fb1 did).
        folder = data_dir / "other" / "".join(c if c.isalnum() else "_" for c in _label(root))
        bin_dir = root / ".venv" / "bin"
        other = Checkout(_label(root), root, bin_dir, folder / "warehouse", folder / "dagster_home")
        if other.label == this.label:
            other = dataclasses.replace(other, label=f"{other.label} (other)")
        checkouts = [other, this]
    elif args.pairs is not None and not args.postgres:
        parser.error("--pairs needs --compare or --postgres")
    env = os.environ | QUIET | {"IDREAM_PSEUDONYM_KEY_FILE": str(data_dir / "bench.key")}
    # A plain warehouse: the floors open it without a key (encryption is measured nowhere).
    for name in ("IDREAM_ENV", "IDREAM_WAREHOUSE_KEY_FILE"):
        env.pop(name, None)
    floor = StockFloor(this, data_dir / "stock_floor", env)
    results = {
        "machine": machine(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checkouts": [{"label": c.label, "root": str(c.root)} for c in checkouts],
        "fixed_costs": {} if args.no_fixed else fixed_costs(this.env(env)),
        "scales": [],
    }
    for scale in scales:
        compared = args.compare or args.postgres
        rounds = (args.pairs or 3) if compared else (args.repeat_x1 if scale == 1 else 1)
        results["scales"].append(bench_scale(scale, data_dir, env, checkouts, rounds, floor))
        _print_scale(results["scales"][-1])
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (args.results / "latest.md").write_text(table)
    print(table)
    failed = [
        s["scale"]
        for s in results["scales"]
        if any(r["exit_code"] or r["noop_exit_code"] for r in s["runs"].values())
        or s["stock_floor"].get("error")
    ]
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scales",
        default="1,100,1000",
        help=f"comma-separated scale factors, and `{SURVEY_SCALE}`: a survey of "
        f"{SURVEY_RESPONSES:,} responses (issue 17)",
    )
    parser.add_argument(
        "--repeat-x1", type=int, default=3, help="full runs at x1 (the median is reported)"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER_CHECKOUT",
        help="also run OTHER_CHECKOUT/.venv/bin/idream, alternating with this checkout's",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also run this checkout on a throwaway PostgreSQL team warehouse, alternating",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        help="with --compare or --postgres: alternating pairs of runs per scale (3)",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--results", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-cost timings")
    return parser


def _label(root: Path) -> str:
    """The checkout's folder and commit, with a + when it has uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    return f"{root.name} {commit}{'+' if git('status', '--porcelain') else ''}"


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


def fixed_costs(env: dict[str, str]) -> dict[str, float | None]:
    commands = {name: ([PYTHON, "-c", code], PROJECT_ROOT) for name, code in FIXED_COSTS.items()}
    # dbt's start-up and manifest load with nothing to do: the cost of one more invocation.
    commands["dbt invocation, nothing selected"] = (
        [DBT, "ls", "--select", "tag:nothing", "--quiet"],
        PROJECT_ROOT / "transforms",
    )
    costs = {}
    for name, (command, cwd) in commands.items():
        measured = run(command, env, cwd=cwd)
        # A command that failed timed nothing worth printing as a cost (None: "failed").
        costs[name] = measured.seconds if measured.returncode == 0 else None
    return costs


class StockFloor:
    """The whole run's stock-tools floor: (a) importing the stack in one fresh interpreter,
    plus (b) a plain `dbt build` of this checkout's project, with the vars the pipeline
    passes and without dbt's unit tests (the pipeline leaves them to `make test`), on the
    build copy the run just made. dbt's target and log folders are the
    floor's own: the pipeline's target holds the manifest its next run selects against."""

    def __init__(self, checkout: Checkout, folder: Path, env: dict[str, str]):
        from orchestration.lib.dbt_target import dbt_arguments
        from orchestration.settings import Settings

        settings = Settings.from_env(env | {"IDREAM_WAREHOUSE_DIR": str(checkout.warehouse_dir)})
        self.env = checkout.env(env)
        self.folder = folder
        project = [
            "--project-dir",
            "transforms",
            "--profiles-dir",
            "transforms",
            *dbt_arguments(settings),
            "--target-path",
            str(folder / "target"),
            "--log-path",
            str(folder / "logs"),
        ]
        self.parse_command = [DBT, "parse", *project]
        # The same work as the pipeline's build: its unit tests are `make test`'s.
        self.command = [DBT, "build", *project, "--exclude-resource-type", "unit_test"]
        self.parsed = False

    def measure(self) -> dict:
        if not self.parsed:
            # Untimed, once a session: the pipeline's own dbt keeps its partial-parse state
            # from run to run, so the floor's build must not pay a full parse either.
            run(self.parse_command, self.env, cwd=PROJECT_ROOT)
            self.parsed = True
        imports = run([PYTHON, "-c", STOCK_IMPORTS], self.env)
        build = run(self.command, self.env, cwd=PROJECT_ROOT)
        error = next(
            (m.stderr[-2000:] or m.stdout[-2000:] for m in (imports, build) if m.returncode),
            None,
        )
        return {
            "seconds": None if error else imports.seconds + build.seconds,
            "imports_seconds": imports.seconds,
            "dbt_build_seconds": build.seconds,
            "dbt_build_peak_mb": build.peak_mb,
            "dbt_graph": _dbt_graph(self.folder / "target"),
            "error": error,
        }


def scale_name(scale: int | str) -> str:
    """`x1000`, or `survey` for the survey-heavy scale."""
    return scale if scale == SURVEY_SCALE else f"x{scale}"


def generated(scale: int | str, data_dir: Path) -> Path:
    """The raw folder at `scale`, generated once per version of the generators."""
    from orchestration.lib.fingerprint import file_digest

    raw_dir = data_dir / scale_name(scale) / "raw"
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
    if scale == SURVEY_SCALE:
        generate(raw_dir, SURVEY_BASE_SCALE, survey_responses=SURVEY_RESPONSES)
    else:
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


def bench_scale(
    scale: int,
    data_dir: Path,
    env: dict[str, str],
    checkouts: list[Checkout],
    rounds: int,
    floor: StockFloor,
) -> dict:
    raw_dir = generated(scale, data_dir)
    this = checkouts[-1]
    samples: dict[str, list[dict]] = {c.label: [] for c in checkouts}
    floors = []
    for round_ in range(rounds):
        # Who goes first alternates: a machine that speeds up or slows down during the
        # session, or a page cache one run warms for the next, favours neither checkout.
        for checkout in checkouts if round_ % 2 == 0 else checkouts[::-1]:
            samples[checkout.label].append(pipeline_run(checkout, raw_dir, env))
            if checkout is this:
                floors.append(floor.measure())
    runs = {}
    for checkout in checkouts:
        noop = run(_idream_run(checkout, raw_dir), checkout.env(env), cwd=checkout.root)
        runs[checkout.label] = _summary(samples[checkout.label], noop)
    stock_floor = _median(floors) | {"all_seconds": [f["seconds"] for f in floors]}
    for summary in runs.values():
        summary["floor_ratio"] = _ratio(summary["total_seconds"], stock_floor["seconds"])
    published = this.warehouse_dir / "idream.duckdb"
    read_floor = _floor(run([PYTHON, "-m", "bench.floors", "read", str(raw_dir)], env))
    transform_floor = _floor(run([PYTHON, "-m", "bench.floors", "transform", str(published)], env))
    checks_floor = _floor(
        run([PYTHON, "-m", "bench.floors", "checks", str(published), str(raw_dir)], env)
    )
    ours = runs[this.label]
    return {
        "scale": scale,
        "inputs": input_rows(raw_dir),
        "runs": runs,
        "this": this.label,
        "stock_floor": stock_floor,
        "read_floor": read_floor,
        "transform_floor": transform_floor,
        "checks_floor": checks_floor,
        "ingest_ratio": _ratio(ours["stages"].get("ingest"), read_floor.get("seconds")),
        "checks_ratio": _ratio(ours["stages"].get("checks"), checks_floor.get("seconds")),
        "checks_rules_ratio": _ratio(
            checks_split(ours["steps"])[0] if ours["steps"] else None,
            checks_floor.get("seconds"),
        ),
        "dbt_ratio": _ratio(ours["stages"].get("dbt"), transform_floor.get("seconds")),
    }


def _idream_run(checkout: Checkout, raw_dir: Path, *flags: str) -> list[str]:
    return [
        str(checkout.bin / "idream"),
        "run",
        *flags,
        "--raw-dir",
        str(raw_dir),
        "--warehouse-dir",
        str(checkout.warehouse_dir),
    ]


def pipeline_run(checkout: Checkout, raw_dir: Path, env: dict[str, str]) -> dict:
    """One `idream run --force` in a fresh process, and what its instance recorded."""
    env = checkout.env(env)
    measured = run(_idream_run(checkout, raw_dir, "--force"), env, cwd=checkout.root)
    run_id = run_id_in(measured.stdout + measured.stderr)
    recorded = {}
    if run_id:
        # With the checkout's interpreter: its Dagster wrote the instance, its Dagster reads it.
        reader = run([str(checkout.bin / "python"), str(RUN_RECORD_READER), run_id], env)
        if reader.returncode == 0:
            recorded = json.loads(reader.stdout.strip().splitlines()[-1])
    return {
        "seconds": measured.seconds,
        "peak_mb": measured.peak_mb,
        "exit_code": measured.returncode,
        "run_id": run_id,
        "run_seconds": recorded.get("run_seconds"),
        "stages": recorded.get("stages", {}),
        "steps": recorded.get("steps", {}),
        # dbt's figures of this run (the next one overwrites its run_results.json), so the
        # median run's step and graph times come from the same run.
        # From the run's log in the instance; a checkout that logs no graph line wrote
        # dbt's run_results.json.
        "dbt_graph": recorded.get("dbt_graph")
        or _dbt_graph(checkout.warehouse_dir / ".build" / "dbt"),
        "error": None if measured.returncode == 0 else measured.stderr[-3000:],
    }


def _summary(samples: list[dict], noop: Measured) -> dict:
    """One checkout at one scale: its median run's figures, every run's wall time."""
    median = _median(samples)
    return {
        "exit_code": next((s["exit_code"] for s in samples if s["exit_code"]), 0),
        "total_seconds": median["seconds"],
        "total_seconds_all_runs": [s["seconds"] for s in samples],
        "peak_mb": max(s["peak_mb"] for s in samples),
        "run_id": median["run_id"],
        # Before the run's first event: interpreter, imports, definitions, instance.
        "startup_seconds": (
            median["seconds"] - median["run_seconds"] if median["run_seconds"] else None
        ),
        "stages": median["stages"],
        "steps": median["steps"],
        "dbt_graph": median["dbt_graph"],
        "noop_seconds": noop.seconds,
        "noop_exit_code": noop.returncode,
        "error": next((s["error"] for s in samples if s["error"]), None)
        or (noop.stderr[-3000:] if noop.returncode else None),
    }


def _median(samples: list[dict]) -> dict:
    """The median sample by its seconds (a failed one, without seconds, sorts last), so
    that its parts come from one measurement."""
    ordered = sorted(samples, key=lambda s: (s["seconds"] is None, s["seconds"] or 0))
    return ordered[len(ordered) // 2]


def _floor(measured: Measured) -> dict:
    if measured.returncode != 0:
        return {"error": measured.stderr[-2000:]}
    return json.loads(measured.stdout.strip().splitlines()[-1]) | {"peak_mb": measured.peak_mb}


def _dbt_graph(target: Path) -> dict:
    """What dbt's own run_results.json in `target` says of the build: the graph's elapsed
    time, and the nodes by kind. The rest of the dbt step is fixed cost: dbt's start-up and
    manifest, and Dagster's events."""
    try:
        run_results = json.loads((target / "run_results.json").read_text())
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
    floor = result["stock_floor"]["seconds"]
    for label, r in result["runs"].items():
        stages = {k: round(v, 2) for k, v in r["stages"].items()}
        print(
            f"{scale_name(result['scale'])} {label}: {r['total_seconds']:.1f} s "
            f"(stock floor {_s(floor)}, {_x(r['floor_ratio'])}), "
            f"no-op {r['noop_seconds']:.2f} s, peak {r['peak_mb']:.0f} MB, "
            f"stages {json.dumps(stages) if stages else 'not recorded'}",
            file=sys.stderr,
        )


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _nodes(graph: dict) -> str:
    return ", ".join(f"{n} {kind}s" for kind, n in sorted(graph.get("nodes", {}).items())) or "-"


def markdown(results: dict) -> str:
    m = results["machine"]
    labels = [c["label"] for c in results["checkouts"]]
    compare = len(labels) > 1
    lines = [
        f"Measured {results['started_at']} on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB, Python {m['python']}, {m['system']}; load average "
        f"{m['load_average_at_start']:.1f} at the start. Checkouts: {', '.join(labels)}.",
        "",
        "Whole run (`idream run --force`, median) against the stock-tools floor: importing "
        "dagster, dagster_dbt, great_expectations, polars and duckdb in one interpreter, plus "
        "a plain `dbt build` of the project on the warehouse the run built, measured after "
        f"each run of {labels[-1]} (median). Targets: x1 at most {TARGET_RATIO_X1}x the "
        f"floor; no-op re-run under {TARGET_NOOP_SECONDS:.0f} s.",
        "",
        "| scale | stock-tools floor (imports + dbt build) | "
        + " | ".join(f"{label}: whole run (x floor) | no-op re-run" for label in labels)
        + " |",
        "|---|---|" + "---|---|" * len(labels),
    ]
    for s in results["scales"]:
        f = s["stock_floor"]
        floor = (
            f"{_s(f['imports_seconds'])} + {_s(f['dbt_build_seconds'])} = {_s(f['seconds'])}"
            if f["seconds"]
            else "failed"
        )
        cells = []
        for label in labels:
            r = s["runs"][label]
            n = len(r["total_seconds_all_runs"])
            median = f" (median of {n})" if n > 1 else ""
            cells.append(
                f"{_s(r['total_seconds'])}{median} ({_x(r['floor_ratio'])}) | "
                f"{r['noop_seconds']:.2f} s"
            )
        lines.append(f"| {scale_name(s['scale'])} | {floor} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| scale | participants / markers / responses | whole run | start-up"
        " | ingest (floor, ratio) | checks (floor, ratio) | dbt (floor, ratio) | publish"
        " | peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results["scales"]:
        inputs = s["inputs"]
        # The read and transform floors are of the same data for every checkout.
        read, transform = s["read_floor"].get("seconds"), s["transform_floor"].get("seconds")
        # Results written before the checks had a floor have none.
        checks_floor = s.get("checks_floor", {}).get("seconds")
        for label in labels:
            r = s["runs"][label]
            stages = r["stages"]
            ingest, dbt, checks = stages.get("ingest"), stages.get("dbt"), stages.get("checks")
            lines.append(
                f"| {scale_name(s['scale'])}{f' {label}' if compare else ''} | "
                f"{inputs['participants']:,} / {inputs['markers']:,} / "
                f"{inputs['respondents']:,} | {_s(r['total_seconds'])} | "
                f"{_s(r['startup_seconds'])} | "
                f"{_s(ingest)} ({_s(read)}, {_x(_ratio(ingest, read))}) | "
                f"{_s(checks)} ({_s(checks_floor)}, {_x(_ratio(checks, checks_floor))}) | "
                f"{_s(dbt)} ({_s(transform)}, {_x(_ratio(dbt, transform))}) | "
                f"{_s(stages.get('publish'))} | {r['peak_mb']:,.0f} MB |"
            )
    lines += [
        "",
        "Stage times are the steps' times as the run's Dagster instance recorded them "
        "(- : the run was not recorded in $DAGSTER_HOME, as before issue 13).",
        "",
        "The checks stage in two parts: the steps that evaluate the suites' rules, against "
        "the same rules as bare SQL (the checks floor), and the report step, which stores "
        "the results in Great Expectations and renders its Data Docs (on DuckDB by a "
        "process started with the run, which has imported GX by then; before b19f119 the "
        "step imported GX itself, about 4 s whatever the data's size). Before issue 17 GX "
        "validated the rules itself, so a checkout from then has GX's import in its "
        "rules' steps.",
        "",
        "| scale | checks | the rules (floor, ratio) | the report (GX Data Docs) |",
        "|---|---|---|---|",
    ]
    for s in results["scales"]:
        checks_floor = s.get("checks_floor", {}).get("seconds")
        for label in labels:
            r = s["runs"][label]
            rules, report = checks_split(r["steps"]) if r["steps"] else (None, None)
            lines.append(
                f"| {scale_name(s['scale'])}{f' {label}' if compare else ''} | "
                f"{_s(r['stages'].get('checks'))} | "
                f"{_s(rules)} ({_s(checks_floor)}, {_x(_ratio(rules, checks_floor))}) | "
                f"{_s(report)} |"
            )
    lines += [
        "",
        "| scale | dbt step | of which dbt's graph (floor, ratio) | start-up and events "
        "| nodes | plain dbt build (stock floor): graph, nodes |",
        "|---|---|---|---|---|---|",
    ]
    for s in results["scales"]:
        for label in labels:
            r = s["runs"][label]
            dbt, graph = r["stages"].get("dbt"), r["dbt_graph"]
            elapsed, floor = graph.get("elapsed"), s["transform_floor"].get("seconds")
            plain = s["stock_floor"].get("dbt_graph") or {}
            lines.append(
                f"| {scale_name(s['scale'])}{f' {label}' if compare else ''} | {_s(dbt)} | "
                f"{_s(elapsed)} ({_s(floor)}, {_x(_ratio(elapsed, floor))}) | "
                f"{_s(dbt - elapsed if dbt and elapsed else None)} | {_nodes(graph)} | "
                f"{_s(plain.get('elapsed'))}, {_nodes(plain)} |"
            )
    if results["fixed_costs"]:
        lines += ["", "| fixed cost (fresh process) | seconds |", "|---|---|"]
        lines += [
            f"| {name} | {'failed' if sec is None else f'{sec:.2f}'} |"
            for name, sec in results["fixed_costs"].items()
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
