"""The dbt project as Dagster sees it: dagster-dbt's `DbtProject`, whose preparer writes the
manifest the dbt assets are defined from.

`dg dev` prepares it as the code location loads (`prepare_if_dev`), and `idream run` before
it loads the definitions (`runner.py`), so a run always sees the project as it is now.
"""

from dagster_dbt import DbtProject, DbtProjectPreparer

from orchestration.settings import DBT_PROJECT_DIR


class InProcessParse(DbtProjectPreparer):
    """`dbt parse`, as dagster-dbt's own preparer runs it, but through dbt's documented
    programmatic entry point (`dbtRunner`) in this process: dagster-dbt has already
    imported most of dbt here, and a second dbt process would import it all again (about
    3 s at every run; docs/performance.md). Parsing opens no database connection."""

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        import fcntl

        from dbt.cli.main import dbtRunner

        target = project.project_dir / project.target_path
        target.mkdir(parents=True, exist_ok=True)
        # Processes loading the definitions at once (the UI's code server and `idream
        # run`, parallel test workers) would otherwise write one manifest together.
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


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, preparer=InProcessParse())
dbt_project.prepare_if_dev()
