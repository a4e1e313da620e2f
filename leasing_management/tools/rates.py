"""Rates of a leasing / loan contract: effective rate, APR, quote (no Odoo).

All rates returned here are in percent.

Internal rate of return
=======================
The APR is the rate i per period at which the flows of a contract are worth nothing today:
NPV(i) = sum of amount_k / (1 + i) ** t_k = 0, t_k being the time of flow k in periods of the
contract (negative amounts are paid out by the lender, positive ones received). ``irr`` solves
it with the variable L = ln(1 + i), where NPV is a plain sum of exponentials, so one evaluation
costs O(n) whatever the term (numpy-financial's ``irr`` finds the roots of a polynomial of
degree n: O(n**3) time and O(n**2) memory). A root is bracketed first (NPV at L = 0, then at
+-0.01, +-0.02, +-0.04, ... until the sign changes), then refined by Newton's method, with a
bisection step whenever Newton would leave the bracket, down to a few units in the last place
of L. With the usual flows (the lender pays out first, then only receives) the root is unique;
with several sign changes it is the bracketed root nearest to 0, like numpy-financial's choice.
The rate of a period is i = exp(L) - 1, the annual rate (1 + i) ** (12 / p) - 1.

Time of a dated flow
====================
``apr_of_dated_flows`` measures time in periods of the contract along its own calendar: the
k-th period date is start + k x p months (``dates.add_months`` from the start date, the day
clamped to the month end: Jan 31, Feb 29, Mar 31, ...). A flow dated d, date_k <= d < date_k+1,
is at t = k + (d - date_k).days / (date_k+1 - date_k).days: a due date is a whole number of
periods, a date between two is counted in actual days as a fraction of the period it falls
in. So flows only on due dates give exactly the APR of ``apr``, and a prepayment 15 days into
a 30-day month is half a period after the last due date.
"""

import math
from datetime import date, datetime

from .dates import _check_period, _check_timing, add_months
from .limits import check_amount, check_date
from .money import exact, round_exact
from .schedule import (
    compute_schedule,
    periodic_rate,
    round_half_up,
    schedule_totals,
)

__all__ = [
    "apr",
    "apr_of_dated_flows",
    "cash_flow_offsets",
    "effective_annual_rate",
    "irr",
    "quote",
]

# Bracketing of the root in L = ln(1 + i): the first step and the widest |L| tried
# (L = 20 is a rate of 48,500,000 % a period; L = -20 loses all but 2e-9 of the money).
_FIRST_STEP = 0.01
_WIDEST = 20.0
_MAX_ITERATIONS = 200


def effective_annual_rate(annual_rate, period_months):
    """Effective annual rate in percent of a nominal ``annual_rate`` (percent)
    compounded every ``period_months`` months: ((1 + r) ** (12 / p) - 1) * 100.
    """
    r = periodic_rate(annual_rate, period_months)
    return ((1.0 + r) ** (12 / period_months) - 1.0) * 100.0


def cash_flow_offsets(term, timing):
    """Period index of each instalment: k in arrears, k - 1 in advance."""
    _check_timing(timing)
    if term < 0:
        raise ValueError("The number of instalments cannot be negative.")
    first = 1 if timing == "arrears" else 0
    return list(range(first, first + term))


def _npv(times, amounts, x):
    """NPV at L = x and its derivative, both multiplied by exp(s x) > 0 (s = 0 for x >= 0,
    the last time for x < 0) so that no exponential overflows: the same sign and the same
    roots as the NPV itself."""
    shift = 0.0 if x >= 0.0 else times[-1]
    exp = math.exp
    value = 0.0
    slope = 0.0
    for t, c in zip(times, amounts):
        d = shift - t
        term = c * exp(d * x)
        value += term
        slope += d * term
    return value, slope


def _flows(times, amounts):
    """Flows sorted by time, those at the same time added (in the order given), zeros left out."""
    merged = {}
    for t, c in zip(times, amounts):
        if t in merged:
            merged[t] += c
        else:
            merged[t] = c
    pairs = sorted((t, c) for t, c in merged.items() if c)
    return [t for t, _c in pairs], [c for _t, c in pairs]


def _solve_log_rate(times, amounts):
    """L = ln(1 + i) where the NPV of the flows is 0 (see the module docstring), or None."""
    if not amounts or all(c > 0 for c in amounts) or all(c < 0 for c in amounts):
        return None
    f0 = math.fsum(amounts)
    if f0 == 0.0:
        return 0.0
    # Bracket: widen symmetrically from 0 until the sign changes (the negative side first at
    # the same |L|: its rate is nearer to 0).
    negative = f0 < 0.0
    lo = hi = None
    low, high = 0.0, 0.0
    step = _FIRST_STEP
    while step <= _WIDEST:
        for x in (-step, step):
            value = _npv(times, amounts, x)[0]
            if (value < 0.0) != negative or value == 0.0:
                if value == 0.0:
                    return x
                lo, hi = (x, low) if x < 0.0 else (high, x)
                break
            if x < 0.0:
                low = x
            else:
                high = x
        if lo is not None:
            break
        step *= 2.0
    if lo is None:
        return None
    # The NPV has the sign of f0 at one end of [lo, hi] and the other sign at the other end.
    f_lo = _npv(times, amounts, lo)[0]
    rising = f_lo < 0.0
    x = 0.5 * (lo + hi)
    for _ in range(_MAX_ITERATIONS):
        value, slope = _npv(times, amounts, x)
        if value == 0.0:
            return x
        if (value < 0.0) == rising:
            lo = x
        else:
            hi = x
        if slope != 0.0:
            new = x - value / slope
        else:
            new = lo - 1.0  # force a bisection
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - x) <= 4e-16 * max(1.0, abs(x)) or not lo < new < hi:
            return new
        x = new
    return x


def irr(amounts, times=None):
    """Internal rate of return per period (a fraction, not percent) of cash flows.

    ``amounts[k]`` is received at time ``times[k]`` periods from now (default: k); negative
    amounts are paid out. Solves sum amount / (1 + i) ** t = 0 in O(n) per iteration (see the
    module docstring). Flows at the same time are added; zero amounts are ignored.

    :raise ValueError: when the flows have no rate of return (all of one sign, nothing paid out
        or received, no sign change of the NPV between -100 % and +48,500,000 % a period), or on
        invalid input (not finite numbers, negative times, lists of different lengths).
    """
    amounts = [float(c) for c in amounts]
    if times is None:
        times = list(range(len(amounts)))
    else:
        times = [float(t) for t in times]
        if len(times) != len(amounts):
            raise ValueError("Each cash flow needs exactly one time.")
    for t, c in zip(times, amounts):
        if not (math.isfinite(c) and math.isfinite(t)) or t < 0:
            raise ValueError("The cash flows must be finite amounts at times from 0 on.")
    times, amounts = _flows(times, amounts)
    log_rate = _solve_log_rate(times, amounts)
    if log_rate is None:
        raise ValueError("These cash flows have no rate of return.")
    return math.expm1(log_rate)


def _annual_percent(times, amounts, period_months, scale, what):
    """APR (percent) of flows in periods: 0 when they add up to nothing (no interest, no fee)."""
    # Below a millionth of a cent per unit disbursed the difference is noise.
    if abs(math.fsum(amounts)) <= 1e-8 * max(1.0, scale):
        return 0.0
    times, amounts = _flows(times, amounts)
    log_rate = _solve_log_rate(times, amounts)
    if log_rate is None:
        raise ValueError("The cash flows of this %s have no rate of return." % what)
    return math.expm1(log_rate * 12 / period_months) * 100.0


def apr(net_disbursed, rows, period_months, timing):
    """Annual percentage rate (percent) of a schedule.

    The internal rate of return (``irr``) of the real cash flows per period, annualised as an
    effective rate ((1 + irr) ** (12 / p) - 1) * 100:

    * index 0: the lender pays out ``-net_disbursed``;
    * each instalment row's amount at its period index (k in arrears, k - 1
      in advance); flows at the same index are added, so an in-advance first
      instalment nets against the disbursement;
    * the residual row at index n (the number of instalments).

    Return 0.0 when the borrower repays exactly ``net_disbursed`` (no
    interest, no fees): the IRR is then 0.

    :raise ValueError: if ``net_disbursed`` <= 0 or the IRR does not exist.
    """
    _check_period(period_months)
    _check_timing(timing)
    if not net_disbursed > 0:
        raise ValueError("The net amount disbursed must be positive.")
    installments = [row for row in rows if row["line_type"] == "installment"]
    n = len(installments)
    if not n:
        raise ValueError("The schedule has no instalment.")
    times = [0]
    amounts = [-float(net_disbursed)]
    shift = 0 if timing == "arrears" else 1
    for row in rows:
        times.append(row["sequence"] - shift if row["line_type"] == "installment" else n)
        amounts.append(row["amount"])
    return _annual_percent(times, amounts, period_months, float(net_disbursed), "schedule")


def period_time(start_date, when, period_months):
    """Time of the date ``when`` in periods of ``period_months`` from ``start_date`` (a float):
    k + (when - date_k).days / (date_k+1 - date_k).days, date_k = start + k periods (see the
    module docstring). ``ValueError`` for a date before the start."""
    if when < start_date:
        raise ValueError("A cash flow cannot be dated before the start date (%s < %s)." % (when, start_date))
    k = ((when.year - start_date.year) * 12 + when.month - start_date.month) // period_months
    while k > 0 and add_months(start_date, k * period_months) > when:
        k -= 1
    while add_months(start_date, (k + 1) * period_months) <= when:
        k += 1
    date_k = add_months(start_date, k * period_months)
    if when == date_k:
        return k
    date_next = add_months(start_date, (k + 1) * period_months)
    return k + (when - date_k).days / (date_next - date_k).days


def apr_of_dated_flows(start_date, flows, period_months):
    """APR (percent) of a lease's real cash flows at their dates.

    :param start_date: the contract's start date (time 0; the calendar of its periods)
    :param flows: list of ``(date, amount)``: negative amounts are paid out by the lender (the
        net amount disbursed at the start), positive ones received (each instalment at its due
        date, a prepayment or a payoff at its date, a returned item's share at the date of the
        return); none dated before the start date. Flows on the same date are added.
    :param period_months: the contract's period (1, 3, 6 or 12 months)
    :return: ((1 + i) ** (12 / p) - 1) * 100, i the rate per period at which the NPV of the flows
        is 0, their times measured as in the module docstring; 0.0 when the flows add up to
        nothing. With every flow on a due date this is exactly ``apr`` of the same flows.
    :raise ValueError: on invalid input or when the flows have no rate of return.
    """
    _check_period(period_months)
    check_date(start_date, "start date")
    times = []
    amounts = []
    paid_out = 0.0
    for item in flows:
        try:
            when, amount = item
        except (TypeError, ValueError):
            raise ValueError("Each cash flow must be a (date, amount) pair, not %r." % (item,)) from None
        if isinstance(when, datetime):
            when = when.date()
        elif not isinstance(when, date):
            raise ValueError("The date of a cash flow must be a date, not %r." % (when,))
        check_amount(amount, "cash flow", allow_negative=True)
        times.append(period_time(start_date, when, period_months))
        amounts.append(float(amount))
        if amount < 0:
            paid_out -= amount
    if not amounts:
        raise ValueError("There are no cash flows.")
    return _annual_percent(times, amounts, period_months, paid_out, "lease")


def quote(
    price,
    down_payment,
    annual_rate,
    term,
    period_months,
    method,
    timing,
    start_date,
    residual=0.0,
    financed_fees=0.0,
    upfront_fees=0.0,
    rounding=None,
):
    """Price a contract: schedule, totals and rates.

    * ``financed`` = price + financed_fees - down_payment (exactly, then rounded);
    * ``installment``: amount of the first instalment row (the level
      instalment of an annuity, except when it is also the last one);
    * ``total_interest``, ``total_amount``: totals over every row, the
      residual line included;
    * ``apr``: APR (percent) computed on the net amount disbursed
      = financed - upfront_fees, i.e. the net amount the lessee really
      receives: the credit less the fees paid up front (``apr``);
    * ``periodic_rate``: the rate of one period, in percent;
    * ``effective_rate``: the effective annual rate, in percent;
    * ``schedule``: the rows of ``compute_schedule``.

    Every amount (price, down payment, fees, residual) must be >= 0 and below ``MAX_AMOUNT``;
    the term and the start date are bounded as in ``compute_schedule``.

    :raise ValueError: on invalid input.
    """
    rounding = rounding or round_half_up
    for label, value in (
        ("price", price),
        ("down payment", down_payment),
        ("financed fees", financed_fees),
        ("upfront fees", upfront_fees),
    ):
        check_amount(value, label)
    financed = round_exact(exact(price) + exact(financed_fees) - exact(down_payment), rounding)
    rows = compute_schedule(
        financed,
        annual_rate,
        term,
        period_months,
        method,
        timing,
        start_date,
        residual=residual,
        rounding=rounding,
    )
    totals = schedule_totals(rows, rounding)
    net_disbursed = round_exact(exact(financed) - exact(upfront_fees), rounding)
    return {
        "financed": financed,
        "installment": rows[0]["amount"],
        "total_interest": totals["interest"],
        "total_amount": totals["amount"],
        "apr": apr(net_disbursed, rows, period_months, timing),
        "periodic_rate": annual_rate * period_months / 12,
        "effective_rate": effective_annual_rate(annual_rate, period_months),
        "schedule": rows,
    }
