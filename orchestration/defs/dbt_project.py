"""The dbt project as Dagster sees it; its manifest is prepared by `make` and by the CLI."""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is re-parsed on load, so edited models show up at once.
dbt_project.prepare_if_dev()
