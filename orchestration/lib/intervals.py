"""95% Wilson score intervals for the brief's rates.

Wilson rather than the textbook normal ("Wald") interval: with cohorts of ten and rates near
100%, Wald collapses to a zero-width interval at 10/10 and spills below 0% or above 100%;
Wilson stays inside 0..1 and keeps an honest width at the extremes (Newcombe 1998).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

# The two-sided 97.5th percentile of the standard normal, to double precision.
Z_95 = 1.959963984540054


def wilson(numerator: int, denominator: int, z: float = Z_95) -> tuple[float, float]:
    """The interval as shares in 0..1."""
    if denominator <= 0:
        raise ValueError(f"an interval needs a positive denominator, got {denominator}")
    if not 0 <= numerator <= denominator:
        raise ValueError(f"numerator {numerator} is outside 0..{denominator}")
    share = numerator / denominator
    z2 = z * z
    centre = (share + z2 / (2 * denominator)) / (1 + z2 / denominator)
    half = (z / (1 + z2 / denominator)) * math.sqrt(
        share * (1 - share) / denominator + z2 / (4 * denominator * denominator)
    )
    # The exact bounds at 0/n and n/n are 0 and 1; the arithmetic above lands a hair off.
    low = 0.0 if numerator == 0 else max(0.0, centre - half)
    high = 1.0 if numerator == denominator else min(1.0, centre + half)
    return low, high


def wilson_percent(numerator: int, denominator: int) -> tuple[float, float]:
    """The interval in percent, to one decimal place, rounded half up: what is published."""
    return tuple(_percent_one_decimal(bound) for bound in wilson(numerator, denominator))


def _percent_one_decimal(share: float) -> float:
    # repr() of the float, not its binary expansion, so 0.2775 -> 27.8 the way a reader expects.
    return float((Decimal(repr(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
