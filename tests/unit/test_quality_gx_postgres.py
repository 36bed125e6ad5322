"""GX's PostgreSQL data source is given the warehouse the way every other connection is:
no password anywhere in its connection string (libpq finds it), a Unix socket's folder
where libpq reads it, and the pipeline's driver (psycopg 3)."""

from orchestration.lib.postgres import parse_warehouse_url
from orchestration.lib.quality.gx_postgres import connection_string


def test_a_tcp_warehouse_is_named_by_host_port_and_database_without_a_password():
    url = parse_warehouse_url("postgresql://idream@db.example.org:5433/team")
    assert connection_string(url) == "postgresql+psycopg://idream@db.example.org:5433/team"


def test_a_socket_folder_is_given_to_libpq_as_its_host():
    # GX refuses a URL without a host before the database, so `localhost` stands there;
    # libpq connects to the folder `?host=` names.
    import sqlalchemy as sa

    url = parse_warehouse_url("postgresql://idream@/team?host=/run/idream-pg&port=5499")
    text = connection_string(url)
    parsed = sa.engine.make_url(text)
    _, arguments = parsed.get_dialect()().create_connect_args(parsed)
    assert arguments["host"] == "/run/idream-pg"
    assert (arguments["dbname"], arguments["user"], str(arguments["port"])) == (
        "team",
        "idream",
        "5499",
    )
    assert "password" not in arguments


def test_gx_accepts_the_connection_string_as_a_postgres_url():
    from great_expectations.compatibility.pydantic import PostgresDsn, parse_obj_as

    for url in ("postgresql://u@/d?host=/tmp/s", "postgresql://u@127.0.0.1:5432/d"):
        parse_obj_as(PostgresDsn, connection_string(parse_warehouse_url(url)))
