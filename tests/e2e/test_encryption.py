"""Protected data at rest, end to end. With a warehouse key, the whole pipeline (Dagster,
dbt, GX) builds and publishes an encrypted warehouse: the file holds no plaintext, cannot
be opened without the key, and opens for an analyst with the DuckDB CLI as the README
says. The inputs are password-protected workbooks, read with the password from a file.
Neither the key nor the password appears in any output or file. Turning encryption off
then rebuilds a plain warehouse."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import encryption
from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import run_idream
from tests.programmes import minimal_programme, protect_workbook

STATEMENT = "I feel connected to ZEBRASTATEMENT peers"
PASSWORD = "Kobo&Excel 2024!"


# One test, not two: turning encryption off needs an encrypted warehouse to turn off, and
# the first run builds one; a second test made its own with another whole run.
def test_protected_workbooks_into_an_encrypted_warehouse_then_turning_encryption_off(
    tmp_path, capfd, monkeypatch
):
    programme = minimal_programme()
    programme.codebook = [("con_01", "connection", STATEMENT, "agreement")]
    raw = programme.write(tmp_path / "raw")
    for workbook in (raw / "participants.xlsx", raw / "success_markers" / "cohort_1.xlsx"):
        protect_workbook(workbook, PASSWORD)
    raw_before = {path: path.read_bytes() for path in raw.rglob("*") if path.is_file()}
    warehouse = tmp_path / "warehouse"
    key_file = tmp_path / "keys" / "warehouse.key"
    password_file = tmp_path / "keys" / "workbooks.password"
    password_file.parent.mkdir()
    password_file.write_text(PASSWORD + "\n")
    monkeypatch.setenv("IDREAM_WAREHOUSE_KEY_FILE", str(key_file))
    monkeypatch.setenv("IDREAM_WORKBOOK_PASSWORD_FILE", str(password_file))

    result = run_idream(raw, warehouse)
    printed = capfd.readouterr()
    assert result.exit_code == 0, printed.err[-3000:]
    assert "created a new warehouse encryption key" in printed.out + printed.err
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()

    database = warehouse / "idream.duckdb"
    for path in (database, warehouse / ".build" / "idream.duckdb"):
        assert STATEMENT.encode() not in path.read_bytes()
        with pytest.raises(duckdb.Error, match="without a key"):
            duckdb.connect(str(path), read_only=True)
    with encryption.connect(database, key, read_only=True) as connection:
        assert connection.execute("select statement from raw.survey_codebook").fetchall() == [
            (STATEMENT,)
        ]
        assert connection.execute("select count(*) from marts.dim_participants").fetchone() == (2,)

    # What an analyst types (README): `idream sql`, or the DuckDB CLI with the key in the
    # environment.
    bin_dir = Path(sys.executable).parent
    query = ["-csv", "-c", "select count(*) as n from marts.dim_participants"]
    for command, extra_env in [
        ([str(bin_dir / "idream"), "sql", *query], {"IDREAM_WAREHOUSE_DIR": str(warehouse)}),
        (
            [str(bin_dir / "duckdb"), *encryption.analyst_arguments(database, True), *query],
            {"IDREAM_WAREHOUSE_KEY": key},
        ),
    ]:
        analyst = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, **extra_env}, check=False
        )
        assert analyst.returncode == 0, analyst.stderr
        assert analyst.stdout.split() == ["n", "2"]

    written = [warehouse, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]
    leaked = [
        path
        for root in written
        for path in root.rglob("*")
        if path.is_file() and key.encode() in path.read_bytes()
    ]
    assert not leaked
    assert key not in printed.out + printed.err
    assert PASSWORD not in printed.out + printed.err
    # Nothing decrypted was written beside the inputs, and they are unchanged.
    assert {path: path.read_bytes() for path in raw.rglob("*") if path.is_file()} == raw_before

    # Turning encryption off rebuilds a plain warehouse (the workbooks are still protected:
    # their password stays).
    monkeypatch.delenv("IDREAM_WAREHOUSE_KEY_FILE")
    assert run_idream(raw, warehouse).exit_code == 0
    printed = capfd.readouterr()
    assert "another encryption setting or key" in printed.out + printed.err
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.dim_participants").fetchone() == (2,)
    # The plaintext check of the encrypted file means something: a plain file shows it.
    assert STATEMENT.encode() in database.read_bytes()
