"""check_connection against a real PostgreSQL server (the session's throwaway one): it
answers, or the message names the server and the problem, never with a traceback's worth
of libpq text, and the password only ever comes from libpq's own places."""

import time

import pytest

from orchestration.lib.postgres import (
    WarehouseUnreachable,
    check_connection,
    connect,
    parse_warehouse_url,
)
from tests.postgres import free_port, running_server, socket_url, tcp_url


def test_the_warehouse_answers_over_its_socket_and_over_loopback(postgres_server):
    for url in (postgres_server.url, postgres_server.tcp_url):
        assert check_connection(parse_warehouse_url(url)).startswith("15.")


def test_a_wrong_database_is_named(postgres_server):
    url = parse_warehouse_url(postgres_server.url_for("no_such_programme"))
    with pytest.raises(WarehouseUnreachable) as refused:
        check_connection(url)
    message = str(refused.value)
    assert message.startswith(
        f"cannot connect to the PostgreSQL warehouse at the Unix socket in "
        f"{postgres_server.socket_dir} (port {postgres_server.port}) as idream_test, "
        "database no_such_programme: the database does not exist there"
    )
    assert "\n" not in message


def test_an_unreachable_port_says_nothing_answered_and_fails_fast(postgres_server):
    closed = free_port()
    for url in (
        tcp_url(postgres_server.user, postgres_server.database, closed),
        socket_url(
            postgres_server.user, postgres_server.database, postgres_server.socket_dir, closed
        ),
    ):
        started = time.monotonic()
        with pytest.raises(WarehouseUnreachable, match="nothing answered: is the server running"):
            check_connection(parse_warehouse_url(url))
        assert time.monotonic() - started < 5
    with pytest.raises(WarehouseUnreachable, match=rf"at 127\.0\.0\.1:{closed} as idream_test"):
        check_connection(parse_warehouse_url(tcp_url("idream_test", "idream_test", closed)))


def test_a_wrong_role_is_refused_without_saying_whether_it_exists(postgres_server):
    """PostgreSQL answers an unknown role as a wrong password (it does not tell which);
    the message says what to check, naming the role."""
    url = f"postgresql://nobody@127.0.0.1:{postgres_server.port}/idream_test"
    with pytest.raises(
        WarehouseUnreachable,
        match="as nobody, database idream_test: the server refused the role's password",
    ):
        check_connection(parse_warehouse_url(url))


def test_the_password_comes_from_pgpassfile_or_pgpassword(postgres_server, monkeypatch, tmp_path):
    url = parse_warehouse_url(postgres_server.tcp_url)
    password = postgres_server.password_file.read_text().splitlines()[0].rsplit(":", 1)[1]
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(WarehouseUnreachable, match=r"PGPASSFILE or ~/\.pgpass, or in PGPASSWORD"):
        check_connection(url)
    monkeypatch.setenv("PGPASSWORD", password)
    assert check_connection(url).startswith("15.")
    monkeypatch.setenv("PGPASSWORD", password + "x")
    with pytest.raises(WarehouseUnreachable) as refused:
        check_connection(url)
    assert password not in str(refused.value)


def test_a_server_is_stopped_and_removed_when_the_test_inside_fails():
    with pytest.raises(RuntimeError, match="inside"), running_server() as server:
        folder, url = server.socket_dir, parse_warehouse_url(server.url)
        raise RuntimeError("inside")
    assert not folder.exists()
    with pytest.raises(WarehouseUnreachable, match="nothing answered"):
        check_connection(url)


def test_idream_dbt_names_an_unreachable_warehouse_before_dbt_starts(monkeypatch, capsys):
    from orchestration import cli

    closed = free_port()
    monkeypatch.setenv("IDREAM_WAREHOUSE_URL", tcp_url("idream_test", "idream_test", closed))
    assert cli.main(["dbt", "debug"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"idream: cannot connect to the PostgreSQL warehouse at 127.0.0.1:{closed} as "
        "idream_test, database idream_test: nothing answered: is the server running, and are "
        "the URL's host and port right? (Connection refused)\n"
    )


def test_a_wrong_password_for_a_real_role_names_the_server_and_says_what_to_check(
    postgres_server, monkeypatch, tmp_path
):
    """What a team's run reports when its PGPASSFILE holds a stale password: the server,
    the role, the database and where libpq looked, not the password. `connect` (the
    publish's way in) says the same as check_connection."""
    url = parse_warehouse_url(postgres_server.tcp_url)
    stale = tmp_path / "pgpass"
    stale.write_text(f"127.0.0.1:{postgres_server.port}:*:idream_test:not-the-password\n")
    stale.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(stale))
    for attempt in (check_connection, connect):
        with pytest.raises(WarehouseUnreachable) as refused:
            attempt(url)
        message = str(refused.value)
        assert message.startswith(
            f"cannot connect to the PostgreSQL warehouse at 127.0.0.1:{postgres_server.port} "
            "as idream_test, database idream_test: the server refused the role's password"
        )
        assert "not-the-password" not in message and "\n" not in message
