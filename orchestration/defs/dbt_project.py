"""The dbt project as Dagster sees it: dagster-dbt's `DbtProject`, and the manifest its dbt
assets are defined from.

`dg dev` parses the project as the code location loads, and `idream run` before it loads
the definitions (`parse` below, called by `runner.py`), so a run always sees the project
as it is now.
"""

import contextlib
import fcntl
import json

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

# The manifest this process last parsed, with the arguments it was parsed with: the run's
# `dbt build` reuses it instead of parsing the project a second time (dbtRunner's
# documented `manifest=`).
_parsed: dict = {}


def parse(project: DbtProject, args: list[str] | tuple[str, ...] = ()):
    """`dbt parse` into the project's target folder, as dagster-dbt's preparer runs it, but
    through dbt's documented programmatic entry point (`dbtRunner`) in this process:
    dagster-dbt has already imported most of dbt here, and a second dbt process would import
    it all again (docs/performance.md). `args`: the run's `--vars` and `--target`, which
    decide what dbt resolves as it parses. Parsing opens no database connection."""
    from dbt.cli.main import dbtRunner

    target = project.project_dir / project.target_path
    # Processes loading the definitions at once (the UI's code server and `idream run`,
    # parallel test workers) would otherwise write one manifest together, or read one
    # half-written (`read_manifest`).
    with _manifest_lock(project, exclusive=True):
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
                *args,
            ]
        )
    if not result.success:
        raise DbtParseError(f"dbt could not parse {project.project_dir}: {result.exception}")
    _parsed[project.project_dir] = (tuple(args), result.result)
    return result.result


def read_manifest(project: DbtProject) -> dict:
    """The project's manifest.json, never while a `parse` is writing it."""
    with _manifest_lock(project, exclusive=False):
        return json.loads(project.manifest_path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def _manifest_lock(project: DbtProject, exclusive: bool):
    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with (target / "parse.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


def parsed(project: DbtProject, args: list[str]):
    """The manifest `parse` made in this process with these arguments, if it did."""
    made_with, manifest = _parsed.get(project.project_dir, ((), None))
    return manifest if manifest is not None and made_with == tuple(args) else None


class DbtParseError(Exception):
    pass


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
# Under `dg dev` (and `dg launch`), parse as the code location loads, as dagster-dbt's
# `prepare_if_dev` would, but with the dbt beside this interpreter rather than one on PATH;
# anywhere, when there is no manifest yet (a fresh clone), since the assets need one.
if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
    parse(dbt_project)
