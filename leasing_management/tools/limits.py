"""Bounds of the engine's inputs (pure Python, no Odoo).

The engine refuses, with a plain English ``ValueError``, what it cannot compute sensibly:

* a term of more than ``MAX_TERM`` (600) instalments, or longer than ``MAX_MONTHS`` (600)
  months, i.e. 50 years (term x months per period);
* an amount of money (financed, residual, fees, price, balance, principal...) that is not a
  finite number strictly below ``MAX_AMOUNT`` (10**12) in absolute value;
* a start, payoff or accrual date outside ``MIN_DATE`` .. ``MAX_DATE`` (1900-01-01 ..
  2199-12-31). The due dates of a contract may run up to ``MAX_MONTHS`` after its start,
  which the calendar still holds.

The models may import these constants to show their own translated messages first.
"""

import operator
from datetime import date, datetime

__all__ = ["MAX_AMOUNT", "MAX_DATE", "MAX_MONTHS", "MAX_TERM", "MIN_DATE"]

#: Most instalments of a contract (or of a rescheduled contract: kept + new ones).
MAX_TERM = 600
#: Longest contract, in months: term x months per period.
MAX_MONTHS = 600
#: Every amount of money must lie strictly below this in absolute value.
MAX_AMOUNT = 1e12
#: Earliest start, payoff or accrual date.
MIN_DATE = date(1900, 1, 1)
#: Latest start, payoff or accrual date.
MAX_DATE = date(2199, 12, 31)


def check_amount(value, label, allow_negative=False):
    """Refuse a non-number, NaN, an infinity, a negative amount (unless allowed) and an amount
    not below ``MAX_AMOUNT``; return ``value``."""
    try:
        ok = -MAX_AMOUNT < value < MAX_AMOUNT
    except TypeError:
        raise ValueError("The %s must be a number, not %r." % (label, value)) from None
    if not ok:  # also NaN
        raise ValueError("The %s must be a number below 1,000,000,000,000, not %r." % (label, value))
    if not allow_negative and value < 0:
        raise ValueError("The %s cannot be negative." % label)
    return value


def check_date(value, label):
    """Refuse what is not a ``date`` between ``MIN_DATE`` and ``MAX_DATE``; return it."""
    if not isinstance(value, date):
        raise ValueError("The %s must be a date, not %r." % (label, value))
    day = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError("The %s must lie between 1900-01-01 and 2199-12-31, not %s." % (label, value))
    return value


def check_length(term, period_months, what="number of instalments"):
    """Refuse more than ``MAX_TERM`` instalments or more than ``MAX_MONTHS`` months."""
    if term > MAX_TERM:
        raise ValueError("The %s cannot exceed %d, not %d." % (what, MAX_TERM, term))
    if term * period_months > MAX_MONTHS:
        raise ValueError(
            "A contract cannot run longer than %d months (50 years): %d periods of %d months is %d months."
            % (MAX_MONTHS, term, period_months, term * period_months)
        )


def check_whole(value, what, minimum):
    """``value`` as an int of at least ``minimum``, else ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError("The %s must be a whole number, not %r." % (what, value))
    try:
        count = operator.index(value)
    except TypeError:
        raise ValueError("The %s must be a whole number, not %r." % (what, value)) from None
    if count < minimum:
        raise ValueError("The %s must be at least %d." % (what, minimum))
    return count
