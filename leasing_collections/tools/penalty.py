"""Penalty interest of an overdue instalment (pure Python, no Odoo).

The rule
========

An instalment of amount ``A`` falls due on day ``d``. On each day ``t`` after ``d`` it owes
penalty interest on what is still unpaid that day, at the plan's daily rate (a percentage:
0.05 % a day by default). The penalty to a date ``D`` is::

    penalty(D) = daily rate / 100 x sum over t = d + 1 .. D of unpaid(t)

    unpaid(t) = max(A - payments dated t or earlier, 0)

so a payment reduces the base from its own date (the day it is paid carries no penalty on
what it paid). The sum is worked out exactly, by stretches of days between payments (never day
by day), and rounded once, at the end, by the caller.

* **Grace days** ``g`` (0 = none): an instalment paid in full by ``d + g`` owes no penalty, and
  nothing is owed yet while ``D <= d + g``. Once the grace is exceeded (still unpaid at the end
  of day ``d + g``), the penalty runs from the day after the due date, grace days included.
* **Cap** ``c`` (a percentage, 0 = none): the penalty of an instalment is at most ``c`` % of its
  amount ``A``.

Worked example (the README's): ``A`` = 1,000.00 due 2026-03-31, 0.05 % a day, 5 grace days, a
cap of 1.5 %; 300.00 paid on 2026-04-10 and 200.00 on 2026-04-20; penalty to 2026-05-10.
Unpaid 1,000.00 for April 1-9 (9 days), 700.00 for April 10-19 (10 days), 500.00 for April 20
to May 10 (21 days): 9,000 + 7,000 + 10,500 = 26,500.00 euro-days x 0.0005 = 13.25. The grace
ended on April 5 with 1,000.00 unpaid: the penalty counts from April 1. The cap (15.00) is not
reached. Ten days later (May 20) it would be 13.25 + 10 x 500 x 0.0005 = 15.75: capped at 15.00.
"""

from datetime import date, timedelta
from fractions import Fraction

from .exact import exact

__all__ = ["instalment_penalty", "unpaid_on"]

ONE_DAY = timedelta(days=1)


def _check(amount, payments, rate, grace_days, cap_pct):
    """Refuse what the rule cannot apply to, in plain English; return the exact inputs."""
    amount = exact(amount)
    if amount < 0:
        raise ValueError("The amount of an instalment cannot be negative.")
    rate = exact(rate)
    if rate < 0:
        raise ValueError("The daily penalty rate cannot be negative.")
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < 0:
        raise ValueError("The grace days must be a whole number of days, 0 or more, not %r." % (grace_days,))
    cap = exact(cap_pct)
    if not 0 <= cap <= 100:
        raise ValueError("The penalty cap must lie between 0 and 100 %%, not %s %%." % (cap_pct,))
    paid = []
    for day, paid_amount in payments:
        if not isinstance(day, date):
            raise ValueError("A payment date must be a date, not %r." % (day,))
        paid.append((day, exact(paid_amount)))
    paid.sort(key=lambda payment: payment[0])
    return amount, paid, rate, cap


def unpaid_on(amount, payments, day):
    """What is unpaid of ``amount`` at the end of ``day``: the amount less the ``payments``
    ((date, amount) pairs) dated ``day`` or earlier, never below zero. An exact ``Fraction``."""
    paid = sum((exact(paid_amount) for when, paid_amount in payments if when <= day), Fraction(0))
    return max(exact(amount) - paid, Fraction(0))


def instalment_penalty(amount, due_date, payments, as_of, rate, grace_days=0, cap_pct=0):
    """Penalty interest of one instalment to the date ``as_of``, exactly (a ``Fraction``, to be
    rounded once by the caller).

    :param amount: the instalment's amount (its invoice total), >= 0
    :param due_date: its due date
    :param payments: (date, amount) pairs of what paid it (payments, credit notes), any order;
        those dated after ``as_of`` are not known yet on that date and are left out
    :param as_of: the date the penalty runs to (the close date)
    :param rate: the daily rate, in percent (0.05 for 0.05 % a day), >= 0
    :param grace_days: days after the due date within which a full payment owes nothing (>= 0)
    :param cap_pct: the most the penalty may reach, in percent of ``amount`` (0 = no cap)
    :raise ValueError: on a negative amount or rate, grace days that are not a whole number of
        days >= 0, a cap outside 0..100 % or a payment without a date
    """
    amount, paid, rate, cap = _check(amount, payments, rate, grace_days, cap_pct)
    paid = [(day, paid_amount) for day, paid_amount in paid if day <= as_of]
    if as_of <= due_date or not amount or not rate:
        return Fraction(0)
    if grace_days:
        grace_end = due_date + timedelta(days=grace_days)
        if as_of <= grace_end or not unpaid_on(amount, paid, grace_end):
            return Fraction(0)
    cents = _whole_cents(amount, paid)
    if cents is not None:
        return _penalty_in_cents(cents, due_date, as_of, rate, cap)
    # Unpaid amount x days, by stretches between the payments made after the due date.
    first = due_date + ONE_DAY
    settled = sum((paid_amount for day, paid_amount in paid if day < first), Fraction(0))
    cursor, total = first, Fraction(0)
    for day, paid_amount in paid:
        if day < first:
            continue
        # Days cursor .. day - 1 owe on what was unpaid before this payment; from ``day`` on,
        # the payment counts.
        total += max(amount - settled, 0) * (day - cursor).days
        settled += paid_amount
        cursor = day
    total += max(amount - settled, 0) * ((as_of - cursor).days + 1)
    penalty = total * rate / 100
    if cap:
        penalty = min(penalty, amount * cap / 100)
    return penalty


def _whole_cents(amount, paid):
    """``(amount, [(date, paid)])`` in whole cents (ints), when every figure is a whole number of
    cents, as money is; None otherwise."""
    scaled = [amount * 100, *(paid_amount * 100 for _day, paid_amount in paid)]
    if any(value.denominator != 1 for value in scaled):
        return None
    return scaled[0].numerator, [(day, value.numerator) for (day, _paid), value in zip(paid, scaled[1:])]


def _penalty_in_cents(cents, due_date, as_of, rate, cap):
    """The rule of ``instalment_penalty`` past its checks (due, unpaid after the grace), worked in
    whole cents: the same stretches, in integers, and one exact division at the end."""
    amount, paid = cents
    first = due_date + ONE_DAY
    settled = sum(paid_amount for day, paid_amount in paid if day < first)
    cursor, total = first, 0
    for day, paid_amount in paid:
        if day < first:
            continue
        total += max(amount - settled, 0) * (day - cursor).days
        settled += paid_amount
        cursor = day
    total += max(amount - settled, 0) * ((as_of - cursor).days + 1)
    penalty = Fraction(total, 100) * rate / 100
    if cap:
        penalty = min(penalty, Fraction(amount, 100) * cap / 100)
    return penalty
