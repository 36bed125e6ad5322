"""The pure helpers of the throwaway PostgreSQL server (tests/postgres.py)."""

from pathlib import Path

import pytest

from orchestration.lib.postgres import parse_warehouse_url
from tests.postgres import (
    PostgresNotInstalled,
    as_server_user,
    client_authentication,
    find_bin_dir,
    password_file_line,
    postgres_type,
    server_settings,
    socket_url,
    tcp_url,
)


def test_root_hands_the_server_to_its_account_and_others_run_it_themselves():
    assert as_server_user(["initdb"], euid=0) == ["runuser", "-u", "postgres", "--", "initdb"]
    assert as_server_user(["initdb"], euid=1000) == ["initdb"]


def test_the_programs_are_found_on_path_or_in_debians_newest_folder(tmp_path):
    for version in ("9.6", "15", "13"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_ctl").touch()
    on_path = {"initdb": "/opt/pg/bin/initdb", "pg_ctl": "/opt/pg/bin/pg_ctl"}
    assert find_bin_dir(on_path.get, str(tmp_path / "*" / "bin")) == Path("/opt/pg/bin")
    assert find_bin_dir(lambda _: None, str(tmp_path / "*" / "bin")) == tmp_path / "15" / "bin"
    with pytest.raises(PostgresNotInstalled, match="make postgres"):
        find_bin_dir(lambda _: None, str(tmp_path / "none" / "*"))


def test_the_server_is_private_and_disposable():
    settings = server_settings(Path("/tmp/idream-pg-x"), 5599)
    assert "unix_socket_directories = '/tmp/idream-pg-x'" in settings
    assert "listen_addresses = '127.0.0.1'" in settings and "port = 5599" in settings
    assert "fsync = off" in settings


def test_only_the_superuser_is_trusted_and_only_over_the_socket():
    rules = [line.split() for line in client_authentication("postgres").splitlines()]
    rules = [rule for rule in rules if rule and not rule[0].startswith("#")]
    assert rules[0] == ["local", "all", "postgres", "trust"]
    assert all(rule[-1] == "scram-sha-256" for rule in rules[1:])


def test_a_password_file_line_escapes_colons_and_backslashes():
    line = password_file_line("/tmp/s", 5432, "*", "idream_test", r"a:b\c")
    assert line == r"/tmp/s:5432:*:idream_test:a\:b\\c"


def test_the_fixtures_urls_are_warehouse_urls():
    assert parse_warehouse_url(socket_url("u", "d", Path("/tmp/s"), 5599)).host == "/tmp/s"
    assert parse_warehouse_url(tcp_url("u", "d", 5599)).server == "127.0.0.1:5599"


def test_duckdb_types_land_as_the_contracts_types():
    assert postgres_type("VARCHAR") == "varchar"  # not text: the contracts say varchar
    assert postgres_type("DOUBLE") == "double precision"
    with pytest.raises(ValueError, match="no PostgreSQL type for DuckDB's HUGEINT"):
        postgres_type("HUGEINT")
