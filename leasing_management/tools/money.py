"""Exact money arithmetic of the engine (pure Python, no Odoo).

One rounding rule for every amount of money the engine produces
================================================================

* A number given to the engine (an int, a float, a ``Decimal`` or a ``Fraction``) stands for
  the exact rational it denotes; a float stands for the decimal it prints as
  (``Decimal(repr(value))``): 0.1 is one tenth, 1.005 is one thousand and five thousandths,
  not the binary value just below.
* A computed amount (an interest, a level instalment, a share, a percentage) is worked out
  exactly - in integer multiples of the currency unit 10**-digits and rational numbers - and
  rounded ONCE, half-up (ties away from zero), to the unit. Nothing is rounded twice and no
  float subtraction comes before the rounding: (1,000,000.00 - 999,000.01) / 2 = 499.995 is
  500.00.
* The results are returned as floats: the float nearest to the decimal result (what ``float``
  of its printed form gives).

The integer helpers (``div_half_up``, ``ratio_of``) are what the schedule, reschedule and payoff
code uses in its fast path; ``round_money``, ``percent_of`` and ``split_share`` are the public
face of the same rule.

A rounding callable that was not made by ``make_rounding`` (for instance Odoo's
``currency.round`` for a currency whose step is 0.05) cannot be worked with in integer units:
there the value is computed exactly as a ``Fraction``, converted to the nearest float and passed
to the callable once. That float is within 1e-16 relative of the exact value, so the callable
can only decide differently from the exact rule on a value that close to one of its ties.
"""

import math
import operator
from decimal import Decimal
from fractions import Fraction

from .limits import check_amount

__all__ = [
    "MAX_DIGITS",
    "div_half_up",
    "from_units",
    "make_rounding",
    "percent_of",
    "ratio_of",
    "round_half_up",
    "round_money",
    "split_share",
    "to_units",
]

#: Most decimals a currency may have.
MAX_DIGITS = 9

# to_units: below this many units a float product value * 10**digits is within 1/8 of a unit
# of the exact decimal product (relative error < 2**-52), so when it lies more than 3/8 of a
# unit from a tie, rounding it gives the exact result without going through Decimal.
_FAST_UNITS = float(2**49)
_SAFE_DISTANCE = 0.375
# ratio_of: below this magnitude a float with up to 6 decimals is read without Decimal.
_FAST_MAGNITUDE = float(2**30)


def div_half_up(num, den):
    """``num / den`` rounded half away from zero, for integers (``den`` != 0): an int."""
    if den < 0:
        num, den = -num, -den
    if num >= 0:
        return (2 * num + den) // (2 * den)
    return -((den - 2 * num) // (2 * den))


def ratio_of(value):
    """Exact rational ``(numerator, denominator)`` (denominator > 0) of a number.

    A float stands for the decimal it prints as: ``ratio_of(0.1) == (1, 10)``. Booleans,
    NaN, infinities and non-numbers raise ``ValueError``.
    """
    if type(value) is int:
        return value, 1
    if isinstance(value, float):
        value = float(value)  # a float subclass (numpy's) prints as a float
        if -_FAST_MAGNITUDE < value < _FAST_MAGNITUDE:
            # Up to 6 decimals without Decimal: below 2**30 two multiples of 10**-6 cannot round
            # to the same float, so when x / 10**6 gives back the float, x / 10**6 is the decimal
            # it prints as.
            x = round(value * 1000000)
            if x / 1000000 == value:
                g = math.gcd(x, 1000000)
                return x // g, 1000000 // g
        elif value != value or value in (math.inf, -math.inf):
            raise ValueError("An amount or a rate must be a finite number, not %r." % (value,))
        return Decimal(repr(value)).as_integer_ratio()
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("An amount or a rate must be a finite number, not %r." % (value,))
        return value.as_integer_ratio()
    if not isinstance(value, bool) and hasattr(type(value), "__index__"):
        return operator.index(value), 1
    raise ValueError("An amount or a rate must be a number, not %r." % (value,))


def exact(value):
    """The exact ``Fraction`` a number stands for (a float: the decimal it prints as)."""
    num, den = ratio_of(value)
    return Fraction(num, den)


def _check_digits(digits):
    try:
        digits = operator.index(digits)
    except TypeError:
        raise ValueError("The rounding precision must be a whole number of decimals, not %r." % (digits,)) from None
    if not 0 <= digits <= MAX_DIGITS:
        raise ValueError("The rounding precision must be 0 to %d decimals." % MAX_DIGITS)
    return digits


def to_units(value, digits=2):
    """``value`` in integer units of 10**-digits, rounded half-up exactly (an int).

    ``to_units(1.005, 2) == 101``, ``to_units(-2.675, 2) == -268``,
    ``to_units(499.995, 2) == 50000``.
    """
    digits = _check_digits(digits)
    if type(value) is float:
        scaled = value * 10**digits
        if -_FAST_UNITS < scaled < _FAST_UNITS:
            units = math.floor(scaled + 0.5)
            if -_SAFE_DISTANCE < scaled - units < _SAFE_DISTANCE:
                return units
    num, den = ratio_of(value)
    return div_half_up(num * 10**digits, den)


def from_units(units, digits=2):
    """The float nearest to ``units`` x 10**-digits (``units`` an int)."""
    digits = _check_digits(digits)
    # int / int true division is correctly rounded in CPython, whatever the size of the ints.
    return operator.index(units) / 10**digits


def round_money(value, digits=2):
    """``value`` rounded half-up exactly to ``digits`` decimals, as a float.

    A float is taken as the decimal it prints as: ``round_money(1.005) == 1.01``,
    ``round_money(2.675) == 2.68``, ``round_money(-1.005) == -1.01``.
    """
    digits = _check_digits(digits)
    return from_units(to_units(value, digits), digits)


def make_rounding(digits=2):
    """Return the engine's rounding function to ``digits`` decimals: ``round_money``.

    The returned function carries an ``engine_digits`` attribute: given to
    ``compute_schedule`` (and the other functions taking a ``rounding``), it makes them compute
    in exact integer units of 10**-digits. Odoo 18's ``float_round`` (``currency.round``) rounds
    half-up too but nudges the float by a relative 2**-52 instead of reading its printed
    decimal: the two can only differ on a float within a few units in the last place of a tie.
    """
    digits = _check_digits(digits)
    scale = 10**digits

    def rounding(value):
        if type(value) is float:
            scaled = value * scale
            if -_FAST_UNITS < scaled < _FAST_UNITS:
                units = math.floor(scaled + 0.5)
                if -_SAFE_DISTANCE < scaled - units < _SAFE_DISTANCE:
                    return units / scale
        return to_units(value, digits) / scale

    rounding.engine_digits = digits
    rounding.__doc__ = "Round half-up exactly to %d decimals." % digits
    return rounding


#: Default rounding of the engine: half-up to 2 decimals.
round_half_up = make_rounding(2)


def engine_digits(rounding):
    """The digits of a rounding made by ``make_rounding`` (None for any other callable)."""
    return getattr(rounding, "engine_digits", None)


def round_exact(value, rounding):
    """Round an exact ``Fraction`` (or number) once through ``rounding``: exactly when it was
    made by ``make_rounding``, else by calling it on the nearest float."""
    digits = engine_digits(rounding)
    if digits is not None:
        num, den = ratio_of(value)
        return from_units(div_half_up(num * 10**digits, den), digits)
    return rounding(float(value))


def resolve_rounding(rounding=None, digits=None):
    """The rounding callable of a function taking ``rounding`` or ``digits`` (default: cents)."""
    if digits is not None:
        if rounding is not None:
            raise ValueError("Give a rounding function or a number of digits, not both.")
        return make_rounding(digits)
    return rounding or round_half_up


def percent_of(amount, percent, rounding=None, *, digits=None):
    """``amount`` x ``percent`` / 100, rounded half-up once (exact arithmetic), as a float.

    ``percent_of(1000.50, 1.5) == 15.01`` (15.0075 exactly).
    """
    rounding = resolve_rounding(rounding, digits)
    an, ad = ratio_of(amount)
    pn, pd = ratio_of(percent)
    return round_exact(Fraction(an * pn, ad * pd * 100), rounding)


def split_share(amount, part, whole, rounding=None, *, digits=None):
    """Split ``amount`` in proportion ``part / whole``: return ``(leaving, kept)``.

    ``leaving`` = ``amount`` x ``part`` / ``whole`` rounded half-up once (exactly);
    ``kept`` = ``amount`` (rounded) - ``leaving``, the exact remainder, so the two always add up
    to the amount. Example: a residual value of 20,000.01 of which an item worth 50,000 of
    100,000 leaves: ``split_share(20000.01, 50000, 100000) == (10000.01, 10000.0)``.

    :param amount: the amount to split (>= 0, below ``MAX_AMOUNT``)
    :param part: the share that leaves (0 <= part <= whole)
    :param whole: the whole the share is part of (> 0)
    :param rounding: the currency's rounding (default: half-up to the cent); or ``digits``
    :raise ValueError: on a negative amount or part, ``whole`` <= 0 or ``part`` > ``whole``
    """
    rounding = resolve_rounding(rounding, digits)
    check_amount(amount, "amount to split")
    an, ad = ratio_of(amount)
    pn, pd = ratio_of(part)
    wn, wd = ratio_of(whole)
    if not wn > 0:
        raise ValueError("The whole a share is taken from must be positive.")
    if pn < 0:
        raise ValueError("The share cannot be negative.")
    if pn * wd > wn * pd:
        raise ValueError("The share cannot be larger than the whole.")
    digits = engine_digits(rounding)
    if digits is not None:
        scale = 10**digits
        total = div_half_up(an * scale, ad)
        leaving = div_half_up(total * pn * wd, pd * wn)
        return from_units(leaving, digits), from_units(total - leaving, digits)
    total = rounding(float(Fraction(an, ad)))
    leaving = round_exact(exact(total) * Fraction(pn * wd, pd * wn), rounding)
    return leaving, rounding(float(exact(total) - exact(leaving)))
