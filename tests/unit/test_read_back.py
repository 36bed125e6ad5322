"""A located cell is read back from the raw file as the person typed it."""

from orchestration.lib.errors import Problem
from orchestration.lib.read_back import cell_value
from tests.programmes import minimal_programme


def test_the_cell_a_problem_names_is_read_from_its_workbook_and_row(tmp_path):
    programme = minimal_programme()
    raw = programme.write(tmp_path / "raw")
    # The first marker row of cohort 1 is spreadsheet row 2, under the header.
    first = programme.markers["cohort_1.xlsx"][0]
    problem = Problem(
        file="success_markers/cohort_1.xlsx",
        sheet="markers",
        row=2,
        column="participant_id",
        message="participant is not in the roster",
    )
    assert cell_value(raw, problem) == first[0]
    assert cell_value(raw, Problem(**{**problem.__dict__, "row": 999})) is None
    assert cell_value(raw, Problem(**{**problem.__dict__, "file": "missing.xlsx"})) is None
