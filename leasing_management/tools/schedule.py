"""Repayment schedule of a leasing / loan contract (pure Python, no Odoo).

Conventions (this docstring is the specification of the engine)
================================================================

Inputs
------
* ``financed`` F > 0: the amount financed (rounded first through ``rounding``).
* ``annual_rate``: nominal annual rate in percent, 0 <= rate <= 100.
* ``term`` n: number of instalments, an integer >= 1.
* ``period_months`` p: length of a period, one of 1, 3, 6, 12 months.
* ``method``: ``'annuity'`` (level instalments), ``'equal_principal'``
  (level principal) or ``'interest_only'`` (the principal is repaid with the
  last instalment).
* ``timing``: ``'arrears'`` (paid at the end of each period) or ``'advance'``
  (paid at the start of each period).
* ``residual`` R: balloon / purchase option paid at the end of the contract,
  0 <= R < F (rounded first through ``rounding``).
* ``start_date``: a ``datetime.date``.
* ``rounding``: a callable float -> float rounding to the currency precision
  (the Odoo layer passes ``currency.round``). Default: ``make_rounding(2)``,
  half-up to 2 decimals that corrects the binary float error (1.005 -> 1.01,
  2.675 -> 2.68, -1.005 -> -1.01).

Rules
-----
* Periodic rate r = annual_rate / 100 * p / 12. The interest of a period is
  ``rounding(balance owed during that period * r)``.
* Due dates are computed from the start date (see ``dates.py``): in arrears
  instalment k (1..n) is due start + k periods, in advance start + (k - 1)
  periods. The residual is due at ``end_date`` = start + n periods (in arrears
  the same day as the last instalment).
* B0 = F. Row k has principal P_k, interest I_k, amount A_k = P_k + I_k and
  balance B_k = B_{k-1} - P_k, every value rounded through ``rounding``.
* In arrears I_k = rounding(B_{k-1} * r). In advance the first instalment
  carries no interest (I_1 = 0) and I_k = rounding(B_{k-1} * r) for k >= 2:
  the balance left after the previous payment accrues during the period
  before instalment k.
* Target balance after the last instalment ("residual principal") T: 0 without
  residual; with a residual R > 0, T = R in arrears and
  T = rounding(R / (1 + r)) in advance (so that the residual line carries the
  interest of the last period).
* ``annuity``: level instalment
  A = rounding(numpy_financial.pmt(r, n, -F, R, when='end' or 'begin'))
  (numpy-financial handles r = 0: A = (F - R) / n); P_k = A - I_k for k < n.
* ``equal_principal``: P_k = rounding((F - T) / n) for k < n, i.e.
  "(financed - residual) / n" (in advance the residual's principal is T).
* ``interest_only``: P_k = 0 for k < n. (In advance the first instalment is
  therefore 0: it carries neither principal nor interest.)
* The last instalment absorbs all rounding: P_n = B_{n-1} - T,
  A_n = P_n + I_n, B_n = T. The principal of the instalments plus the
  principal of the residual line sums to F exactly and the final balance is 0.
* Guards. Before the last instalment a principal never takes the balance
  below the target T (it is cut to B_{k-1} - T, so later principals are 0),
  and an annuity's principal is never negative (when the interest exceeds the
  level instalment the principal is 0 and the amount is the interest). So the
  balance always stays between T and F. They only act on degenerate inputs
  (a few cents over hundreds of periods, rates near 100 % over decades) where
  the rounded level amounts would otherwise compound without bound.
* Residual line (only when R > 0): ``line_type`` ``'residual'``, sequence
  n + 1, due ``end_date``. In arrears principal = R, interest = 0,
  amount = R. In advance principal = T, interest = R - T (the last period's
  interest, absorbing the rounding), amount = R exactly. Balance after it: 0.
* Invalid input raises ``ValueError`` with a plain English message
  (the Odoo layer shows its own translated messages first).

Every row is a dict with exactly the keys ``sequence`` (1, 2, ...),
``line_type`` (``'installment'`` or ``'residual'``), ``due_date`` (date),
``principal``, ``interest``, ``amount`` and ``balance`` (floats, rounded).

Performance: when ``rounding`` is ``None`` or was built by ``make_rounding``
(it then carries an ``engine_digits`` attribute), the rows are computed in
integer multiples of the currency unit (exact, no rounding call per row);
any other callable is called for every value (3 to 5 times a row). Both
paths give identical results for the same precision (the tests check it).
For a currency whose rounding step is 10**-d (the usual case), an Odoo caller
may pass ``make_rounding(currency.decimal_places)`` instead of
``currency.round``: far faster, and the same figures (same half-up rule and
relative epsilon as Odoo 18's float_round; they could only differ on a value
within about 1e-15 of a tie).
"""

import math
import operator
from datetime import date
from decimal import Decimal

import numpy_financial as npf

from .dates import _check_period, _check_timing, _period_dates, add_months

__all__ = [
    "METHODS",
    "compute_schedule",
    "level_installment",
    "make_rounding",
    "periodic_rate",
    "round_half_up",
    "schedule_totals",
]

#: Allowed repayment methods.
METHODS = ("annuity", "equal_principal", "interest_only")

# Relative epsilon added before rounding half-up, to undo the binary
# representation error of decimal ties (1.005 is stored as 1.00499999...).
# Odoo 18's float_round adds the same 2**(log2|v| - 50); a few ulps cover the
# error accumulated by a product such as balance * rate.
_EPS = 2.0**-50

_INSTALLMENT = "installment"
_RESIDUAL = "residual"


def make_rounding(digits=2):
    """Return a fast half-up rounding function to ``digits`` decimals.

    Ties are rounded away from zero after correcting the binary float error
    with a tiny relative epsilon: 1.005 -> 1.01, 2.675 -> 2.68,
    -1.005 -> -1.01. The result is the float nearest to the decimal value.
    The returned function carries an ``engine_digits`` attribute that lets
    ``compute_schedule`` use its exact integer fast path.
    """
    digits = operator.index(digits)
    if not 0 <= digits <= 9:
        raise ValueError("The rounding precision must be 0 to 9 decimals.")
    scale = float(10**digits)
    factor = scale * (1.0 + _EPS)

    def rounding(value):
        if value >= 0.0:
            return ((value * factor + 0.5) // 1.0) / scale
        return 0.0 - ((0.5 - value * factor) // 1.0) / scale

    rounding.engine_digits = digits
    rounding.__doc__ = "Round half-up to %d decimals." % digits
    return rounding


#: Default rounding of the engine: half-up to 2 decimals.
round_half_up = make_rounding(2)


def _check_rate(annual_rate):
    if not 0.0 <= annual_rate <= 100.0:  # also rejects NaN
        raise ValueError("The annual interest rate must be between 0 and 100 percent, not %r." % (annual_rate,))


def _check_term(term):
    try:
        n = operator.index(term)
    except TypeError:
        raise ValueError("The number of instalments must be a whole number, not %r." % (term,)) from None
    if n < 1:
        raise ValueError("The number of instalments must be at least 1.")
    return n


def _check_method(method):
    if method not in METHODS:
        raise ValueError(
            "The repayment method must be 'annuity', 'equal_principal' or 'interest_only', not %r." % (method,)
        )


def periodic_rate(annual_rate, period_months):
    """Interest rate of one period as a fraction: annual_rate / 100 * p / 12."""
    _check_rate(annual_rate)
    _check_period(period_months)
    return annual_rate / 100 * period_months / 12


def _amounts(financed, residual, rounding):
    """Round and validate the financed amount and the residual."""
    financed = rounding(financed)
    if not financed > 0.0:
        raise ValueError("The financed amount must be positive.")
    residual = rounding(residual)
    if not 0.0 <= residual < financed:
        raise ValueError("The residual value must be at least 0 and less than the financed amount.")
    return financed, residual


def _pmt(r, n, financed, residual, advance, rounding):
    pmt = npf.pmt(r, n, -financed, residual, when="begin" if advance else "end")
    return rounding(float(pmt))


def level_installment(
    financed,
    annual_rate,
    term,
    period_months,
    timing,
    residual=0.0,
    rounding=None,
):
    """Level instalment of an annuity: the rounded ``numpy_financial.pmt``.

    ``rounding(npf.pmt(r, n, -F, R, when='end' in arrears, 'begin' in
    advance))``.
    """
    rounding = rounding or round_half_up
    n = _check_term(term)
    r = periodic_rate(annual_rate, period_months)
    _check_timing(timing)
    financed, residual = _amounts(financed, residual, rounding)
    return _pmt(r, n, financed, residual, timing == "advance", rounding)


def compute_schedule(
    financed,
    annual_rate,
    term,
    period_months,
    method,
    timing,
    start_date,
    residual=0.0,
    rounding=None,
):
    """Return the rows of the repayment schedule (see the module docstring).

    :return: list of dicts with the keys ``sequence``, ``line_type``,
        ``due_date``, ``principal``, ``interest``, ``amount``, ``balance``.
    :raise ValueError: on invalid input.
    """
    if rounding is None:
        rounding = round_half_up
    n = _check_term(term)
    r = periodic_rate(annual_rate, period_months)
    _check_method(method)
    _check_timing(timing)
    if not isinstance(start_date, date):
        raise ValueError("The start date must be a date, not %r." % (start_date,))
    financed, residual = _amounts(financed, residual, rounding)
    advance = timing == "advance"
    if residual and advance:
        target = rounding(residual / (1.0 + r))
    else:
        target = residual
    if method == "annuity":
        level = _pmt(r, n, financed, residual, advance, rounding)
    elif method == "equal_principal":
        level = rounding((financed - target) / n)
    else:
        level = 0.0
    dates = _period_dates(start_date, 0 if advance else 1, n, period_months)
    if residual:
        residual_date = add_months(start_date, n * period_months)
    else:
        residual_date = None
    digits = getattr(rounding, "engine_digits", None)
    if digits is not None:
        rows = _rows_exact(
            digits,
            financed,
            r,
            n,
            method == "annuity",
            advance,
            level,
            target,
            residual,
            dates,
            residual_date,
        )
    else:
        rows = _rows_generic(
            rounding,
            financed,
            r,
            n,
            method == "annuity",
            advance,
            level,
            target,
            residual,
            dates,
            residual_date,
        )
    return rows


def _rows_exact(
    digits,
    financed,
    r,
    n,
    annuity,
    advance,
    level,
    target,
    residual,
    dates,
    residual_date,
):
    """Rows computed in integer units of 10**-digits (held in floats).

    Integer-valued floats are exact up to 2**53, so sums and differences
    need no rounding; each output value is ``units / scale``, the float
    nearest to the decimal value (what ``make_rounding`` returns). The
    interest uses the same float operations as ``make_rounding(digits)``
    applied to ``balance * r`` (the balance never goes below the target, so
    it is never negative), hence this path equals ``_rows_generic``.
    """
    scale = float(10**digits)
    factor = scale * (1.0 + _EPS)
    inst = _INSTALLMENT
    # Exact units of already-rounded values.
    b = (financed * factor + 0.5) // 1.0
    t = (target * factor + 0.5) // 1.0
    lvl = (level * factor + 0.5) // 1.0
    bal = financed
    rows = []
    append = rows.append
    k = 1
    if advance and n > 1:
        # First instalment paid at the start: no interest accrued yet.
        p = lvl if lvl <= b - t else b - t
        b -= p
        bal = b / scale
        p_out = p / scale
        append(
            {
                "sequence": 1,
                "line_type": inst,
                "due_date": dates[0],
                "principal": p_out,
                "interest": 0.0,
                "amount": p_out,
                "balance": bal,
            }
        )
        k = 2
    if k < n:
        if annuity:
            amount = level
            for seq, due in zip(range(k, n), dates[k - 1 :]):
                i = (bal * r * factor + 0.5) // 1.0
                p = lvl - i
                if 0.0 <= p <= b - t:
                    b -= p
                    bal = b / scale
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": p / scale,
                            "interest": i / scale,
                            "amount": amount,
                            "balance": bal,
                        }
                    )
                else:
                    # Guard (module docstring): no negative amortisation,
                    # no repayment below the target before the last one.
                    p = 0.0 if p < 0.0 else b - t
                    b -= p
                    bal = b / scale
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": p / scale,
                            "interest": i / scale,
                            "amount": (p + i) / scale,
                            "balance": bal,
                        }
                    )
        else:
            # equal_principal (lvl = level principal) or interest_only (0).
            for seq, due in zip(range(k, n), dates[k - 1 :]):
                i = (bal * r * factor + 0.5) // 1.0
                p = lvl if lvl <= b - t else b - t
                b -= p
                bal = b / scale
                append(
                    {
                        "sequence": seq,
                        "line_type": inst,
                        "due_date": due,
                        "principal": p / scale,
                        "interest": i / scale,
                        "amount": (p + i) / scale,
                        "balance": bal,
                    }
                )
    # Last instalment: absorbs the rounding, leaves the target balance.
    i = 0.0 if advance and n == 1 else (bal * r * factor + 0.5) // 1.0
    p = b - t
    append(
        {
            "sequence": n,
            "line_type": inst,
            "due_date": dates[n - 1],
            "principal": p / scale,
            "interest": i / scale,
            "amount": (p + i) / scale,
            "balance": target,
        }
    )
    if residual_date is not None:
        ru = (residual * factor + 0.5) // 1.0
        append(
            {
                "sequence": n + 1,
                "line_type": _RESIDUAL,
                "due_date": residual_date,
                "principal": target,
                "interest": (ru - t) / scale,
                "amount": residual,
                "balance": 0.0,
            }
        )
    return rows


def _rows_generic(
    rounding,
    financed,
    r,
    n,
    annuity,
    advance,
    level,
    target,
    residual,
    dates,
    residual_date,
):
    """Rows computed in floats, every value passed through ``rounding``."""
    inst = _INSTALLMENT
    bal = financed
    rows = []
    append = rows.append
    k = 1
    if advance and n > 1:
        p = level
        new_bal = rounding(bal - p)
        if new_bal < target:
            p = rounding(bal - target)
            new_bal = target
        bal = new_bal
        append(
            {
                "sequence": 1,
                "line_type": inst,
                "due_date": dates[0],
                "principal": p,
                "interest": 0.0,
                "amount": p,
                "balance": bal,
            }
        )
        k = 2
    for seq, due in zip(range(k, n), dates[k - 1 :]):
        i = rounding(bal * r)
        amount = None
        if annuity:
            p = rounding(level - i)
            if p < 0.0:
                p = 0.0  # guard: no negative amortisation
            else:
                amount = level
        else:
            p = level
        new_bal = rounding(bal - p)
        if new_bal < target:
            # guard: never below the target before the last instalment
            p = rounding(bal - target)
            new_bal = target
            amount = None
        bal = new_bal
        append(
            {
                "sequence": seq,
                "line_type": inst,
                "due_date": due,
                "principal": p,
                "interest": i,
                "amount": rounding(p + i) if amount is None else amount,
                "balance": bal,
            }
        )
    i = 0.0 if advance and n == 1 else rounding(bal * r)
    p = rounding(bal - target)
    append(
        {
            "sequence": n,
            "line_type": inst,
            "due_date": dates[n - 1],
            "principal": p,
            "interest": i,
            "amount": rounding(p + i),
            "balance": target,
        }
    )
    if residual_date is not None:
        append(
            {
                "sequence": n + 1,
                "line_type": _RESIDUAL,
                "due_date": residual_date,
                "principal": target,
                "interest": rounding(residual - target),
                "amount": residual,
                "balance": 0.0,
            }
        )
    return rows


def schedule_totals(rows, rounding=None):
    """Sums of ``principal``, ``interest`` and ``amount`` over ``rows``.

    With ``rounding`` the float sums are passed through it; without, the
    values are added exactly as decimals (whatever the currency precision)
    and the float nearest to each exact sum is returned.
    """
    totals = {}
    for key in ("principal", "interest", "amount"):
        values = [row[key] for row in rows]
        if rounding is not None:
            totals[key] = rounding(math.fsum(values))
        else:
            totals[key] = _decimal_sum(values)
    return totals


def _decimal_sum(values):
    return float(sum((Decimal(repr(v)) for v in values), Decimal(0)))
