"""The dbt project as Dagster sees it, with its manifest brought up to date on load."""

from dagster_dbt import DbtProject

from orchestration.dbt_manifest import prepare_manifest
from orchestration.settings import DBT_PROJECT_DIR

# Instead of DbtProject.prepare_if_dev(): that runs a `dbt` found on PATH, and only under
# `dagster dev`; this parses with the virtualenv's dbt, in every entry point, when stale.
prepare_manifest(DBT_PROJECT_DIR)
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
