"""Rates of a leasing / loan contract: effective rate, APR, quote (no Odoo).

All rates returned here are in percent.
"""

import math

import numpy_financial as npf

from .dates import _check_period, _check_timing
from .limits import check_amount
from .money import exact, round_exact
from .schedule import (
    compute_schedule,
    periodic_rate,
    round_half_up,
    schedule_totals,
)

__all__ = [
    "apr",
    "cash_flow_offsets",
    "effective_annual_rate",
    "quote",
]


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


def apr(net_disbursed, rows, period_months, timing):
    """Annual percentage rate (percent) of a schedule.

    The internal rate of return (``numpy_financial.irr``) of the real cash
    flows per period, annualised as an effective rate
    ((1 + irr) ** (12 / p) - 1) * 100:

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
    flows = [0.0] * (n + 1)
    flows[0] = -float(net_disbursed)
    shift = 0 if timing == "arrears" else 1
    for row in rows:
        if row["line_type"] == "installment":
            flows[row["sequence"] - shift] += row["amount"]
        else:
            flows[n] += row["amount"]
    # Below a millionth of a cent per unit disbursed the difference is noise.
    if abs(math.fsum(flows)) <= 1e-8 * max(1.0, float(net_disbursed)):
        return 0.0
    rate = npf.irr(flows)
    if math.isnan(rate):
        raise ValueError("The cash flows of this schedule have no rate of return.")
    return ((1.0 + rate) ** (12 / period_months) - 1.0) * 100.0


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
