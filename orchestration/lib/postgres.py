"""The team warehouse on PostgreSQL: its URL (`IDREAM_WAREHOUSE_URL`) and whether it answers.

The URL names where the warehouse is and who connects, never a password: libpq finds that
itself, in `PGPASSFILE` or `~/.pgpass`, or in `PGPASSWORD`, so it is never in a setting,
a log line, dbt's files or Dagster's run records. Every other connection option (TLS and
the like) is libpq's environment too (`PGSSLMODE`, `PGSSLROOTCERT`, ...), read by psycopg
and dbt alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")
DEFAULT_PORT = 5432
# Short enough that a wrong host fails fast; libpq takes 2 s at least.
CONNECT_TIMEOUT_SECONDS = 5
URL_FORM = "postgresql://user@host:port/database (or ?host=/socket/folder for a Unix socket)"


class WarehouseUrlError(ValueError):
    """The URL cannot be used; the message says why and never repeats a password."""


class WarehouseUnreachable(Exception):
    """The server could not be reached, or refused the role or the database; the message
    names the server and the problem."""


@dataclass(frozen=True)
class WarehouseUrl:
    """Where the PostgreSQL warehouse is. `host` is a host name or address, or the folder
    of the server's Unix socket (a path, starting with `/`)."""

    host: str
    port: int
    user: str
    dbname: str

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    @property
    def server(self) -> str:
        """The server, as messages name it."""
        if self.is_socket:
            return f"the Unix socket in {self.host} (port {self.port})"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        if self.is_socket:
            return f"postgresql://{self.user}@/{self.dbname}?host={self.host}&port={self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{self.user}@{host}:{self.port}/{self.dbname}"

    def connection_arguments(self) -> dict[str, str | int]:
        """psycopg's keyword arguments; no password: libpq looks it up."""
        return {"host": self.host, "port": self.port, "user": self.user, "dbname": self.dbname}


def parse_warehouse_url(url: str) -> WarehouseUrl:
    """`postgresql://user@host:port/database`, or a socket folder as `?host=/folder` (or the
    folder percent-encoded as the host). The port defaults to 5432.

    No message quotes the URL or a part of it: a password with an unencoded `/`, `?` or
    `#` in it does not parse as one, and would be shown as a port or a database."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        # Reading these raises on a malformed port or address.
        hostname, port_text, password = parts.hostname, parts.port, parts.password
    except ValueError:
        # Not urllib's words: they quote the port, which may be part of a password with
        # an unencoded `/` in it.
        raise WarehouseUrlError(
            "IDREAM_WAREHOUSE_URL is not a PostgreSQL URL (its host or port cannot be "
            f"read); write {URL_FORM}"
        ) from None
    if parts.scheme not in SCHEMES:
        raise WarehouseUrlError(
            f"IDREAM_WAREHOUSE_URL must start with postgresql:// (got "
            f"{parts.scheme + '://' if parts.scheme else 'no scheme'}); write {URL_FORM}"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    if password is not None or "password" in query:
        # Never echo the URL: it holds the password.
        raise WarehouseUrlError(
            "IDREAM_WAREHOUSE_URL holds a password, which settings never do (they end up in "
            "logs and process lists). Remove it from the URL and give it to libpq instead: a "
            "line `host:port:database:user:password` in ~/.pgpass or in the file PGPASSFILE "
            "names (readable by you only), or the PGPASSWORD environment variable."
        )
    unknown = sorted(set(query) - {"host", "port"})
    if unknown:
        raise WarehouseUrlError(
            f"IDREAM_WAREHOUSE_URL: the URL option(s) {', '.join(unknown)} are not read here; "
            "only host and port are. Set other connection options in libpq's environment "
            "(PGSSLMODE, PGSSLROOTCERT, ...), which psycopg and dbt both read."
        )
    for name in ("host", "port"):
        if len(query.get(name, [])) > 1:
            raise WarehouseUrlError(f"IDREAM_WAREHOUSE_URL gives {name} more than once")
    user = unquote(parts.username or "")
    dbname = unquote(parts.path.lstrip("/"))
    # urlsplit lower-cases `hostname`; a socket folder's case matters.
    raw_host = parts.netloc.rpartition("@")[2]
    raw_host = raw_host[: raw_host.rfind(":")] if port_text is not None else raw_host
    host = query["host"][0] if "host" in query else unquote(raw_host) if raw_host else ""
    if "host" in query and hostname:
        raise WarehouseUrlError(
            "IDREAM_WAREHOUSE_URL gives a host twice (before the database and as ?host=)"
        )
    if "," in host:
        raise WarehouseUrlError("IDREAM_WAREHOUSE_URL: one host only (no lists of servers)")
    port = _port(query["port"][0] if "port" in query else port_text)
    if "port" in query and port_text is not None:
        raise WarehouseUrlError("IDREAM_WAREHOUSE_URL gives a port twice")
    missing = [
        name for name, value in (("user", user), ("host", host), ("database", dbname)) if not value
    ]
    if missing:
        raise WarehouseUrlError(
            f"IDREAM_WAREHOUSE_URL names no {', no '.join(missing)}; write {URL_FORM}"
        )
    if "/" in dbname:
        raise WarehouseUrlError(
            f"IDREAM_WAREHOUSE_URL: the database name has a `/` in it; write {URL_FORM}"
        )
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return WarehouseUrl(host=host, port=port, user=user, dbname=dbname)


def _port(value: str | int | None) -> int:
    if value is None:
        return DEFAULT_PORT
    text = str(value)
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise WarehouseUrlError("IDREAM_WAREHOUSE_URL: the port is not a number from 1 to 65535")
    return int(text)


# What libpq and the server say, and what to do about it. The server's own words follow.
_PROBLEMS = [
    (
        re.compile(r'database "[^"]*" does not exist'),
        "the database does not exist there: create it, or correct the URL's database",
    ),
    (
        re.compile(r'role "[^"]*" does not exist'),
        "the role does not exist there: create it, or correct the URL's user",
    ),
    (
        re.compile(r"password authentication failed|no password supplied"),
        "the server refused the role's password (or none was found): check the URL's user, "
        "and the password libpq finds in PGPASSFILE or ~/.pgpass, or in PGPASSWORD",
    ),
    (
        re.compile(
            r"Connection refused|No such file or directory|timeout expired|"
            r"could not translate host name|Network is unreachable|No route to host"
        ),
        "nothing answered: is the server running, and are the URL's host and port right?",
    ),
]


def describe_connection_error(url: WarehouseUrl, message: str) -> str:
    """A one-paragraph message for a failed connection: the server, the problem, what to
    check, and what the server or libpq said (which never contains a password)."""
    said = _server_words(message)
    advice = next((advice for pattern, advice in _PROBLEMS if pattern.search(said)), None)
    head = (
        f"cannot connect to the PostgreSQL warehouse at {url.server} "
        f"as {url.user}, database {url.dbname}"
    )
    if advice is None:
        return f"{head}: {said}"
    return f"{head}: {advice} ({said})"


def _server_words(message: str) -> str:
    """libpq's message without its preamble ('connection failed: connection to server at
    ... failed: ') and its generic second line."""
    text = message.strip()
    text = re.sub(r"^connection (failed|is bad):\s*", "", text)
    text = re.sub(r"^connection to server (at|on socket) .*? failed:\s*", "", text)
    first = text.splitlines()[0] if text else message
    return re.sub(r"^FATAL:\s+", "", first).strip()


def connect(url: WarehouseUrl, timeout: int = CONNECT_TIMEOUT_SECONDS, **options):
    """A psycopg connection to the warehouse (`options`: psycopg's, e.g. autocommit), or
    WarehouseUnreachable with a message naming the server and the problem."""
    import psycopg

    try:
        return psycopg.connect(**url.connection_arguments(), connect_timeout=timeout, **options)
    except psycopg.OperationalError as error:
        raise WarehouseUnreachable(describe_connection_error(url, str(error))) from None


def check_connection(url: WarehouseUrl, timeout: int = CONNECT_TIMEOUT_SECONDS) -> str:
    """Connect once and return the server's version (e.g. "15.18"), or raise
    WarehouseUnreachable with a message naming the server and the problem."""
    with connect(url, timeout) as connection:
        return str(connection.execute("show server_version").fetchone()[0])
