"""A throwaway PostgreSQL server for the tests: Debian's `postgresql` package (`make postgres`
installs it), a cluster in a temporary folder, stopped and removed at the end.

The server listens on a Unix socket in that folder, which only the server's user (and root)
can enter, and on 127.0.0.1 at a free port. The superuser is trusted over that socket only,
for the fixture's own set-up; the tests' login role has a password and authenticates with
SCRAM everywhere, with its password in a PGPASSFILE the fixture writes, the way a team's
runs will. Durability is off (fsync, synchronous_commit): the cluster dies with the test.

The helpers above `running_server` are pure and unit-tested (tests/unit/test_postgres_harness.py).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Debian puts the server's programs in a versioned folder, not on PATH.
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# initdb refuses to run as root: when the tests run as root (CI), the server runs as the
# account Debian's package creates.
SERVER_ACCOUNT = "postgres"
LOGIN_ROLE = "idream_test"


class PostgresNotInstalled(Exception):
    pass


def find_bin_dir(path_lookup=shutil.which, debian_glob: str = DEBIAN_BIN_GLOB) -> Path:
    """The folder holding initdb and pg_ctl: on PATH, else the newest Debian version."""
    on_path = [path_lookup(name) for name in ("initdb", "pg_ctl")]
    if all(on_path):
        return Path(on_path[1]).resolve().parent
    candidates = sorted(
        (Path(p) for p in _glob(debian_glob) if (Path(p) / "pg_ctl").exists()),
        key=lambda p: _version_key(p.parent.name),
    )
    if not candidates:
        raise PostgresNotInstalled(
            "PostgreSQL's initdb and pg_ctl were not found (on PATH or in "
            f"{debian_glob}): run `make postgres`, which installs Debian's postgresql package"
        )
    return candidates[-1]


def _glob(pattern: str) -> list[str]:
    import glob

    return glob.glob(pattern)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def as_server_user(command: list[str], euid: int, account: str = SERVER_ACCOUNT) -> list[str]:
    """`command` as the account that owns the cluster: root hands it to `account`."""
    return ["runuser", "-u", account, "--", *command] if euid == 0 else command


def server_settings(socket_dir: Path, port: int) -> str:
    """Lines appended to postgresql.conf."""
    return "\n".join(
        [
            "",
            "# The tests' throwaway server (tests/postgres.py).",
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{socket_dir}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 40",
            "",
        ]
    )


def client_authentication(superuser: str) -> str:
    """pg_hba.conf: the superuser by trust over the socket only (set-up), everyone else by
    password (SCRAM), over the socket and loopback."""
    return "\n".join(
        [
            "# TYPE  DATABASE  USER  ADDRESS  METHOD",
            f"local   all  {superuser}  trust",
            "local   all  all  scram-sha-256",
            "host    all  all  127.0.0.1/32  scram-sha-256",
            "",
        ]
    )


def password_file_line(host: str, port: int, database: str, user: str, password: str) -> str:
    """One line of a libpq password file; `:` and `\\` in a field are escaped."""

    def field(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    return ":".join(field(str(v)) for v in (host, port, database, user, password))


def socket_url(user: str, database: str, socket_dir: Path, port: int) -> str:
    return f"postgresql://{user}@/{database}?host={socket_dir}&port={port}"


def tcp_url(user: str, database: str, port: int, host: str = "127.0.0.1") -> str:
    return f"postgresql://{user}@{host}:{port}/{database}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server. `url` reaches `database` as the login role over the
    socket (its password in `password_file`); `tcp_url` the same over loopback."""

    socket_dir: Path
    port: int
    superuser: str
    user: str
    database: str
    password_file: Path

    @property
    def url(self) -> str:
        return socket_url(self.user, self.database, self.socket_dir, self.port)

    @property
    def tcp_url(self) -> str:
        return tcp_url(self.user, self.database, self.port)

    def url_for(self, database: str) -> str:
        return socket_url(self.user, database, self.socket_dir, self.port)

    def admin(self, statement: str) -> None:
        """One statement as the superuser, outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=self.superuser,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(statement)

    def create_database(self, name: str) -> str:
        """A new empty database owned by the login role; its URL."""
        self.admin(f'create database "{name}" owner "{self.user}"')
        return self.url_for(name)


@contextlib.contextmanager
def running_server(bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Start a server in a new temporary folder; stop it and remove the folder on the way
    out, whatever happened inside."""
    bin_dir = bin_dir or find_bin_dir()
    euid = os.geteuid()
    account = pwd.getpwnam(SERVER_ACCOUNT) if euid == 0 else pwd.getpwuid(euid)
    # Under /tmp, not pytest's tmp_path: the server's account must be able to reach it, and
    # a socket's path must stay under about 100 characters.
    folder = Path(tempfile.mkdtemp(prefix="idream-pg-"))
    data_dir = folder / "data"
    started = False
    try:
        os.chown(folder, account.pw_uid, account.pw_gid)
        os.chmod(folder, 0o700)
        _run(
            as_server_user(
                [
                    str(bin_dir / "initdb"),
                    *("-D", str(data_dir)),
                    *("-U", account.pw_name),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions",
                ],
                euid,
            )
        )
        port = free_port()
        _write_as(data_dir / "pg_hba.conf", client_authentication(account.pw_name), account)
        with (data_dir / "postgresql.conf").open("a") as conf:
            conf.write(server_settings(folder, port))
        log = folder / "server.log"
        _run(
            as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "30",
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log),
                ],
                euid,
            ),
            on_error=lambda: _tail(log),
        )
        started = True
        password = secrets.token_urlsafe(24)
        password_file = folder / "pgpass"
        lines = [
            password_file_line(host, port, "*", LOGIN_ROLE, password)
            for host in (str(folder), "127.0.0.1")
        ]
        # The test process's own file (libpq refuses a password file others can read).
        descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        server = PostgresServer(
            socket_dir=folder,
            port=port,
            superuser=account.pw_name,
            user=LOGIN_ROLE,
            database=LOGIN_ROLE,
            password_file=password_file,
        )
        _create_login_role(server, password)
        server.create_database(server.database)
        yield server
    finally:
        if started:
            subprocess.run(
                as_server_user(
                    [str(bin_dir / "pg_ctl"), "stop", "-m", "immediate", "-D", str(data_dir)],
                    euid,
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _create_login_role(server: PostgresServer, password: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user=server.superuser,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        # A literal, not a parameter (utility statements take none); never logged: the
        # server's log_statement is off.
        connection.execute(
            sql.SQL("create role {} login password {}").format(
                sql.Identifier(server.user), sql.Literal(password)
            )
        )


def _write_as(path: Path, text: str, account: pwd.struct_passwd) -> None:
    """Replace a file of the cluster's; it stays its account's."""
    path.write_text(text)
    os.chown(path, account.pw_uid, account.pw_gid)


def _run(command: list[str], on_error=None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = on_error() if on_error else ""
        raise RuntimeError(
            f"{' '.join(command)} exited {result.returncode}:\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}{detail}"
        )


def _tail(log: Path) -> str:
    try:
        return "\nserver log:\n" + log.read_text()[-3000:]
    except OSError:
        return ""


# DuckDB's column types as PostgreSQL writes them. `varchar`, not `text`: the marts'
# contracts declare varchar, and PostgreSQL keeps the two apart.
POSTGRES_TYPES = {
    "VARCHAR": "varchar",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def postgres_type(duckdb_type: str) -> str:
    try:
        return POSTGRES_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(f"no PostgreSQL type for DuckDB's {duckdb_type}") from None


def copy_schemas(duckdb_path: Path, url: str, schemas: tuple[str, ...]) -> dict[str, int]:
    """Every table of `schemas` in a DuckDB file, created and filled (COPY) in the
    PostgreSQL database at `url`, in one transaction; rows copied per schema.table.
    Tables whose name starts with `_` (the landings' bookkeeping) are left out."""
    import duckdb
    import psycopg
    from psycopg import sql

    copied: dict[str, int] = {}
    with (
        duckdb.connect(str(duckdb_path), read_only=True) as source,
        psycopg.connect(url) as target,
    ):
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, kind in source.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            "where table_schema in (select unnest(?)) and table_name not like '\\_%' escape '\\' "
            "order by table_schema, table_name, ordinal_position",
            [list(schemas)],
        ).fetchall():
            columns.setdefault((schema, table), []).append((column, postgres_type(kind)))
        for schema in schemas:
            target.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for (schema, table), table_columns in columns.items():
            name = sql.Identifier(schema, table)
            names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in table_columns)
            definition = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(kind))
                for c, kind in table_columns
            )
            target.execute(sql.SQL("drop table if exists {}").format(name))
            target.execute(sql.SQL("create table {} ({})").format(name, definition))
            rows = source.execute(
                f"select {', '.join(_quoted(c) for c, _ in table_columns)} "
                f"from {_quoted(schema)}.{_quoted(table)}"
            ).fetchall()
            with target.cursor().copy(
                sql.SQL("copy {} ({}) from stdin").format(name, names)
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            copied[f"{schema}.{table}"] = len(rows)
    return copied


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
