"""IDREAM_WAREHOUSE_URL: what it may say, and what it is refused for. Pure: no server
(tests/e2e/test_postgres_connection.py connects to a real one)."""

import pytest

from orchestration.lib.postgres import (
    WarehouseUrl,
    WarehouseUrlError,
    describe_connection_error,
    parse_warehouse_url,
)
from orchestration.settings import Settings, SettingsError

SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://analyst@db.example.org:6543/idream",
            WarehouseUrl("db.example.org", 6543, "analyst", "idream"),
        ),
        ("postgres://analyst@db/idream", WarehouseUrl("db", 5432, "analyst", "idream")),
        (
            "postgresql://analyst@/idream?host=/run/Team%20PG&port=5433",
            WarehouseUrl("/run/Team PG", 5433, "analyst", "idream"),
        ),
        # libpq's other spelling of a socket folder: percent-encoded as the host.
        (
            "postgresql://analyst@%2Fvar%2Frun%2Fpostgresql/idream",
            WarehouseUrl("/var/run/postgresql", 5432, "analyst", "idream"),
        ),
        ("postgresql://analyst@[::1]:5432/idream", WarehouseUrl("::1", 5432, "analyst", "idream")),
        (
            "  postgresql://a%40b@DB.Example.org/x  ",
            WarehouseUrl("DB.Example.org", 5432, "a@b", "x"),
        ),
    ],
)
def test_a_url_names_the_server_the_role_and_the_database(url, expected):
    assert parse_warehouse_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://analyst:{SECRET}@db:5432/idream",
        f"postgresql://analyst@db/idream?password={SECRET}",
        # An empty password is a password field all the same.
        "postgresql://analyst:@db/idream",
    ],
)
def test_a_password_in_the_url_is_refused_without_repeating_it(url):
    """Regression guard: the message must never echo the URL (it holds the password)."""
    with pytest.raises(WarehouseUrlError) as refused:
        parse_warehouse_url(url)
    message = str(refused.value)
    assert "holds a password" in message
    assert "PGPASSFILE" in message and "~/.pgpass" in message and "PGPASSWORD" in message
    assert SECRET not in message and "analyst" not in message


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://analyst@db/idream", "must start with postgresql://"),
        ("db.example.org:5432/idream", "must start with postgresql://"),
        ("postgresql://db/idream", "names no user"),
        ("postgresql://analyst@db", "names no database"),
        ("postgresql://analyst@/idream", "names no host"),
        ("postgresql://analyst@db:99999/idream", "not a PostgreSQL URL"),
        ("postgresql://analyst@/idream?host=/s&port=x", "port is not a number"),
        ("postgresql://analyst@db/idream?sslmode=require", "sslmode are not read here"),
        ("postgresql://analyst@db1,db2/idream", "one host only"),
        ("postgresql://analyst@db/idream?host=/run/pg", "gives a host twice"),
        ("postgresql://analyst@db/a/b", "database name has a `/`"),
    ],
)
def test_an_unusable_url_says_what_is_wrong(url, problem):
    with pytest.raises(WarehouseUrlError, match=problem):
        parse_warehouse_url(url)


@pytest.mark.parametrize(
    "url",
    [
        # Unencoded `/`, `?` or `#` in a password: urllib no longer sees a password, and
        # reads part of it as a port or a database.
        "postgresql://analyst:Xq7/Zr9@db/idream",
        "postgresql://analyst:1234/5678@db/idream",
        "postgresql://analyst:Xq7?Zr9@db/idream",
        "postgresql://analyst:Xq7#Zr9@db/idream",
    ],
)
def test_a_mangled_password_is_not_shown_either(url):
    with pytest.raises(WarehouseUrlError) as refused:
        parse_warehouse_url(url)
    message = str(refused.value)
    assert not any(part in message for part in ("Xq7", "Zr9", "1234", "5678")), message


def test_the_url_is_shown_as_it_was_meant():
    assert str(parse_warehouse_url("postgres://a@h/d")) == "postgresql://a@h:5432/d"
    socket = parse_warehouse_url("postgresql://a@/d?host=/run/pg")
    assert str(socket) == "postgresql://a@/d?host=/run/pg&port=5432"
    assert socket.server == "the Unix socket in /run/pg (port 5432)"
    assert parse_warehouse_url("postgresql://a@[::1]/d").server == "[::1]:5432"


def test_unset_the_warehouse_is_the_duckdb_file(tmp_path):
    assert Settings.from_env({}).warehouse_url is None
    assert Settings.from_env({"IDREAM_WAREHOUSE_URL": "  "}).warehouse_url is None


def test_the_setting_is_parsed_once_and_its_errors_are_settings_errors():
    settings = Settings.from_env({"IDREAM_WAREHOUSE_URL": "postgresql://a@h:1/d"})
    assert settings.warehouse_url == WarehouseUrl("h", 1, "a", "d")
    with pytest.raises(SettingsError, match="holds a password") as refused:
        Settings.from_env({"IDREAM_WAREHOUSE_URL": f"postgresql://a:{SECRET}@h/d"})
    # Raised `from None`: a traceback would not show the URL through the cause either.
    assert refused.value.__cause__ is None and SECRET not in str(refused.value)


URL = WarehouseUrl("db.example.org", 5432, "analyst", "idream")


@pytest.mark.parametrize(
    ("libpq_says", "advice"),
    [
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
            "connections?",
            "nothing answered: is the server running",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            'FATAL:  database "idream" does not exist',
            "the database does not exist there",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            'FATAL:  password authentication failed for user "analyst"',
            "refused the role's password",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            'FATAL:  role "analyst" does not exist',
            "the role does not exist there",
        ),
        (
            'connection failed: could not translate host name "db.example.org" to address: '
            "Name or service not known",
            "nothing answered",
        ),
    ],
)
def test_a_failed_connection_names_the_server_and_the_problem(libpq_says, advice):
    message = describe_connection_error(URL, libpq_says)
    assert message.startswith(
        "cannot connect to the PostgreSQL warehouse at db.example.org:5432 as analyst, "
        "database idream: "
    )
    assert advice in message
    assert "\n" not in message and "connection failed" not in message


def test_an_unforeseen_failure_still_says_what_the_server_said():
    message = describe_connection_error(URL, "connection failed: SSL error: certificate expired")
    assert message.endswith(": SSL error: certificate expired")


def test_a_url_with_a_password_stops_the_command_with_its_message(monkeypatch, capsys):
    from orchestration import cli

    monkeypatch.setenv("IDREAM_WAREHOUSE_URL", f"postgresql://a:{SECRET}@h/d")
    assert cli.main(["dbt", "debug"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("idream: IDREAM_WAREHOUSE_URL holds a password")
    assert SECRET not in err and "Traceback" not in err


def test_idream_run_stops_before_anything_when_the_team_warehouse_cannot_be_reached(
    monkeypatch, capsys, tmp_path
):
    """The connection is tried first: one line naming the server, exit 2, nothing written
    (no warehouse folder, no Dagster run)."""
    from orchestration import cli

    socket_folder = tmp_path / "no_server_here"
    monkeypatch.setenv("IDREAM_WAREHOUSE_URL", f"postgresql://a@/d?host={socket_folder}&port=5")
    code = cli.main(["run", "--raw-dir", str(tmp_path), "--warehouse-dir", str(tmp_path / "w")])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        f"cannot connect to the PostgreSQL warehouse at the Unix socket in {socket_folder}" in err
    )
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "w").exists()
