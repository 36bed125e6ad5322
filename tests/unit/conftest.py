"""Fixtures the Dagster wiring's unit tests share."""

import dagster as dg
import pytest


@pytest.fixture(scope="module")
def definitions():
    """The project's definitions, loaded once per test module."""
    from orchestration.definitions import defs

    return defs()


@pytest.fixture
def temp_instance(tmp_path):
    """A schedule's context reaches its instance by reference: a temporary one on disk, not
    an ephemeral one, disposed of after the test (a leftover one breaks loading definitions)."""
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        yield instance
