"""DuckDB's database encryption as the pipeline uses it: no plaintext on disk, the key
required, and a build copy written under another setting set aside."""

import duckdb
import pytest

from orchestration.lib import encryption, warehouse

SECRET = "ZEBRA-PLAINTEXT-CANARY"


def _write(path, key):
    with warehouse.connect(path, key=key) as connection:
        connection.execute("create schema raw")
        # One row: a column of similar strings is compressed on disk, and then even the
        # plain file would not show the canary.
        connection.execute(f"create table raw.t as select '{SECRET}' as s")
        connection.execute("create view raw.v as select * from raw.t")


def test_an_encrypted_file_holds_no_plaintext_and_needs_its_key(tmp_path):
    path, key = tmp_path / "idream.duckdb", encryption.new_key()
    _write(path, key)
    assert SECRET.encode() not in path.read_bytes()
    assert warehouse.query(path, "select count(*) as n from raw.v", key)["n"][0] == 1
    with pytest.raises(duckdb.Error, match="without a key"):
        warehouse.query(path, "select 1")
    with pytest.raises(duckdb.Error, match=r"[Ww]rong encryption key"):
        warehouse.query(path, "select 1", encryption.new_key())


def test_a_plain_file_is_plain(tmp_path):
    # The canary check above is meaningful only if a plain file would contain it.
    path = tmp_path / "idream.duckdb"
    _write(path, None)
    assert SECRET.encode() in path.read_bytes()


@pytest.mark.parametrize(
    ("written_with", "opened_with"), [(None, "key"), ("key", None), ("key", "other")]
)
def test_a_build_copy_from_another_setting_is_discarded(tmp_path, written_with, opened_with):
    keys = {None: None, "key": encryption.new_key(), "other": encryption.new_key()}
    path = tmp_path / "idream.duckdb"
    _write(path, keys[written_with])
    assert warehouse.discard_if_unreadable(path, keys[opened_with])
    assert not path.exists()


def test_a_readable_build_copy_is_kept(tmp_path):
    path, key = tmp_path / "idream.duckdb", encryption.new_key()
    _write(path, key)
    assert not warehouse.discard_if_unreadable(path, key)
    assert path.exists()
