"""Rescheduling a running lease (pure Python, no Odoo).

A change during the lease (a partial prepayment, the extension of the balloon, the return of a
leased item) keeps the lines already invoiced as they are and replaces the rest of the schedule
by new rows computed from the principal still owed. The new rows follow the conventions of
``schedule.py`` (read its docstring) as if the original schedule went on from that balance.

Inputs
------
* ``start_date``: the contract's ORIGINAL start date; ``period_months`` p; ``timing``.
* ``kept`` k >= 0: the number of instalments kept (sequences 1..k); the new rows are numbered
  k + 1, k + 2, ...
* ``balance`` B: the principal still owed after those k instalments, once the change is made
  (after the prepayment, the item's share removed...). It includes the principal of the
  residual line, if any.
* ``annual_rate`` (percent), ``method`` (``annuity``, ``equal_principal``, ``interest_only``).
* ``residual`` R: the amount of the residual line still to come (0 without one).
* ``rounding``: the currency's rounding callable, as in ``compute_schedule``.
* Bounds (``limits.py``): B, R and a kept level below ``MAX_AMOUNT``; the start date between
  ``MIN_DATE`` and ``MAX_DATE``; k + m at most ``MAX_TERM`` instalments and (k + m) x p at most
  ``MAX_MONTHS`` months.

Money: every amount is computed exactly and rounded half-up once, as in ``schedule.py``
("round" below; read the Money section of its docstring).

Rules
-----
* Dates continue the original calendar, computed from the original start date (never from the
  last due date, which would drift Jan 31 -> Feb 28 -> Mar 28): in arrears row j is due
  start + j periods, in advance start + (j - 1) periods; the residual line is due
  start + (k + m) periods, m being the new number of remaining instalments.
* Periodic rate r = annual_rate / 100 * p / 12 (exact). Every new row carries the interest
  round(balance before it * r): the balance after the change accrues for the whole period
  in which the change is made (no pro rata). The one exception is k = 0 in advance: the first
  instalment, paid on the start date, carries none (as in ``schedule.py``).
* Target balance after the last instalment T: 0 without residual, R in arrears,
  round(R / (1 + r)) in advance (the residual line carries the last period's interest).
  B must be at least T. B = T is accepted: the new instalments then carry interest only and
  the residual line the whole principal; whether a change may leave no instalment principal
  is the model's decision, not the engine's.
* Level instalment of an annuity over m periods. In arrears, and in advance when k >= 1, the
  balance B is struck one period before the first new row, so
  A = round((B (1 + r)^m - T) r / ((1 + r)^m - 1)) (pmt(r, m, -B, T, when='end'), exactly; in
  advance T v^m = R v^(m+1): the residual is due one period after the last instalment). In
  advance with k = 0 it is the original formula, round((B (1 + r)^m - R) r / ((1 + r)
  ((1 + r)^m - 1))) (pmt(r, m, -B, R, when='begin')). At r = 0: round((B - T) / m).
* ``lower_installment``: the same number m of remaining instalments and dates, a new level:
  the annuity above, for equal principal round((B - T) / m), for interest only no
  principal before the last instalment (the same dates, the principal reduced at the end).
* ``shorter_term``: the same level (annuity instalment, or equal principal per period), fewer
  periods: m = ceil(ln((A' - T r) / (A' - B r)) / ln(1 + r)) for an annuity, A' = A, or
  A (1 + r) when k = 0 in advance (numpy_financial.nper's count; at r = 0, (B - T) / A),
  for an annuity a count within 1e-9 of a whole number is taken as that number; exactly
  ceil((B - T) / P) for equal principal; at least 1. With ``max_periods`` (the number of
  instalments that remained before the change) m never exceeds it: a shorter term never
  lengthens the lease, the last instalment absorbs what the rounded level leaves (a
  prepayment of 0.01 on 39,665.00 + 39,665.08 keeps 2 instalments, not 3). Should the rounded
  rows repay everything before the m-th, m is reduced. A count past the bounds raises
  ``ValueError``. Interest only has no level principal to keep: ``ValueError``.
* ``extend_balloon``: the residual line becomes N annuity instalments at a given rate: the
  rows of ``lower_installment`` for B = the residual line's principal (R in arrears, T in
  advance), k = the number of instalments, m = N, no residual.
* The last instalment absorbs all the rounding and the guards of ``schedule.py`` apply: the
  principal of the new instalments plus that of the residual line is B exactly, and the balance
  ends at 0. A zero balance without residual leaves nothing to schedule (no rows), also when
  the original schedule still shows instalments of 0.00 there (its rounded level repaid it
  early, the guard of ``schedule.py`` leaving the last ones empty): they are dropped.

Every row is a dict with the keys of ``compute_schedule``'s rows: ``sequence``, ``line_type``,
``due_date``, ``principal``, ``interest``, ``amount`` and ``balance``. Invalid input raises
``ValueError`` with a plain English message.
"""

import math

from .dates import _check_timing, _period_dates, add_months
from .limits import MAX_MONTHS, MAX_TERM, check_amount, check_date, check_length, check_whole
from .schedule import _check_method, _Money, _pmt_ratio, _share_ratio, _target, rate_ratio

__all__ = ["extend_balloon", "lower_installment", "shorter_term"]

# A count of periods this close to a whole number is that number (float noise of nper).
_NPER_TOLERANCE = 1e-9


def _prepare(balance, annual_rate, period_months, method, timing, start_date, kept, residual, rounding):
    """Validate the common inputs; return (money, num, den, k, B, R, T, first_free)."""
    money = _Money(rounding)
    num, den = rate_ratio(annual_rate, period_months)
    _check_method(method)
    _check_timing(timing)
    check_date(start_date, "start date")
    k = check_whole(kept, "number of instalments kept", 0)
    check_amount(balance, "balance owed")
    check_amount(residual, "residual value")
    balance = money.amount(balance)
    residual = money.amount(residual)
    # In advance the first instalment carries no interest only when it is the contract's first.
    first_free = timing == "advance" and k == 0
    target = _target(money, residual, num, den, timing == "advance")
    if balance < target:
        raise ValueError("The balance owed cannot be lower than the principal of the residual value.")
    return money, num, den, k, balance, residual, target, first_free


def _check_total(k, m, period_months):
    check_length(k + m, period_months, "number of instalments kept and rescheduled")


def _level_annuity(money, num, den, m, balance, residual, target, first_free):
    if first_free:
        ratio = _pmt_ratio(money.ratio(balance), money.ratio(residual), m, num, den, True)
    else:
        ratio = _pmt_ratio(money.ratio(balance), money.ratio(target), m, num, den, False)
    return money.round(ratio)


def _build(
    money, num, den, start_date, period_months, timing, k, m, balance, level, annuity, residual, target, first_free
):
    """The rows of the m remaining instalments (and the residual), numbered from k + 1."""
    first = k if timing == "advance" else k + 1
    dates = _period_dates(start_date, first, m, period_months)
    residual_date = add_months(start_date, (k + m) * period_months) if residual else None
    rows = money.rows(balance, num, den, m, annuity, first_free, level, target, residual, dates, residual_date)
    for row in rows:
        row["sequence"] += k
    return rows


def lower_installment(
    balance,
    annual_rate,
    remaining,
    period_months,
    method,
    timing,
    start_date,
    kept,
    residual=0.0,
    rounding=None,
):
    """New rows over the same ``remaining`` number of instalments, with a new level.

    :return: list of row dicts numbered from ``kept + 1`` (empty for a zero balance without
        residual).
    :raise ValueError: on invalid input.
    """
    money, num, den, k, balance, residual, target, first_free = _prepare(
        balance, annual_rate, period_months, method, timing, start_date, kept, residual, rounding
    )
    m = check_whole(remaining, "number of remaining instalments", 1)
    _check_total(k, m, period_months)
    if not balance and not residual:
        return []
    if method == "annuity":
        level = _level_annuity(money, num, den, m, balance, residual, target, first_free)
    elif method == "equal_principal":
        level = money.round(_share_ratio(money.ratio(balance), money.ratio(target), m))
    else:
        level = money.amount(0)
    return _build(
        money,
        num,
        den,
        start_date,
        period_months,
        timing,
        k,
        m,
        balance,
        level,
        method == "annuity",
        residual,
        target,
        first_free,
    )


def _annuity_periods(r, level, balance, target, first_free):
    """Whole periods an annuity of ``level`` needs to bring ``balance`` down to ``target``
    (floats; the rounded rows decide in the end, see ``shorter_term``).

    B (1 + r)^m - A' ((1 + r)^m - 1) / r = T, with A' = A in arrears and A (1 + r) when the
    first instalment is paid on the start date, gives (1 + r)^m = (A' - T r) / (A' - B r):
    m = ln((A' - T r) / (A' - B r)) / ln(1 + r) (what ``numpy_financial.nper`` computes); at
    r = 0, m = (B - T) / A."""
    if balance == target:
        return 1
    if r == 0.0:
        periods = (balance - target) / level
    else:
        paid = level * (1.0 + r) if first_free else level
        # The level must exceed the interest (on the balance discounted a period in advance),
        # or the balance never comes down: the count would be infinite.
        if not paid > balance * r:
            raise ValueError("The instalment does not cover the interest: the balance would never be repaid.")
        periods = math.log((paid - target * r) / (paid - balance * r)) / math.log1p(r)
    if not periods < MAX_TERM + 1:  # also inf, nan
        return MAX_TERM + 1
    return max(1, math.ceil(periods - _NPER_TOLERANCE))


def shorter_term(
    balance,
    annual_rate,
    level,
    period_months,
    method,
    timing,
    start_date,
    kept,
    residual=0.0,
    rounding=None,
    max_periods=None,
):
    """New rows keeping ``level`` (the annuity instalment, or the principal per period for equal
    principal) over as few instalments as needed; the last one absorbs the rest.

    :param max_periods: most new instalments (typically the number that remained before the
        change): the new count never exceeds it, however the rounding falls; the last of them
        absorbs what is left. ``None``: no such bound.
    :return: list of row dicts numbered from ``kept + 1`` (empty for a zero balance without
        residual).
    :raise ValueError: on invalid input, for interest only, when the level does not cover
        the interest, or when the count needed would pass the limits of ``limits.py``.
    """
    money, num, den, k, balance, residual, target, first_free = _prepare(
        balance, annual_rate, period_months, method, timing, start_date, kept, residual, rounding
    )
    if max_periods is not None:
        max_periods = check_whole(max_periods, "most remaining instalments", 1)
    if method == "interest_only":
        raise ValueError("An interest-only lease has no level principal to keep: lower the instalment instead.")
    check_amount(level, "instalment to keep")
    level = money.amount(level)
    if not level > 0:
        raise ValueError("The instalment to keep must be positive.")
    if not balance and not residual:
        return []
    annuity = method == "annuity"
    if annuity:
        m = _annuity_periods(num / den, money.out(level), money.out(balance), money.out(target), first_free)
    else:
        # ceil((B - T) / P), exactly.
        bn, bd = money.ratio(balance)
        tn, td = money.ratio(target)
        ln, ld = money.ratio(level)
        m = max(1, -((tn * bd - bn * td) * ld // (bd * td * ln)))
    if max_periods is not None and m > max_periods:
        m = max_periods
    if k + m > MAX_TERM or (k + m) * period_months > MAX_MONTHS:
        raise ValueError(
            "Keeping this instalment would take the contract past %d instalments or %d months: "
            "raise the instalment or lower it instead." % (MAX_TERM, MAX_MONTHS)
        )
    floor = money.out(target)
    while True:
        rows = _build(
            money,
            num,
            den,
            start_date,
            period_months,
            timing,
            k,
            m,
            balance,
            level,
            annuity,
            residual,
            target,
            first_free,
        )
        # The rounded rows may repay everything a row early: drop the empty last instalment.
        if m > 1 and rows[m - 2]["balance"] <= floor:
            m -= 1
            continue
        return rows


def extend_balloon(balance, annual_rate, extra, period_months, timing, start_date, kept, rounding=None):
    """The residual line turned into ``extra`` annuity instalments at ``annual_rate``.

    ``balance`` is the residual line's principal, ``kept`` the number of instalments before it.
    The new rows are numbered ``kept + 1 .. kept + extra`` and continue the calendar.
    """
    extra = check_whole(extra, "number of further instalments", 1)
    check_amount(balance, "residual value to extend")
    if not _Money(rounding).amount(balance) > 0:
        raise ValueError("There is no residual value to extend.")
    return lower_installment(
        balance,
        annual_rate,
        extra,
        period_months,
        "annuity",
        timing,
        start_date,
        check_whole(kept, "number of instalments kept", 1),
        residual=0.0,
        rounding=rounding,
    )
