"""How dbt is pointed at the warehouse the settings name (lib/dbt_target.py): the DuckDB
file as before, or the PostgreSQL database of IDREAM_WAREHOUSE_URL."""

import json
from pathlib import Path

from orchestration.lib.dbt_target import (
    PASSWORD_VARIABLE,
    POSTGRES_TARGET,
    dbt_arguments,
    dbt_environment,
    parse_arguments,
)
from orchestration.settings import Settings

SECRET = "s3cr3t-Pa55"


def _settings(tmp_path: Path, url: str | None) -> Settings:
    env = {"IDREAM_WAREHOUSE_DIR": str(tmp_path / "wh")}
    return Settings.from_env(env | ({"IDREAM_WAREHOUSE_URL": url} if url else {}))


def test_dbt_builds_on_the_postgres_target_when_the_url_is_set(tmp_path):
    settings = _settings(tmp_path, "postgresql://analyst@/idream?host=/run/pg&port=5433")
    arguments = dbt_arguments(settings)
    assert arguments[2:] == ["--target", POSTGRES_TARGET]
    assert json.loads(arguments[1]) == {
        "postgres_host": "/run/pg",
        "postgres_port": "5433",
        "postgres_user": "analyst",
        "postgres_database": "idream",
    }
    # Parsed as it is built: each node's database is the URL's.
    assert parse_arguments(settings) == arguments


def test_unset_dbt_builds_the_duckdb_file_as_before(tmp_path):
    settings = _settings(tmp_path, None)
    assert dbt_arguments(settings) == [
        "--vars",
        json.dumps({"database_path": str(settings.build_database_path)}),
    ]


def test_a_pgpassword_reaches_dbt_only_under_a_name_it_scrubs():
    assert dbt_environment(None, {"PGPASSWORD": SECRET}) == {PASSWORD_VARIABLE: SECRET}
    assert dbt_environment(None, {}) == {}
    assert PASSWORD_VARIABLE.startswith("DBT_ENV_SECRET_")


def test_profiles_read_no_password_but_libpqs_own():
    """Regression guard: a password written into profiles.yml, or read from a variable
    dbt would record (any name but DBT_ENV_SECRET_*), is a password stored."""
    import yaml

    profiles = Path(__file__).resolve().parents[2] / "transforms" / "profiles.yml"
    target = yaml.safe_load(profiles.read_text())["idream"]["outputs"]["postgres"]
    assert target["password"] == "{{ env_var('" + PASSWORD_VARIABLE + "', '') }}"
