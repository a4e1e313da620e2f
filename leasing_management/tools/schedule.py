"""Repayment schedule of a leasing / loan contract (pure Python, no Odoo).

Conventions (this docstring is the specification of the engine)
================================================================

Inputs
------
* ``financed`` F > 0: the amount financed (rounded first to the currency).
* ``annual_rate``: nominal annual rate in percent, 0 <= rate <= 100.
* ``term`` n: number of instalments, an integer from 1 to ``MAX_TERM`` (600),
  and n x p at most ``MAX_MONTHS`` (600 months, 50 years).
* ``period_months`` p: length of a period, one of 1, 3, 6, 12 months.
* ``method``: ``'annuity'`` (level instalments), ``'equal_principal'``
  (level principal) or ``'interest_only'`` (the principal is repaid with the
  last instalment).
* ``timing``: ``'arrears'`` (paid at the end of each period) or ``'advance'``
  (paid at the start of each period).
* ``residual`` R: balloon / purchase option paid at the end of the contract,
  0 <= R < F (rounded first to the currency).
* Every amount must be below ``MAX_AMOUNT`` (10**12); ``start_date`` is a
  ``datetime.date`` between ``MIN_DATE`` and ``MAX_DATE`` (1900-01-01 ..
  2199-12-31). See ``limits.py``.
* ``rounding``: the currency's rounding. Default: ``make_rounding(2)``, half-up
  to the cent. See "Money" below.

Money: one exact half-up rule (see ``money.py``)
------------------------------------------------
* A number stands for the exact value it prints as: a float is the decimal
  ``Decimal(repr(value))`` (1.005 is 1.005, not the binary 1.00499999...), the
  rate too: r = annual_rate / 100 * p / 12 is the exact fraction of that
  decimal (``rate_ratio``), e.g. 6 % monthly is exactly 1/200.
* Every amount computed below (an interest, a level, the target, a share) is
  worked out exactly, in rational arithmetic, and rounded half-up (ties away
  from zero) ONCE, to the currency unit. No float subtraction or division
  comes before the rounding: (1,000,000.00 - 999,000.01) / 2 = 499.995 -> 500.00.
  "round(x)" below means exactly that.
* With a ``rounding`` made by ``make_rounding(d)`` (or ``None``) this is done
  in integers: every amount is a whole number of units of 10**-d (Python ints,
  exact at any size), an interest is ``div_half_up(units * num, den)`` for
  r = num / den. Each returned value is the float nearest to the decimal result.
* Any other callable (e.g. Odoo's ``currency.round`` for a currency whose step
  is not 10**-d, such as 0.05): each value is computed exactly as a fraction of
  the previous (already rounded) values, converted to the nearest float and
  passed to the callable once. The callable can only decide differently from
  the exact rule on a value within float precision (about 1e-16 relative) of
  one of its ties. For a step of 10**-d both ways give identical rows (the
  tests check it), the integer one far faster: an Odoo caller should pass
  ``make_rounding(currency.decimal_places)`` for such currencies (Odoo 18's
  float_round nudges a float by a relative 2**-52 instead of reading the
  decimal it prints as; the two could only differ on a float within a few
  units in the last place of a tie).

Rules
-----
* Periodic rate r = annual_rate / 100 * p / 12 (exact). The interest of a
  period is round(balance owed during that period * r).
* Due dates are computed from the start date (see ``dates.py``): in arrears
  instalment k (1..n) is due start + k periods, in advance start + (k - 1)
  periods. The residual is due at ``end_date`` = start + n periods (in arrears
  the same day as the last instalment).
* B0 = F. Row k has principal P_k, interest I_k, amount A_k = P_k + I_k and
  balance B_k = B_{k-1} - P_k (sums and differences of rounded amounts are
  exact).
* In arrears I_k = round(B_{k-1} * r). In advance the first instalment
  carries no interest (I_1 = 0) and I_k = round(B_{k-1} * r) for k >= 2:
  the balance left after the previous payment accrues during the period
  before instalment k.
* Target balance after the last instalment ("residual principal") T: 0 without
  residual; with a residual R > 0, T = R in arrears and T = round(R / (1 + r))
  in advance (so that the residual line carries the interest of the last
  period).
* ``annuity``: level instalment, the closed form computed exactly,
  A = round((F (1 + r)^n - R) r / ((1 + r)^n - 1)) in arrears and
  A = round((F (1 + r)^n - R) r / ((1 + r) ((1 + r)^n - 1))) in advance,
  A = round((F - R) / n) at r = 0 (the value numpy_financial.pmt(r, n, -F, R,
  when='end' / 'begin') approximates in floats); P_k = A - I_k for k < n.
* ``equal_principal``: P_k = round((F - T) / n) for k < n, i.e.
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
"""

import math
from decimal import Decimal, localcontext
from functools import lru_cache

from .dates import _check_period, _check_timing, _period_dates, add_months
from .limits import check_amount, check_date, check_length, check_whole
from .money import div_half_up, make_rounding, ratio_of, round_exact, round_half_up

__all__ = [
    "METHODS",
    "compute_schedule",
    "level_installment",
    "make_rounding",
    "periodic_rate",
    "rate_ratio",
    "round_half_up",
    "schedule_totals",
]

#: Allowed repayment methods.
METHODS = ("annuity", "equal_principal", "interest_only")

_INSTALLMENT = "installment"
_RESIDUAL = "residual"


def _check_rate(annual_rate):
    try:
        ok = 0.0 <= annual_rate <= 100.0  # also rejects NaN
    except TypeError:
        ok = False
    if not ok:
        raise ValueError("The annual interest rate must be between 0 and 100 percent, not %r." % (annual_rate,))


def _check_term(term):
    return check_whole(term, "number of instalments", 1)


def _check_method(method):
    if method not in METHODS:
        raise ValueError(
            "The repayment method must be 'annuity', 'equal_principal' or 'interest_only', not %r." % (method,)
        )


def periodic_rate(annual_rate, period_months):
    """Interest rate of one period as a fraction: annual_rate / 100 * p / 12 (a float)."""
    _check_rate(annual_rate)
    _check_period(period_months)
    return annual_rate / 100 * period_months / 12


@lru_cache(maxsize=1024)
def _rate_ratio_cached(annual_rate, period_months):
    num, den = ratio_of(annual_rate)
    num *= period_months
    den *= 1200
    g = math.gcd(num, den)
    return num // g, den // g


def rate_ratio(annual_rate, period_months):
    """The periodic rate r = annual_rate / 100 * p / 12 as an exact ``(num, den)`` of ints,
    ``annual_rate`` taken as the decimal it prints as (0.1 is one tenth)."""
    _check_rate(annual_rate)
    _check_period(period_months)
    return _rate_ratio_cached(annual_rate, period_months)


# ---------------------------------------------------------------------------
# Exact formulas on rationals given as (numerator, denominator) pairs of ints (den > 0). In the
# integer fast path the amounts are (units, 1), so a result n / d is rounded to units by
# div_half_up(n, d); in the generic path n / d is the exact amount, passed to the callable once.
# ---------------------------------------------------------------------------
def _target_ratio(residual, num, den):
    """R / (1 + r): the principal of an in-advance residual line, due one period later."""
    rn, rd = residual
    return rn * den, rd * (den + num)


def _share_ratio(financed, target, n):
    """(F - T) / n: the level principal of equal principal."""
    fn, fd = financed
    tn, td = target
    return fn * td - tn * fd, fd * td * n


def _pmt_ratio(financed, future, n, num, den, begin):
    """Level instalment repaying F down to a future value R over n periods at r = num / den:

    in arrears (``begin`` false) A = (F (1 + r)^n - R) r / ((1 + r)^n - 1), in advance the same
    divided by (1 + r); at r = 0, A = (F - R) / n. This is the exact value that
    ``numpy_financial.pmt(r, n, -F, R, when)`` computes in floats."""
    fn, fd = financed
    rn, rd = future
    if not num:
        return fn * rd - rn * fd, fd * rd * n
    x = (den + num) ** n
    y = den**n
    top = (fn * rd * x - rn * fd * y) * num
    bottom = fd * rd * (x - y) * (den + num if begin else den)
    return top, bottom


class _Money:
    """The arithmetic of one call: integer units of 10**-digits when the rounding was made by
    ``make_rounding`` (``digits`` set), else floats rounded by the caller's callable."""

    __slots__ = ("digits", "rounding", "scale")

    def __init__(self, rounding):
        self.rounding = rounding or round_half_up
        self.digits = getattr(self.rounding, "engine_digits", None)
        self.scale = None if self.digits is None else 10**self.digits

    def amount(self, value):
        """An input amount, rounded: units (fast path) or a float."""
        if self.digits is not None:
            if type(value) is float:
                scaled = value * self.scale
                if -562949953421312.0 < scaled < 562949953421312.0:  # 2**49: see money.to_units
                    units = math.floor(scaled + 0.5)
                    if -0.375 < scaled - units < 0.375:
                        return units
            num, den = ratio_of(value)
            return div_half_up(num * self.scale, den)
        return self.rounding(value)

    def ratio(self, value):
        """The exact (num, den) of a value of this arithmetic."""
        if self.digits is not None:
            return value, 1
        return ratio_of(value)

    def round(self, ratio):
        """An exact (num, den) amount rounded once: units (fast path) or a float."""
        num, den = ratio
        if self.digits is not None:
            return div_half_up(num, den)
        return self.rounding(num / den)

    def out(self, value):
        """A value of this arithmetic as the float returned to the caller."""
        if self.digits is not None:
            return value / self.scale
        return value

    def rows(self, *args):
        if self.digits is not None:
            return _rows_exact(self.scale, *args)
        return _rows_generic(self.rounding, *args)


def _amounts(money, financed, residual):
    """Validate, then round, the financed amount and the residual."""
    check_amount(financed, "financed amount", allow_negative=True)
    check_amount(residual, "residual value", allow_negative=True)
    financed = money.amount(financed)
    if not financed > 0:
        raise ValueError("The financed amount must be positive.")
    residual = money.amount(residual)
    if not 0 <= residual < financed:
        raise ValueError("The residual value must be at least 0 and less than the financed amount.")
    return financed, residual


def _level_annuity(money, financed, future, n, num, den, begin):
    return money.round(_pmt_ratio(money.ratio(financed), money.ratio(future), n, num, den, begin))


def _target(money, residual, num, den, advance):
    if residual and advance:
        return money.round(_target_ratio(money.ratio(residual), num, den))
    return residual


def level_installment(
    financed,
    annual_rate,
    term,
    period_months,
    timing,
    residual=0.0,
    rounding=None,
):
    """Level instalment of an annuity (see the module docstring), rounded half-up once.

    In arrears A = (F (1 + r)^n - R) r / ((1 + r)^n - 1), in advance A / (1 + r); at r = 0
    (F - R) / n: what ``numpy_financial.pmt(r, n, -F, R, when='end' / 'begin')`` approximates,
    computed exactly.

    :return: the level instalment, a float.
    :raise ValueError: on invalid input.
    """
    money = _Money(rounding)
    n = _check_term(term)
    num, den = rate_ratio(annual_rate, period_months)
    _check_timing(timing)
    check_length(n, period_months)
    financed, residual = _amounts(money, financed, residual)
    return money.out(_level_annuity(money, financed, residual, n, num, den, timing == "advance"))


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
    money = _Money(rounding)
    n = _check_term(term)
    num, den = rate_ratio(annual_rate, period_months)
    _check_method(method)
    _check_timing(timing)
    check_length(n, period_months)
    check_date(start_date, "start date")
    financed, residual = _amounts(money, financed, residual)
    advance = timing == "advance"
    target = _target(money, residual, num, den, advance)
    if method == "annuity":
        level = _level_annuity(money, financed, residual, n, num, den, advance)
    elif method == "equal_principal":
        level = money.round(_share_ratio(money.ratio(financed), money.ratio(target), n))
    else:
        level = 0 if money.digits is not None else 0.0
    dates = _period_dates(start_date, 0 if advance else 1, n, period_months)
    residual_date = add_months(start_date, n * period_months) if residual else None
    return money.rows(
        financed, num, den, n, method == "annuity", advance, level, target, residual, dates, residual_date
    )


def _rows_exact(
    scale,
    b,
    num,
    den,
    n,
    annuity,
    advance,
    lvl,
    t,
    ru,
    dates,
    residual_date,
):
    """Rows computed in integer units of 1 / ``scale`` (Python ints: exact at any size).

    ``b`` (the balance to repay), ``lvl`` (the level), ``t`` (the target) and ``ru`` (the
    residual) are in units; the periodic rate is ``num / den``. The interest of a row is
    ``div_half_up(balance * num, den)``, i.e. balance * r rounded half-up once; the balance never
    goes below the target, so it is never negative. Each output value is ``units / scale``
    (int / int: the float nearest to the decimal value).
    """
    inst = _INSTALLMENT
    n2 = 2 * num
    d2 = 2 * den
    rows = []
    append = rows.append
    k = 1
    if advance and n > 1:
        # First instalment paid at the start: no interest accrued yet.
        p = lvl if lvl <= b - t else b - t
        b -= p
        p_out = p / scale
        append(
            {
                "sequence": 1,
                "line_type": inst,
                "due_date": dates[0],
                "principal": p_out,
                "interest": 0.0,
                "amount": p_out,
                "balance": b / scale,
            }
        )
        k = 2
    if k < n:
        if annuity:
            amount = lvl / scale
            for seq, due in zip(range(k, n), dates[k - 1 :]):
                i = (b * n2 + den) // d2
                p = lvl - i
                if 0 <= p <= b - t:
                    b -= p
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": p / scale,
                            "interest": i / scale,
                            "amount": amount,
                            "balance": b / scale,
                        }
                    )
                else:
                    # Guard (module docstring): no negative amortisation,
                    # no repayment below the target before the last one.
                    p = 0 if p < 0 else b - t
                    b -= p
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": p / scale,
                            "interest": i / scale,
                            "amount": (p + i) / scale,
                            "balance": b / scale,
                        }
                    )
        elif lvl:
            # equal_principal: lvl = the level principal.
            principal = lvl / scale
            for seq, due in zip(range(k, n), dates[k - 1 :]):
                i = (b * n2 + den) // d2
                if lvl <= b - t:
                    b -= lvl
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": principal,
                            "interest": i / scale,
                            "amount": (lvl + i) / scale,
                            "balance": b / scale,
                        }
                    )
                else:
                    # Guard: no repayment below the target before the last instalment.
                    p = b - t
                    b = t
                    append(
                        {
                            "sequence": seq,
                            "line_type": inst,
                            "due_date": due,
                            "principal": p / scale,
                            "interest": i / scale,
                            "amount": (p + i) / scale,
                            "balance": b / scale,
                        }
                    )
        else:
            # interest_only (or a level principal of 0): the balance, hence the interest, stays.
            i = (b * n2 + den) // d2
            interest = i / scale
            balance = b / scale
            for seq, due in zip(range(k, n), dates[k - 1 :]):
                append(
                    {
                        "sequence": seq,
                        "line_type": inst,
                        "due_date": due,
                        "principal": 0.0,
                        "interest": interest,
                        "amount": interest,
                        "balance": balance,
                    }
                )
    # Last instalment: absorbs the rounding, leaves the target balance.
    i = 0 if advance and n == 1 else (b * n2 + den) // d2
    p = b - t
    target = t / scale
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
        append(
            {
                "sequence": n + 1,
                "line_type": _RESIDUAL,
                "due_date": residual_date,
                "principal": target,
                "interest": (ru - t) / scale,
                "amount": ru / scale,
                "balance": 0.0,
            }
        )
    return rows


def _exact_sub(x, y):
    """The float nearest to x - y, x and y taken as the decimals they print as."""
    xn, xd = ratio_of(x)
    yn, yd = ratio_of(y)
    return (xn * yd - yn * xd) / (xd * yd)


def _rows_generic(
    rounding,
    financed,
    num,
    den,
    n,
    annuity,
    advance,
    level,
    target,
    residual,
    dates,
    residual_date,
):
    """Rows for any rounding callable: every value is computed exactly (the floats taken as the
    decimals they print as, the rate as ``num / den``), converted to the nearest float and
    passed through ``rounding`` once."""
    inst = _INSTALLMENT
    sub = _exact_sub

    def interest(balance):
        bn, bd = ratio_of(balance)
        return rounding((bn * num) / (bd * den))

    bal = financed
    rows = []
    append = rows.append
    k = 1
    if advance and n > 1:
        p = level
        new_bal = rounding(sub(bal, p))
        if new_bal < target:
            p = rounding(sub(bal, target))
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
        i = interest(bal)
        amount = None
        if annuity:
            p = rounding(sub(level, i))
            if p < 0.0:
                p = 0.0  # guard: no negative amortisation
            else:
                amount = level
        else:
            p = level
        new_bal = rounding(sub(bal, p))
        if new_bal < target:
            # guard: never below the target before the last instalment
            p = rounding(sub(bal, target))
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
                "amount": rounding(sub(p, -i)) if amount is None else amount,
                "balance": bal,
            }
        )
    i = 0.0 if advance and n == 1 else interest(bal)
    p = rounding(sub(bal, target))
    append(
        {
            "sequence": n,
            "line_type": inst,
            "due_date": dates[n - 1],
            "principal": p,
            "interest": i,
            "amount": rounding(sub(p, -i)),
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
                "interest": rounding(sub(residual, target)),
                "amount": residual,
                "balance": 0.0,
            }
        )
    return rows


def schedule_totals(rows, rounding=None):
    """Sums of ``principal``, ``interest`` and ``amount`` over ``rows``.

    The values are added exactly, as the decimals they print as. With ``rounding`` each exact
    sum is then rounded once through it; without, the float nearest to the exact sum is
    returned (whatever the currency precision).
    """
    totals = {}
    for key in ("principal", "interest", "amount"):
        total = _decimal_sum(row[key] for row in rows)
        totals[key] = float(total) if rounding is None else round_exact(total, rounding)
    return totals


def _decimal_sum(values):
    with localcontext() as ctx:
        ctx.prec = 60  # exact for any sum of engine amounts
        return sum((Decimal(repr(v)) for v in values), Decimal(0))
