"""FastDbtCliResource skips two private start-up steps of dagster-dbt; these tests fail
when a new dagster-dbt renames them (the shortcut would silently stop working) or when the
version it reports differs from the dbt that actually runs."""

import subprocess

from dagster_dbt import DbtCliResource

from orchestration.dbt_cli import FastDbtCliResource
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


def test_the_overridden_methods_still_exist_in_dagster_dbt():
    assert hasattr(DbtCliResource, "_cli_version")
    assert callable(DbtCliResource._initialize_dbt_core_adapter)


def test_the_version_is_that_of_the_dbt_that_runs():
    """Asked of the interpreter the `dbt` script runs with (its shebang), not `dbt --version`,
    which would also ask PyPI for the latest release."""
    resource = FastDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(DBT_EXECUTABLE)
    )
    interpreter = DBT_EXECUTABLE.read_text().splitlines()[0].removeprefix("#!").strip()
    running = subprocess.run(
        [interpreter, "-c", "from dbt.version import __version__; print(__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(resource._cli_version) == running
    assert resource._initialize_dbt_core_adapter(["build"]) is None
