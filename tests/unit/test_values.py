import pytest

from orchestration.lib.values import parse_cohort, parse_whole_number


@pytest.mark.parametrize(
    ("raw", "cohort"),
    [
        ("1", 1),
        ("Cohort 1", 1),
        ("C1", 1),
        (" cohort 1 ", 1),
        ("c12", 12),
        ("2.0", 2),
        ("Cohort 03", 3),
        ("Cohort", None),
        ("one", None),
        ("1b", None),
        ("0", None),
        (None, None),
        ("-1", None),
    ],
)
def test_cohort_spellings(raw, cohort):
    assert parse_cohort(raw) == cohort


@pytest.mark.parametrize(
    ("raw", "number"),
    [("3", 3), ("3.0", 3), (" 2 ", 2), ("2.5", None), ("x", None), ("0", None), ("-1", None)],
)
def test_whole_numbers(raw, number):
    assert parse_whole_number(raw) == number


def test_a_roster_cohort_is_read_in_every_form_the_contract_lists():
    forms = ["1", "Cohort 1", "cohort_1", "Cohort-1", "C1", " cohort 1 ", "1.0"]
    assert {parse_cohort(form) for form in forms} == {1}
    assert parse_cohort("Cohort one") is None
