"""`idream`: run the pipeline, regenerate the sample data, or call dbt on the warehouse.

idream run [--raw-dir DIR] [--warehouse-dir DIR] [--programme ID] [--force] [--verbose]
idream check [--raw-dir DIR] [--report DIR]   would the raw folder run? (no warehouse written)
                                  a root of programme folders: every programme
idream generate-sample [--out DIR] [--scale N]
idream dbt [--programme ID] [DBT ARGS...]   e.g. idream dbt docs generate
idream sql [--programme ID] [DUCKDB ARGS...] the published warehouse in the DuckDB CLI,
                                  read-only (--programme: one programme of a root)
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

# Before any dbt or Dagster import: no usage statistics, no version check against PyPI.
QUIET_ENVIRONMENT = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


def console(argv: list[str] | None = None) -> int:
    """The `idream` command (pyproject's script, and `python -m orchestration.cli`):
    `main`, then a quick exit."""
    code = main(argv)
    # The command is done and the process is about to exit. Python's shutdown would now
    # run the cycle collector over every object Dagster, dbt and GX made: 3 to 6 s of a
    # sample run on this 2-core machine before the shell gets its prompt back
    # (docs/performance.md). Frozen objects are still freed as their modules are cleared;
    # the collector only stops walking them. Every file and connection is closed by now
    # (each is opened in a `with`). Not in `main`: the tests call it in their own process,
    # which must go on collecting.
    gc.freeze()
    return code


def main(argv: list[str] | None = None) -> int:
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command not in ("dbt", "sql") and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from orchestration.settings import SettingsError

    try:
        return _command(args, extra)
    except SettingsError as error:
        # An unusable setting (a URL with a password, say): its message, not a traceback.
        print(f"idream: {error}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace, extra: list[str]) -> int:
    if args.command == "run":
        return _run(args)
    if args.command == "check":
        return _check(args)
    if args.command == "generate-sample":
        return _generate_sample(args)
    if args.command == "sql":
        return _sql(extra, args.programme)
    return _dbt(extra, args.programme)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run every asset on the raw folder and publish the brief")
    run.add_argument(
        "--raw-dir",
        type=Path,
        help="raw folder: a programme folder, or a root of programme folders, each run in "
        "turn (default: $IDREAM_RAW_DIR or raw/)",
    )
    run.add_argument(
        "--force", action="store_true", help="re-read every file and rebuild every model"
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="also show Dagster's and dbt's whole log here (it is always in the run's log file)",
    )
    run.add_argument(
        "--warehouse-dir",
        type=Path,
        help="warehouse folder (default: $IDREAM_WAREHOUSE_DIR or warehouse/)",
    )
    run.add_argument(
        "--programme",
        metavar="ID",
        help="with a root of several programmes as the raw folder: run this programme only "
        "(on the PostgreSQL team warehouse, runs of different programmes may go at once)",
    )
    check = commands.add_parser(
        "check",
        help="check the raw folder against the contract and the raw-data rules, in seconds; "
        "writes a problems.csv report but no warehouse or brief",
    )
    check.add_argument("--raw-dir", type=Path, help="raw folder (default: $IDREAM_RAW_DIR or raw/)")
    check.add_argument(
        "--report",
        type=Path,
        help="folder for problems.csv (default: <warehouse>/check/; never the raw folder)",
    )
    check.add_argument(
        "--warehouse-dir",
        type=Path,
        help="warehouse folder, for the default report folder (default: $IDREAM_WAREHOUSE_DIR)",
    )
    sample = commands.add_parser("generate-sample", help="write the deterministic sample programme")
    sample.add_argument("--out", type=Path, default=None, help="folder to write (default: raw/)")
    sample.add_argument(
        "--scale",
        type=int,
        default=1,
        help="N times the sample's rows (default 1: the sample itself, byte for byte)",
    )
    dbt = commands.add_parser(
        "dbt", help="run dbt against the build warehouse, e.g. `idream dbt docs generate`"
    )
    sql = commands.add_parser(
        "sql",
        help="open the published warehouse read-only in the DuckDB CLI (with its key when "
        "it is encrypted); other arguments go to duckdb, e.g. -c 'select ...'",
    )
    for command in (dbt, sql):
        command.add_argument(
            "--programme",
            metavar="ID",
            help="with a root of several programmes as the raw folder: the programme whose "
            "warehouse to use (<warehouse>/programmes/<ID>/)",
        )
    return parser


def _run(args: argparse.Namespace) -> int:
    from orchestration.lib.errors import RawDataError

    settings = _settings(args)
    if settings.warehouse_url is not None:
        # Before anything runs: one line naming the server and the problem.
        if not _team_warehouse_answers(settings):
            return 2
        print(f"idream: the team warehouse, {settings.warehouse_url}", file=sys.stderr)
    print(f"idream: raw data from {settings.raw_dir}", file=sys.stderr)
    try:
        programmes = settings.programmes()
    except RawDataError as error:
        # A root's listing: repeated ids, a programme folder without a roster, links.
        print(f"idream: run failed.\n{error}", file=sys.stderr)
        return 1
    if args.programme is not None:
        programmes = chosen_programme(programmes, args.programme)
        if not programmes:
            print(
                f"idream: {settings.raw_dir} holds no programme '{args.programme}'", file=sys.stderr
            )
            return 2
    in_root = any(programme.in_root for programme in programmes)
    failed = []
    # One after the other: each programme has its own DuckDB file, but the warehouse
    # pool lets one step at a time write any of them (docs/operations.md).
    for programme in programmes:
        if in_root:
            print(
                f"\nidream: programme {programme.programme_id} ({programme.raw_dir.name}/)",
                file=sys.stderr,
            )
        if _run_programme(settings, programme, args) != 0:
            failed.append(programme.programme_id)
    if in_root:
        _print_root_outcome(programmes, failed)
    return 1 if failed else 0


def chosen_programme(programmes: list, programme_id: str) -> list:
    """The programme of the root whose id is `programme_id` (`--programme`), or none."""
    return [programme for programme in programmes if programme.programme_id == programme_id]


def _run_programme(settings, programme, args: argparse.Namespace) -> int:
    """One programme's run, and what it says about it; its exit status."""
    from orchestration.lib.errors import RawDataError
    from orchestration.lib.programme import ProgrammeSettingsError
    from orchestration.lib.publishing import up_to_date
    from orchestration.runner import run_pipeline
    from orchestration.settings import SettingsError

    fingerprint = programme.fingerprint()
    current = None if args.force else up_to_date(programme, fingerprint)
    if current:
        print(
            f"idream: nothing changed since run {current} (same raw files, code and key); "
            f"the published outputs are current.\n  warehouse: {programme.database_path}\n"
            f"  brief:     {programme.brief_dir}/   (use --force to rebuild anyway)"
        )
        return 0
    try:
        # Only a programme that runs is made a partition (by `run_pipeline`, on the instance
        # it runs in): the no-op above stays free of Dagster's import (under a second).
        outcome = run_pipeline(
            settings, programme, fingerprint, full_rebuild=args.force, verbose=args.verbose
        )
    except (RawDataError, SettingsError, ProgrammeSettingsError) as error:
        print(f"idream: run failed.\n{error}", file=sys.stderr)
        return 1
    if not outcome.success:
        print(
            f"idream: run {outcome.run_id} failed; nothing was published.\n{outcome.failure}",
            file=sys.stderr,
        )
        unchanged = f"in {programme.warehouse_dir}"
        if programme.in_root:
            unchanged = f"in {programme.warehouse_dir} and {programme.brief_dir}"
        print(f"The last good warehouse and brief are unchanged {unchanged}", file=sys.stderr)
        report = programme.quality_dir / "index.html"
        if report.exists():
            print(f"Data-quality report: {report}", file=sys.stderr)
        print(f"The run's whole log: {outcome.log_file}", file=sys.stderr)
        return 1
    print(f"idream: run {outcome.run_id} succeeded.")
    print(f"  warehouse: {programme.database_path}")
    print(f"  quality:   {programme.quality_dir / 'index.html'}")
    print(f"  log:       {outcome.log_file}")
    print(f"  brief:     {programme.brief_dir}/")
    brief = sorted(path.name for path in programme.brief_dir.iterdir())
    print(f"             {', '.join(brief)}")
    return 0


def _print_root_outcome(programmes, failed: list[str]) -> None:
    """The last lines of a root's run: which programmes failed, by id."""
    if not failed:
        print(f"\nidream: all {len(programmes)} programmes are published.")
        return
    published = [p.programme_id for p in programmes if p.programme_id not in failed]
    print(
        f"\nidream: {len(failed)} of {len(programmes)} programme(s) failed: "
        f"{', '.join(failed)} (their last good brief and warehouse are unchanged)."
        + (f" Published or current: {', '.join(published)}." if published else ""),
        file=sys.stderr,
    )


def _check(args: argparse.Namespace) -> int:
    import time

    from orchestration.check import check_raw_folder
    from orchestration.lib.check_report import terminal_lines, write_report
    from orchestration.runner import read_back_cell
    from orchestration.settings import SettingsError

    started = time.monotonic()
    settings = _settings(args)
    print(f"idream: checking {settings.raw_dir}", file=sys.stderr)
    try:
        password = settings.workbook_password()
    except SettingsError as error:
        print(f"idream: {error}", file=sys.stderr)
        return 1
    outcome = check_raw_folder(settings.raw_dir, password)
    report_dir = args.report or settings.warehouse_dir / "check"
    try:
        report = write_report(outcome.findings, report_dir, settings.raw_dir)
    except ValueError as error:
        print(f"idream: {error}; name another folder with --report", file=sys.stderr)
        return 2
    lines = terminal_lines(outcome.findings, lambda problem: read_back_cell(settings, problem))
    errors = sum(1 for finding in outcome.findings if finding.severity == "error")
    warnings = sum(1 for finding in outcome.findings if finding.severity == "warning")
    took = f"{time.monotonic() - started:.1f}s"
    if lines:
        print("\n".join(lines))
    if outcome.would_run:
        print(
            f"idream: the folder would run ({len(outcome.files)} files, "
            f"{len(outcome.suites)} rule sets; {warnings} warning(s)) in {took}. Report: {report}"
        )
        return 0
    print(
        f"idream: the folder would not run: {errors} problem(s) to fix"
        f"{f' and {warnings} warning(s)' if warnings else ''} ({took}). Report: {report}",
        file=sys.stderr,
    )
    return 1


def _settings(args: argparse.Namespace):
    """The settings of the environment, with the command line's folders over them."""
    from dataclasses import replace

    from orchestration.settings import Settings, absolute

    settings = Settings.from_env()
    if args.raw_dir:
        settings = replace(settings, raw_dir=absolute(args.raw_dir))
    if getattr(args, "warehouse_dir", None):
        settings = replace(settings, warehouse_dir=absolute(args.warehouse_dir))
    return settings


def _generate_sample(args: argparse.Namespace) -> int:
    from orchestration.scale_programme import generate
    from orchestration.settings import Settings

    out = args.out or Settings.from_env().raw_dir
    for path in generate(out, args.scale):
        print(path)
    return 0


def warehouse_settings(programme_id: str | None):
    """The settings of the environment, or of one of its programmes: the warehouse
    `idream sql` and `idream dbt` open."""
    from orchestration.lib.errors import RawDataError
    from orchestration.settings import Settings, SettingsError

    settings = Settings.from_env()
    if programme_id is None:
        return settings
    try:
        return settings.programme(programme_id)
    except RawDataError as error:
        raise SettingsError(str(error)) from None


def _dbt(dbt_args: list[str], programme_id: str | None = None) -> int:
    from orchestration.runner import run_dbt

    settings = warehouse_settings(programme_id)
    # Before dbt, whose own report of a wrong URL is several lines of libpq's.
    if settings.warehouse_url is not None and not _team_warehouse_answers(settings):
        return 2
    return run_dbt(settings, dbt_args)


def _team_warehouse_answers(settings) -> bool:
    """Whether the PostgreSQL warehouse answers; if not, one line naming the server and the
    problem (never the password)."""
    from orchestration.lib.postgres import WarehouseUnreachable, check_connection

    try:
        check_connection(settings.warehouse_url)
    except WarehouseUnreachable as error:
        print(f"idream: {error}", file=sys.stderr)
        return False
    return True


def _sql(duckdb_args: list[str], programme_id: str | None = None) -> int:
    import subprocess

    from orchestration.lib.encryption import KEY_VARIABLE, analyst_arguments
    from orchestration.settings import SettingsError

    settings = warehouse_settings(programme_id)
    try:
        key = settings.warehouse_key()
    except SettingsError as error:
        print(f"idream: {error}", file=sys.stderr)
        return 1
    duckdb_cli = Path(sys.executable).with_name("duckdb")
    command = [str(duckdb_cli), *analyst_arguments(settings.database_path, key is not None)]
    # The key reaches DuckDB through its environment, never its command line (which
    # every user of the machine can read in the process list).
    environment = {**os.environ, KEY_VARIABLE: key} if key else None
    return subprocess.run([*command, *duckdb_args], env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(console())
