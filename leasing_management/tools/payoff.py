"""Early payoff quote of a lease (pure Python, no Odoo).

What the lessee owes to end the lease on ``payoff_date``, component by component:

* **principal**: the outstanding principal, i.e. the principal of the schedule lines not yet
  invoiced (instalments and residual value);
* **interest**: the interest accrued on it by actual days since the last instalment invoiced
  fell due (or since the start date when none was), ``principal x annual_rate / 100 x days /
  day_count`` (``accrued_interest``); a payoff date on or before that date accrues nothing (the
  instalment invoiced already carries the interest up to its own due date);
* **fee**: the early-termination fee, ``fee_pct / 100 x principal`` (``money.percent_of``);
* **unpaid_invoices**: what the invoices already issued still ask for (they stay open as they
  are; the quote only shows them);
* **penalty**: penalty interest on the late instalments, accrued to the payoff date and not yet
  invoiced, as the caller worked it out (0 when it has none: leasing_collections computes it);
* **taxes**: the taxes on principal, interest, fee and penalty, when the caller's tax engine has
  computed them (0 otherwise);
* **deposit**: the deposit held, applied against all of the above, never more than they add up
  to; what is left of it (**deposit_remaining**) goes back to the lessee;
* **total**: principal + interest + fee + penalty + unpaid invoices + taxes - deposit, never
  negative.

Every component is computed exactly (the inputs taken as the decimals they print as) and rounded
half-up once to the currency (the rule of ``money.py``; with a ``rounding`` made by
``make_rounding`` in exact integer units, any other callable gets each exact value once, as the
nearest float), each component on its own, and the total is the exact sum of the rounded
components, so the parts always add up to the whole. Amounts must be below ``MAX_AMOUNT`` and
the dates between ``MIN_DATE`` and ``MAX_DATE`` (``limits.py``).
"""

from fractions import Fraction

from .limits import check_amount, check_date
from .money import exact, percent_of, ratio_of, resolve_rounding, round_exact

__all__ = ["accrued_interest", "payoff_quote"]


def _check_percent(value, label):
    try:
        ok = 0 <= value <= 100  # also rejects NaN
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"The {label} must lie between 0 and 100 %, not {value!r}.")


def _check_day_count(day_count):
    try:
        ok = 0 < day_count <= 1000  # also rejects NaN
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"The day count must be a positive number of days (365, 360...), not {day_count!r}.")


def _accrued(principal, annual_rate, days, day_count):
    """principal x annual_rate / 100 x days / day_count, exactly, as a Fraction."""
    pn, pd = ratio_of(principal)
    rn, rd = ratio_of(annual_rate)
    cn, cd = ratio_of(day_count)
    return Fraction(pn * rn * days * cd, pd * rd * 100 * cn)


def accrued_interest(principal, annual_rate, start, end, rounding=None, day_count=365, *, digits=None):
    """Interest accrued on ``principal`` by actual days from ``start`` to ``end``.

    ``principal x annual_rate / 100 x days / day_count`` with days = (end - start).days,
    computed exactly (the principal, once rounded to the currency, and the rate taken as the
    decimals they print as) and rounded half-up once. 0 when ``end`` <= ``start``.
    Example: 50,000.00 at 12 % for 27 days = 162,000 / 365 = 443.8356... -> 443.84.

    :param principal: the principal owed (>= 0, below ``MAX_AMOUNT``)
    :param annual_rate: nominal annual rate in percent (0..100)
    :param start: ``date`` from which the interest accrues
    :param end: ``date`` up to which it accrues
    :param rounding: the currency's rounding (default: half-up to the cent); or ``digits``
    :param day_count: days in a year (365: actual/365 fixed; 360; 366...)
    :return: the interest, a float
    :raise ValueError: on an input out of range
    """
    rounding = resolve_rounding(rounding, digits)
    check_amount(principal, "principal")
    _check_percent(annual_rate, "annual rate")
    _check_day_count(day_count)
    check_date(start, "start of the accrual")
    check_date(end, "end of the accrual")
    days = (end - start).days
    if days <= 0:
        return 0.0
    return round_exact(_accrued(round_exact(principal, rounding), annual_rate, days, day_count), rounding)


def payoff_quote(
    outstanding_principal,
    annual_rate,
    accrual_start,
    payoff_date,
    fee_pct,
    unpaid_invoices,
    deposit_held,
    rounding,
    day_count=365,
    taxes=0.0,
    penalty=0.0,
):
    """Return the payoff quote as a dict.

    :param outstanding_principal: principal not yet invoiced (>= 0)
    :param annual_rate: nominal annual rate in percent (0..100)
    :param accrual_start: ``date`` from which interest accrues (last invoiced due date or start)
    :param payoff_date: ``date`` of the payoff
    :param fee_pct: early-termination fee in percent of the outstanding principal (0..100)
    :param unpaid_invoices: residual amount of the open invoices (>= 0)
    :param deposit_held: deposit held for the lessee (>= 0)
    :param rounding: callable rounding an amount to the currency's precision (``make_rounding``'s
        for exact integer arithmetic; any other callable gets each exact value once, as a float)
    :param day_count: days in a year for the accrual (365: actual/365 fixed)
    :param taxes: taxes on principal, interest, fee and penalty computed by the caller (>= 0)
    :param penalty: penalty interest accrued to the payoff date and not yet invoiced (>= 0)
    :return: dict with ``principal``, ``days``, ``interest``, ``fee``, ``penalty``,
        ``unpaid_invoices``, ``taxes``, ``deposit`` (applied), ``deposit_remaining`` and ``total``
    :raises ValueError: on an input out of range (amounts must also be below ``MAX_AMOUNT``,
        the dates between ``MIN_DATE`` and ``MAX_DATE``)
    """
    for name, value in (
        ("outstanding principal", outstanding_principal),
        ("unpaid invoices", unpaid_invoices),
        ("deposit held", deposit_held),
        ("taxes", taxes),
        ("penalty", penalty),
    ):
        check_amount(value, name)
    _check_percent(annual_rate, "annual rate")
    _check_percent(fee_pct, "early-termination fee")
    _check_day_count(day_count)
    check_date(accrual_start, "start of the accrual")
    check_date(payoff_date, "payoff date")

    days = max((payoff_date - accrual_start).days, 0)
    principal = round_exact(outstanding_principal, rounding)
    interest = accrued_interest(principal, annual_rate, accrual_start, payoff_date, rounding, day_count)
    fee = percent_of(principal, fee_pct, rounding)
    unpaid = round_exact(unpaid_invoices, rounding)
    taxes = round_exact(taxes, rounding)
    penalty = round_exact(penalty, rounding)
    deposit = round_exact(deposit_held, rounding)
    # The sums and differences of the rounded components, exactly.
    owed = round_exact(sum(exact(v) for v in (principal, interest, fee, penalty, unpaid, taxes)), rounding)
    applied = min(deposit, owed)
    remaining = round_exact(exact(deposit) - exact(applied), rounding)
    total = round_exact(exact(owed) - exact(applied), rounding)
    return {
        "principal": principal,
        "days": days,
        "interest": interest,
        "fee": fee,
        "penalty": penalty,
        "unpaid_invoices": unpaid,
        "taxes": taxes,
        "deposit": applied,
        "deposit_remaining": remaining,
        "total": total,
    }
