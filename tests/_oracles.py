"""Independent oracles of the engine tests: exact arithmetic written here, from the textbook
formulas, never the engine's code nor the numpy-financial calls it could make."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def exact(x):
    """The exact rational a number stands for; a float is the decimal it prints as."""
    if isinstance(x, float):
        return Fraction(Decimal(repr(x)))
    return Fraction(x)


def periodic_rate(annual_rate, period_months):
    """r = annual_rate / 100 * p / 12, exactly (the rate as the decimal it prints as)."""
    return exact(annual_rate) / 100 * period_months / 12


def annuity(financed, residual, r, n, advance):
    """Closed-form level instalment, exactly (Fractions in, a Fraction out).

    Arrears: P = (F - R v^n) r / (1 - v^n) with v = 1 / (1 + r); in advance P / (1 + r);
    at r = 0: (F - R) / n.
    """
    financed, residual, r = exact(financed), exact(residual), exact(r)
    if r == 0:
        return (financed - residual) / n
    v = 1 / (1 + r)
    level = (financed - residual * v**n) * r / (1 - v**n)
    return level / (1 + r) if advance else level


def half_up(value, quantum=Fraction(1, 100)):
    """A Fraction (or number) rounded half away from zero to a multiple of ``quantum``, as a
    Decimal (so that it compares with Decimal(repr(float)) exactly)."""
    value = exact(value)
    units = value / exact(quantum)
    sign = -1 if units < 0 else 1
    whole = int(abs(units) + Fraction(1, 2))  # floor(|x| + 1/2): ties away from zero
    q = Decimal(str(exact(quantum).numerator)) / Decimal(str(exact(quantum).denominator))
    return (Decimal(sign * whole) * q).quantize(q, ROUND_HALF_UP)
