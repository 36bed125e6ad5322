"""Resources: the pipeline's settings and the dbt CLI, built once from the environment."""

from pathlib import Path

import dagster as dg

from orchestration.dbt_cli import FastDbtCliResource
from orchestration.defs.dbt_project import dbt_project
from orchestration.settings import DBT_CLIENT_EXECUTABLE, Settings


class PipelineSettings(dg.ConfigurableResource):
    """The settings every asset reads. Holds paths only: the pseudonym key is read from
    its file when needed, so it never appears in run configuration or logs."""

    raw_dir: str
    warehouse_dir: str
    key_file: str
    production: bool = False
    # Empty: a plain warehouse. A path, never the key itself.
    warehouse_key_file: str = ""
    workbook_password_file: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelineSettings":
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse_dir=str(settings.warehouse_dir),
            key_file=str(settings.key_file),
            production=settings.production,
            warehouse_key_file=str(settings.warehouse_key_file or ""),
            workbook_password_file=str(settings.workbook_password_file or ""),
        )

    def get(self) -> Settings:
        return Settings(
            raw_dir=Path(self.raw_dir),
            warehouse_dir=Path(self.warehouse_dir),
            key_file=Path(self.key_file),
            production=self.production,
            warehouse_key_file=Path(self.warehouse_key_file) if self.warehouse_key_file else None,
            workbook_password_file=(
                Path(self.workbook_password_file) if self.workbook_password_file else None
            ),
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "settings": PipelineSettings.from_settings(Settings.from_env()),
            "dbt": FastDbtCliResource(
                project_dir=dbt_project, dbt_executable=str(DBT_CLIENT_EXECUTABLE)
            ),
        }
    )
