import pytest

from orchestration.lib.intervals import wilson, wilson_percent


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_matches_the_published_values(k, n, low, high):
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_all_and_none_have_exact_outer_bounds_and_honest_width():
    # A cohort of ten who all achieved: 100%, but the data allow a true rate near 72%.
    assert wilson_percent(10, 10) == (72.2, 100.0)
    assert wilson_percent(0, 10) == (0.0, 27.8)


def test_interval_is_symmetric_in_successes_and_failures():
    for n in (1, 7, 10, 40):
        for k in range(n + 1):
            low, high = wilson(k, n)
            mirror_low, mirror_high = wilson(n - k, n)
            assert low == pytest.approx(1 - mirror_high) and high == pytest.approx(1 - mirror_low)
            assert 0 <= low <= k / n <= high <= 1


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_impossible_counts_are_refused(k, n):
    with pytest.raises(ValueError):
        wilson(k, n)
