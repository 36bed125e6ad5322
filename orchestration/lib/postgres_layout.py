"""The team warehouse's schemas on PostgreSQL, named in one place.

A programme's run builds in schemas of its own (`build_<programme_id>_<layer>`), which
nobody but the run reads. The shared `marts` schema is what analysts read: every
programme's published tables, each row with its `programme_id`. The shared `raw`,
`reference`, `staging`, `intermediate` and `restricted` schemas are never theirs.
"""

from __future__ import annotations

import re

PUBLISHED_SCHEMA = "marts"
PROGRAMME_COLUMN = "programme_id"
# What analysts never read, shared or per programme (build_...).
UNPUBLISHED_SCHEMAS = ("raw", "reference", "staging", "intermediate", "restricted")
BUILD_LAYERS = ("raw", "reference", "restricted", "staging", "intermediate", "marts")
BUILD_PREFIX = "build_"
# One advisory lock for every change to the published schema and its access, by any
# programme's run: they queue instead of colliding on the same catalog rows. Any fixed
# number; only this project takes it.
PUBLISH_LOCK = 0x1D7EA40015
# The roles an administrator creates (docs/team-warehouse.md); each run grants to them.
ANALYST_ROLE = "idream_analyst"
PROGRAMME_ROLE_PREFIX = "idream_analyst_"
# The ids programme.toml accepts (lib/programme_toml.py), short enough that every name built
# from one fits in a PostgreSQL identifier (63 bytes): the longest is build_<id>_intermediate.
_PROGRAMME_ID = re.compile(r"[a-z0-9_]*[a-z0-9][a-z0-9_]*")
MAX_PROGRAMME_ID_LENGTH = 63 - len(BUILD_PREFIX) - len("_intermediate")


class ProgrammeIdError(ValueError):
    pass


def check_programme_id(programme_id: str) -> str:
    if not _PROGRAMME_ID.fullmatch(programme_id):
        raise ProgrammeIdError(
            f"programme id {programme_id!r}: only lower-case letters, digits and _ can name "
            "schemas and roles on PostgreSQL"
        )
    if len(programme_id) > MAX_PROGRAMME_ID_LENGTH:
        raise ProgrammeIdError(
            f"programme id {programme_id!r} is longer than {MAX_PROGRAMME_ID_LENGTH} "
            "characters, too long for the schema and role names built from it on PostgreSQL"
        )
    return programme_id


def schema_prefix(programme_id: str) -> str:
    """What a programme's build schemas start with, e.g. `build_idream_`: dbt's var
    `schema_prefix` (transforms/macros/generate_schema_name.sql)."""
    return f"{BUILD_PREFIX}{check_programme_id(programme_id)}_"


def build_schema(programme_id: str, layer: str) -> str:
    """The schema a programme's run builds `layer` in, e.g. `build_idream_marts`."""
    if layer not in BUILD_LAYERS:
        raise ValueError(f"no build layer {layer!r}; the layers are {', '.join(BUILD_LAYERS)}")
    return schema_prefix(programme_id) + layer


def build_schemas(programme_id: str) -> dict[str, str]:
    """Every layer's build schema for a programme, by layer."""
    return {layer: build_schema(programme_id, layer) for layer in BUILD_LAYERS}


def programme_role(programme_id: str) -> str:
    """The role that reads only `programme_id`'s rows, e.g. `idream_analyst_idream`."""
    return PROGRAMME_ROLE_PREFIX + check_programme_id(programme_id)
