"""The dbt project as Dagster sees it: dagster-dbt's `DbtProject` and its preparer, which
writes the manifest the dbt assets are defined from (`dbt parse`).

`dg dev` prepares it as the code location loads (`prepare_if_dev`); `idream run` prepares
it before loading the definitions (`runner.py`), so a run always sees the project as it is.
"""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
