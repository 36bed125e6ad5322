"""`idream`: run the pipeline, regenerate the sample data, or call dbt on the warehouse.

idream run [--raw-dir DIR] [--warehouse-dir DIR] [--force] [--verbose]
idream generate-sample [--out DIR] [--scale N]
idream dbt [DBT ARGS...]          e.g. idream dbt docs generate
idream sql [DUCKDB ARGS...]       the published warehouse in the DuckDB CLI, read-only
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Before any dbt or Dagster import: no usage statistics, no version check against PyPI.
QUIET_ENVIRONMENT = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


def main(argv: list[str] | None = None) -> int:
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command not in ("dbt", "sql") and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "run":
        return _run(args)
    if args.command == "generate-sample":
        return _generate_sample(args)
    if args.command == "sql":
        return _sql(extra)
    return _dbt(extra)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run every asset on the raw folder and publish the brief")
    run.add_argument("--raw-dir", type=Path, help="raw folder (default: $IDREAM_RAW_DIR or raw/)")
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
    sample = commands.add_parser("generate-sample", help="write the deterministic sample programme")
    sample.add_argument("--out", type=Path, default=None, help="folder to write (default: raw/)")
    sample.add_argument(
        "--scale",
        type=int,
        default=1,
        help="N times the sample's rows (default 1: the sample itself, byte for byte)",
    )
    commands.add_parser(
        "dbt", help="run dbt against the build warehouse, e.g. `idream dbt docs generate`"
    )
    commands.add_parser(
        "sql",
        help="open the published warehouse read-only in the DuckDB CLI (with its key when "
        "it is encrypted); other arguments go to duckdb, e.g. -c 'select ...'",
    )
    return parser


def _run(args: argparse.Namespace) -> int:
    from orchestration.lib.errors import RawDataError
    from orchestration.lib.programme import ProgrammeSettingsError
    from orchestration.lib.publishing import up_to_date
    from orchestration.runner import run_pipeline
    from orchestration.settings import SettingsError

    settings = _settings(args)
    print(f"idream: raw data from {settings.raw_dir}", file=sys.stderr)
    fingerprint = settings.fingerprint()
    current = None if args.force else up_to_date(settings, fingerprint)
    if current:
        print(
            f"idream: nothing changed since run {current} (same raw files, code and key); "
            f"the published outputs are current.\n  warehouse: {settings.database_path}\n"
            f"  brief:     {settings.brief_dir}/   (use --force to rebuild anyway)"
        )
        return 0
    try:
        outcome = run_pipeline(settings, fingerprint, full_rebuild=args.force, verbose=args.verbose)
    except (RawDataError, SettingsError, ProgrammeSettingsError) as error:
        print(f"idream: run failed.\n{error}", file=sys.stderr)
        return 1
    if not outcome.success:
        print(
            f"idream: run {outcome.run_id} failed; nothing was published.\n{outcome.failure}",
            file=sys.stderr,
        )
        print(
            f"The last good warehouse and brief are unchanged in {settings.warehouse_dir}",
            file=sys.stderr,
        )
        report = settings.quality_dir / "index.html"
        if report.exists():
            print(f"Data-quality report: {report}", file=sys.stderr)
        print(f"The run's whole log: {outcome.log_file}", file=sys.stderr)
        return 1
    print(f"idream: run {outcome.run_id} succeeded.")
    print(f"  warehouse: {settings.database_path}")
    print(f"  quality:   {settings.quality_dir / 'index.html'}")
    print(f"  log:       {outcome.log_file}")
    print(f"  brief:     {settings.brief_dir}/")
    print(f"             {', '.join(sorted(path.name for path in settings.brief_dir.iterdir()))}")
    return 0


def _settings(args: argparse.Namespace):
    """The settings of the environment, with the command line's folders over them."""
    from dataclasses import replace

    from orchestration.settings import Settings, absolute

    settings = Settings.from_env()
    if args.raw_dir:
        settings = replace(settings, raw_dir=absolute(args.raw_dir))
    if args.warehouse_dir:
        settings = replace(settings, warehouse_dir=absolute(args.warehouse_dir))
    return settings


def _generate_sample(args: argparse.Namespace) -> int:
    from orchestration.scale_programme import generate
    from orchestration.settings import Settings

    out = args.out or Settings.from_env().raw_dir
    for path in generate(out, args.scale):
        print(path)
    return 0


def _dbt(dbt_args: list[str]) -> int:
    from orchestration.runner import run_dbt
    from orchestration.settings import Settings

    return run_dbt(Settings.from_env(), dbt_args)


def _sql(duckdb_args: list[str]) -> int:
    import subprocess

    from orchestration.lib.encryption import KEY_VARIABLE, analyst_arguments
    from orchestration.settings import Settings, SettingsError

    settings = Settings.from_env()
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
    sys.exit(main())
