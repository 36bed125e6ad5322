"""Encryption at rest: DuckDB's own database encryption (AES-256-GCM), the one place that
knows its SQL.

DuckDB reads an encrypted file with its built-in crypto, but writes one only with an
OpenSSL-backed extension (httpfs), which it would otherwise download at run time. The
extension comes from a pinned PyPI package instead, is loaded by path with automatic
installs and loads switched off, and must pass DuckDB's signature check. DuckDB's
"unsafe" mode (writing with its read-only crypto) is never used.

Spill files of large sorts and joins are plaintext unless `temp_file_encryption` is set,
so every encrypted connection sets it.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import duckdb

# Analysts attach under this name too: dbt's views refer to their catalog by name.
CATALOG = "idream"
# A key file holds one line of these characters; it reaches SQL as a bound parameter,
# and the check keeps a stray newline or a pasted quote from becoming part of the key.
_KEY = re.compile(r"[0-9A-Za-z+/=_-]{32,}")
NO_AUTOMATIC_EXTENSIONS = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_unsigned_extensions": False,
}


class EncryptionKeyError(Exception):
    """The warehouse key file is unusable; the message names it, never its content."""


def httpfs_extension() -> Path:
    import importlib.resources

    package = importlib.resources.files("duckdb_extension_httpfs")
    return Path(str(package / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"))


def new_key() -> str:
    return secrets.token_hex(32)


def read_key(key_file: Path) -> str:
    key = key_file.read_text(encoding="utf-8").strip()
    if not _KEY.fullmatch(key):
        raise EncryptionKeyError(
            f"the warehouse key in {key_file} must be one line of at least 32 letters, "
            "digits or + / = _ - (make one with: python -c 'import secrets; "
            "print(secrets.token_hex(32))')"
        )
    return key


def connect(path: Path, key: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection whose default catalog is the encrypted database at `path`."""
    connection = duckdb.connect(config=NO_AUTOMATIC_EXTENSIONS)
    try:
        # Read-only connections too: a large query spills, and its spill files are
        # encrypted only with the OpenSSL-backed module (about 70 ms per connection).
        connection.execute(f"load '{httpfs_extension()}'")
        connection.execute("set temp_file_encryption = true")
        options = "encryption_key ?, read_only" if read_only else "encryption_key ?"
        quoted = str(path).replace("'", "''")
        connection.execute(f"attach '{quoted}' as {CATALOG} ({options})", [key])
        connection.execute(f"use {CATALOG}")
    except BaseException:
        connection.close()
        raise
    return connection


KEY_VARIABLE = "IDREAM_WAREHOUSE_KEY"


def analyst_arguments(database: Path, encrypted: bool) -> list[str]:
    """DuckDB CLI arguments that open the warehouse read-only; for an encrypted one, the
    key is read from the environment variable KEY_VARIABLE."""
    if not encrypted:
        return ["-readonly", str(database)]
    quoted = str(database).replace("'", "''")
    extension = str(httpfs_extension()).replace("'", "''")
    return [
        "-cmd",
        # Spill files of large queries encrypted too, which needs the OpenSSL module.
        f"load '{extension}'; set temp_file_encryption = true; "
        f"set variable k = getenv('{KEY_VARIABLE}'); "
        f"attach '{quoted}' as {CATALOG} (encryption_key getvariable('k'), read_only); "
        f"use {CATALOG};",
    ]
