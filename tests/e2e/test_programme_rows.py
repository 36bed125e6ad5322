"""The brief is one programme's rows. A warehouse may hold several programmes (issue 15: a
shared PostgreSQL `marts` schema holds every programme's rows, each marked by its
`programme_id`), so publishing reads its own programme's rows only, and the programme id
is never a column of the published tables."""

import shutil
from dataclasses import replace

import duckdb
import pytest
from polars.testing import assert_frame_equal

from orchestration.lib import publishing
from orchestration.lib.build_store import DuckDBStore
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.settings import DATABASE_FILE
from tests.conftest import SAMPLE_RAW

OTHER_PROGRAMME = "open_doors"


def load(database, definition: ProgrammeDefinition, min_cell_size: int):
    tables = publishing.load_brief_tables(DuckDBStore(database), definition, min_cell_size)
    return publishing.published_tables(tables)


def test_a_second_programmes_rows_leave_the_brief_unchanged(sample_run, tmp_path):
    """Regression guard: every mart the brief reads holds, besides the sample's rows, a
    second programme's copy of them (its headline counts doubled); a query that forgot the
    programme would pool or double them."""
    programme = ProgrammeSettings.load(SAMPLE_RAW)
    alone = sample_run[0] / DATABASE_FILE
    shared = tmp_path / DATABASE_FILE
    shutil.copy(alone, shared)
    with duckdb.connect(str(shared)) as connection:
        for mart in publishing.MARTS:
            connection.execute(
                f"insert into marts.{mart} select '{OTHER_PROGRAMME}' as programme_id, "
                f"* exclude (programme_id) from marts.{mart}"
            )
        connection.execute(
            "update marts.mart_domain_rates set participants = 2 * participants, "
            f"achieved_n = 2 * achieved_n where programme_id = '{OTHER_PROGRAMME}'"
        )
    expected = load(alone, programme.definition, programme.min_cell_size)
    published = load(shared, programme.definition, programme.min_cell_size)
    assert published.keys() == expected.keys()
    for stem, table in expected.items():
        assert "programme_id" not in table.columns, stem
        try:
            assert_frame_equal(published[stem], table)
        except AssertionError as error:
            raise AssertionError(f"{stem}: {error}") from None


def test_a_warehouse_without_the_programmes_rows_is_refused(sample_run):
    programme = ProgrammeSettings.load(SAMPLE_RAW)
    other = replace(programme.definition, id=OTHER_PROGRAMME)
    with pytest.raises(publishing.NoProgrammeRows, match=OTHER_PROGRAMME):
        load(sample_run[0] / DATABASE_FILE, other, programme.min_cell_size)
