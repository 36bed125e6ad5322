"""The team warehouse's schema and role names (lib/postgres_layout.py): every name built
from a programme id is a valid PostgreSQL identifier, and an id that cannot make one is
refused with the reason, before anything reaches the server."""

import pytest

from orchestration.lib.postgres_layout import (
    BUILD_LAYERS,
    MAX_PROGRAMME_ID_LENGTH,
    ProgrammeIdError,
    build_schema,
    build_schemas,
    programme_role,
    schema_prefix,
)


def test_each_layer_builds_in_the_programmes_own_schema():
    assert build_schemas("idream") == {
        "raw": "build_idream_raw",
        "reference": "build_idream_reference",
        "restricted": "build_idream_restricted",
        "staging": "build_idream_staging",
        "intermediate": "build_idream_intermediate",
        "marts": "build_idream_marts",
    }
    assert programme_role("paralegal_2026") == "idream_analyst_paralegal_2026"
    assert schema_prefix("idream") == "build_idream_"  # dbt's var, for every layer


def test_the_longest_id_still_fits_in_postgresqls_63_byte_names():
    longest = "p" * MAX_PROGRAMME_ID_LENGTH
    names = [build_schema(longest, layer) for layer in BUILD_LAYERS] + [programme_role(longest)]
    assert max(len(name) for name in names) == 63
    with pytest.raises(ProgrammeIdError, match="longer than 44 characters"):
        build_schema(longest + "p", "marts")


@pytest.mark.parametrize("programme_id", ["IDREAM", "idream-2026", "", "___", 'x"; drop'])
def test_an_id_programme_toml_would_refuse_is_refused_here_too(programme_id):
    with pytest.raises(ProgrammeIdError, match="only lower-case letters, digits and _"):
        programme_role(programme_id)


def test_an_unknown_layer_is_a_programming_error():
    with pytest.raises(ValueError, match="no build layer 'marts_v2'"):
        build_schema("idream", "marts_v2")
