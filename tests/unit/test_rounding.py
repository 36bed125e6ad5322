from fractions import Fraction

import pytest

from orchestration.lib.rounding import mean_rate, percent_half_up, rate


@pytest.mark.parametrize(
    ("numerator", "denominator", "pct"),
    [
        (5, 8, 63),  # 62.5 -> 63: half up, not to even
        (39, 40, 98),  # 97.5 -> 98
        (1, 8, 13),  # 12.5 -> 13
        (3, 8, 38),  # 37.5 -> 38
        (1, 3, 33),
        (2, 3, 67),
        (0, 10, 0),
        (10, 10, 100),
    ],
)
def test_percentages_round_half_up(numerator, denominator, pct):
    assert percent_half_up(rate(numerator, denominator)) == pct


def test_means_are_taken_over_unrounded_rates():
    assert mean_rate([Fraction(5, 8), Fraction(3, 4)]) == Fraction(11, 16)
    # 0.5% and 0.4%: rounded first they are 1% and 0%, whose mean 0.5% rounds to 1%;
    # the mean of the unrounded rates is 0.45%, which rounds to 0%.
    assert percent_half_up(mean_rate([Fraction(1, 200), Fraction(1, 250)])) == 0


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 0), (-1, 5), (6, 5)])
def test_impossible_rates_are_refused(numerator, denominator):
    with pytest.raises(ValueError):
        rate(numerator, denominator)


def test_mean_of_nothing_is_refused():
    with pytest.raises(ValueError):
        mean_rate([])
