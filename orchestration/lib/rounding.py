"""Publication rounding: whole percentages, half up, on exact fractions.

Floats would turn 62.5 into 62.49999 now and then; fractions never do.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction


def rate(numerator: int, denominator: int) -> Fraction:
    if denominator <= 0:
        raise ValueError(f"a rate needs a positive denominator, got {denominator}")
    if not 0 <= numerator <= denominator:
        raise ValueError(f"numerator {numerator} is outside 0..{denominator}")
    return Fraction(numerator, denominator)


def mean_rate(rates: Iterable[Fraction]) -> Fraction:
    values = list(rates)
    if not values:
        raise ValueError("the mean of no rates is undefined")
    return sum(values, Fraction(0)) / len(values)


def percent_half_up(share: Fraction) -> int:
    """0.625 -> 63, 0.975 -> 98: the contract's rounding, applied only at publication."""
    hundredths = share * 100
    return int((hundredths + Fraction(1, 2)).__floor__())
