"""The dbt project as Dagster sees it: dagster-dbt's `DbtProject`, and the manifest its dbt
assets are defined from.

`dg dev` parses the project as the code location loads (dagster-dbt's `prepare_if_dev`),
and `idream run` before it loads the definitions (`parse` below, called by `runner.py`),
so a run always sees the project as it is now.
"""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR


def parse(project: DbtProject) -> None:
    """`dbt parse` into the project's target folder, as dagster-dbt's preparer runs it, but
    through dbt's documented programmatic entry point (`dbtRunner`) in this process:
    dagster-dbt has already imported most of dbt here, and a second dbt process would import
    it all again (docs/performance.md). Parsing opens no database connection."""
    import fcntl

    from dbt.cli.main import dbtRunner

    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    # Processes loading the definitions at once (the UI's code server and `idream run`,
    # parallel test workers) would otherwise write one manifest together.
    with (target / "parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = dbtRunner().invoke(
            [
                "parse",
                "--quiet",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(target),
            ]
        )
    if not result.success:
        raise DbtParseError(f"dbt could not parse {project.project_dir}: {result.exception}")


class DbtParseError(Exception):
    pass


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
# `dg dev`: dagster-dbt's preparer parses the project as the code location loads.
dbt_project.prepare_if_dev()
