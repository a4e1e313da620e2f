"""Exact numbers for the collections engine (pure Python, no Odoo).

The same rule as the leasing engine (``leasing_management/tools/money.py``): a number stands
for the exact rational it denotes, a float for the decimal it prints as (0.1 is one tenth), and
an amount of money is worked out exactly and rounded half-up (ties away from zero) once, at the
end. The models round through the leasing engine with the currency's rounding; these two small
helpers let the engine and its tests stand on their own.
"""

import functools
import math
from decimal import Decimal
from fractions import Fraction

__all__ = ["exact", "round_half_up"]


def exact(value):
    """The exact ``Fraction`` a number stands for; a float is the decimal it prints as.

    Booleans, NaN, infinities and non-numbers raise ``ValueError``.
    """
    kind = type(value)
    if kind is Fraction:
        # Immutable: the engine passes its exact numbers along as they are, at no cost.
        return value
    if kind is float:
        return _exact_float(value)
    if isinstance(value, bool):
        raise ValueError("An amount or a rate must be a number, not %r." % (value,))
    if isinstance(value, float):
        return _exact_float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("An amount or a rate must be a finite number, not %r." % (value,))
        return Fraction(value)
    if isinstance(value, int | Fraction):
        return Fraction(value)
    raise ValueError("An amount or a rate must be a number, not %r." % (value,))


@functools.lru_cache(maxsize=65536)
def _exact_float(value):
    """The decimal a float prints as, exactly; amounts recur (a lease's instalments), so the
    conversions are remembered."""
    if not math.isfinite(value):
        raise ValueError("An amount or a rate must be a finite number, not %r." % (value,))
    return Fraction(Decimal(repr(value)))


def round_half_up(value, digits=2):
    """``value`` rounded half away from zero to ``digits`` decimals, exactly, as a float.

    ``round_half_up(Fraction(1005, 1000)) == 1.01``; ``round_half_up(-2.675) == -2.68``.
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 9:
        raise ValueError("The rounding precision must be 0 to 9 decimals, not %r." % (digits,))
    scaled = exact(value) * 10**digits
    units = math.floor(abs(scaled) + Fraction(1, 2))
    return (units if scaled >= 0 else -units) / 10**digits
