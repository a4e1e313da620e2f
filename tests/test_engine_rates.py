"""Effective rate, APR and quote. References are computed here with the
decimal module (bisection for the IRR), never with the code under test."""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest

from tests._engine import engine

START = date(2024, 1, 15)


def irr_by_bisection(flows):
    """Periodic IRR of ``flows`` (index = period) by bisection in Decimal.

    The flows are conventional (one outflow first), so the NPV decreases
    with the rate and has a single root above -100 %.
    """
    with localcontext() as ctx:
        ctx.prec = 40
        flows = [Decimal(repr(f)) if isinstance(f, float) else Decimal(f) for f in flows]

        def npv(rate):
            return sum(f / (1 + rate) ** t for t, f in enumerate(flows))

        lo, hi = Decimal("-0.9"), Decimal("10")
        assert npv(lo) > 0 > npv(hi)
        for _ in range(200):
            mid = (lo + hi) / 2
            if npv(mid) > 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


def annualise(periodic, period_months):
    with localcontext() as ctx:
        ctx.prec = 40
        return float(((1 + periodic) ** (Decimal(12) / period_months) - 1) * 100)


def row(seq, amount, line_type="installment"):
    return {
        "sequence": seq,
        "line_type": line_type,
        "due_date": START,
        "principal": 0.0,
        "interest": 0.0,
        "amount": amount,
        "balance": 0.0,
    }


@pytest.mark.parametrize(
    "nominal, period, expected",
    [
        (12, 1, 12.682503013196977),  # (1.01 ** 12 - 1) * 100
        (8, 3, 8.243216),  # (1.02 ** 4 - 1) * 100
        (10, 6, 10.25),  # (1.05 ** 2 - 1) * 100
        (7.5, 12, 7.5),
        (0, 1, 0.0),
    ],
)
def test_effective_annual_rate(nominal, period, expected):
    assert engine.effective_annual_rate(nominal, period) == pytest.approx(expected, abs=1e-9)
    assert round(engine.effective_annual_rate(12, 1), 4) == 12.6825


def test_cash_flow_offsets():
    assert engine.cash_flow_offsets(3, "arrears") == [1, 2, 3]
    assert engine.cash_flow_offsets(3, "advance") == [0, 1, 2]
    with pytest.raises(ValueError):
        engine.cash_flow_offsets(3, "later")


def test_apr_hand_checked():
    # 1000 lent, 50 of fees paid up front: 950 really received, repaid with
    # 12 monthly payments of 88.85 (the annuity of 1000 at 12 %) in arrears.
    rows = [row(k, 88.85) for k in range(1, 13)]
    monthly = irr_by_bisection([-950] + [88.85] * 12)
    expected = annualise(monthly, 1)
    assert 23.5 < expected < 24.5  # about 1.8 % a month
    assert engine.apr(950, rows, 1, "arrears") == pytest.approx(expected, abs=1e-7)
    # Without the fees: the effective rate of 12 %, 12.68 %.
    assert engine.apr(1000, rows, 1, "arrears") == pytest.approx(12.68, abs=0.01)


def test_apr_advance_nets_the_first_payment():
    # 1000 lent, two monthly payments of 510 in advance: the first one is paid
    # on the disbursement date, so the flows are -490 now and 510 a month later.
    rows = [row(1, 510.0), row(2, 510.0)]
    monthly = Decimal(510) / Decimal(490) - 1
    expected = annualise(monthly, 1)
    assert engine.apr(1000, rows, 1, "advance") == pytest.approx(expected, abs=1e-7)


def test_apr_residual_at_the_end():
    # Quarterly, arrears: 2 instalments of 300, residual 500 at the end
    # (same period as the last instalment). Flows: -1000, 300, 800.
    rows = [row(1, 300.0), row(2, 300.0), row(3, 500.0, "residual")]
    expected = annualise(irr_by_bisection([-1000, 300, 800]), 3)
    assert engine.apr(1000, rows, 3, "arrears") == pytest.approx(expected, abs=1e-7)
    # In advance the residual is due one period after the last instalment:
    # flows -700, 300, 500.
    expected = annualise(irr_by_bisection([-700, 300, 500]), 3)
    assert engine.apr(1000, rows, 3, "advance") == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("method", ["annuity", "equal_principal", "interest_only"])
@pytest.mark.parametrize("timing", ["arrears", "advance"])
@pytest.mark.parametrize(
    "rate, n, period, residual",
    [(6, 60, 1, 0), (4.9, 48, 1, 8000), (9.5, 20, 3, 0), (3, 6, 12, 5000)],
)
def test_apr_without_fees_is_the_effective_rate(method, timing, rate, n, period, residual):
    rows = engine.compute_schedule(20000, rate, n, period, method, timing, START, residual=residual)
    assert engine.apr(20000, rows, period, timing) == pytest.approx(
        engine.effective_annual_rate(rate, period), abs=0.01
    )


def test_apr_thirty_years():
    rows = engine.compute_schedule(200000, 6, 360, 1, "annuity", "arrears", START)
    assert engine.apr(200000, rows, 1, "arrears") == pytest.approx(6.1678, abs=0.01)


@pytest.mark.parametrize("timing", ["arrears", "advance"])
def test_apr_rises_with_upfront_fees(timing):
    rows = engine.compute_schedule(10000, 5, 36, 1, "annuity", timing, START)
    aprs = [engine.apr(10000 - fee, rows, 1, timing) for fee in (0, 50, 100, 500)]
    assert aprs == sorted(aprs)
    assert len(set(aprs)) == 4


def test_apr_interest_free():
    rows = engine.compute_schedule(1200, 0, 12, 1, "annuity", "arrears", START)
    assert engine.apr(1200, rows, 1, "arrears") == 0.0
    rows = engine.compute_schedule(1000, 0, 3, 1, "equal_principal", "advance", START, residual=100)
    assert engine.apr(1000, rows, 1, "advance") == 0.0
    # Interest free but with fees: a positive APR.
    assert engine.apr(990, rows, 1, "advance") > 0


def test_apr_errors():
    rows = [row(1, 100.0)]
    with pytest.raises(ValueError):
        engine.apr(0, rows, 1, "arrears")
    with pytest.raises(ValueError):
        engine.apr(-5, rows, 1, "arrears")
    with pytest.raises(ValueError):  # nothing is ever repaid: no IRR
        engine.apr(100, [row(1, 0.0), row(2, 0.0)], 1, "arrears")
    with pytest.raises(ValueError):
        engine.apr(100, rows, 2, "arrears")
    with pytest.raises(ValueError):
        engine.apr(100, rows, 1, "whenever")


def reference_annuity_arrears(financed, monthly_rate, n):
    """A tiny Decimal annuity schedule (arrears) used as the quote's oracle."""
    cent = Decimal("0.01")
    f = Decimal(financed)
    r = Decimal(monthly_rate)
    level = (f * r / (1 - (1 + r) ** -n)).quantize(cent, ROUND_HALF_UP)
    balance, interests, amounts = f, [], []
    for k in range(1, n + 1):
        interest = (balance * r).quantize(cent, ROUND_HALF_UP)
        principal = balance if k == n else level - interest
        balance -= principal
        interests.append(interest)
        amounts.append(principal + interest)
    return level, sum(interests), sum(amounts), amounts


def test_quote():
    # Price 12,000, down payment 2,000, 100 of fees financed, 200 paid up front;
    # 6 % a year, 12 monthly instalments in arrears.
    result = engine.quote(
        12000,
        2000,
        6,
        12,
        1,
        "annuity",
        "arrears",
        START,
        financed_fees=100,
        upfront_fees=200,
    )
    level, interest, total, amounts = reference_annuity_arrears("10100", "0.005", 12)
    assert level == Decimal("869.27")  # 10100 * 0.005 / (1 - 1.005**-12) = 869.268...
    assert result["financed"] == 10100.0
    assert result["installment"] == float(level)
    assert result["total_interest"] == float(interest)
    assert result["total_amount"] == float(total)
    assert result["total_amount"] == float(Decimal("10100") + interest)
    assert result["periodic_rate"] == 0.5
    assert result["effective_rate"] == pytest.approx(6.167781186, abs=1e-8)
    # APR on the 9,900 really received.
    expected_apr = annualise(irr_by_bisection([-9900] + amounts), 1)
    assert result["apr"] == pytest.approx(expected_apr, abs=1e-7)
    assert result["apr"] > result["effective_rate"]
    schedule = result["schedule"]
    assert len(schedule) == 12
    assert [r["amount"] for r in schedule] == [float(a) for a in amounts]


def test_quote_without_fees_and_with_residual():
    result = engine.quote(30000, 0, 4.9, 48, 1, "annuity", "advance", START, residual=9000)
    assert result["financed"] == 30000.0
    assert result["schedule"][-1]["line_type"] == "residual"
    assert result["schedule"][-1]["amount"] == 9000.0
    assert result["apr"] == pytest.approx(result["effective_rate"], abs=0.01)
    assert result["installment"] == result["schedule"][0]["amount"]


def test_quote_equal_principal_installment_is_the_first_row():
    result = engine.quote(1000, 0, 12, 3, 1, "equal_principal", "arrears", START)
    # 333.33 of principal + 10.00 of interest (see test_engine_schedule).
    assert result["installment"] == 343.33
    assert result["total_interest"] == 20.0  # 10.00 + 6.67 + 3.33


@pytest.mark.parametrize(
    "kwargs",
    [
        {"down_payment": 12000},  # nothing financed
        {"down_payment": -1},
        {"upfront_fees": -1},
        {"financed_fees": -1},
        {"upfront_fees": 20000},  # nothing really received
    ],
)
def test_quote_errors(kwargs):
    args = {
        "price": 12000,
        "down_payment": 0,
        "annual_rate": 6,
        "term": 12,
        "period_months": 1,
        "method": "annuity",
        "timing": "arrears",
        "start_date": START,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):
        engine.quote(**args)


# ---------------------------------------------------------------------------
# The IRR solver (O(n) per iteration) and the APR of dated flows
# ---------------------------------------------------------------------------
def npv_decimal(flows, rate):
    """NPV of (time, amount) flows at ``rate`` per period in Decimal; a time may be a Fraction:
    (1 + rate) ** -t = exp(-t ln(1 + rate))."""
    base = 1 + rate
    log = base.ln()
    total = Decimal(0)
    for t, amount in flows:
        t = Fraction(t)
        if t.denominator == 1:
            factor = base ** -int(t)
        else:
            factor = (-(Decimal(t.numerator) / Decimal(t.denominator)) * log).exp()
        total += Decimal(repr(amount)) * factor if isinstance(amount, float) else Decimal(amount) * factor
    return total


def rate_by_bisection(flows, lo="-0.5", hi="2", steps=120):
    """Periodic rate where the NPV of conventional (time, amount) flows is 0, by bisection in
    Decimal (40 digits); the NPV falls as the rate rises."""
    with localcontext() as ctx:
        ctx.prec = 40
        lo, hi = Decimal(lo), Decimal(hi)
        assert npv_decimal(flows, lo) > 0 > npv_decimal(flows, hi)
        for _ in range(steps):
            mid = (lo + hi) / 2
            if npv_decimal(flows, mid) > 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


def level_by_bisection_horner(amounts, steps=70):
    """Periodic rate of flows at 0, 1, 2, ... by bisection on the NPV written as a polynomial in
    v = 1 / (1 + i) (Horner, Decimal, 34 digits): fast enough for thousands of periods."""
    with localcontext() as ctx:
        ctx.prec = 34
        coefficients = [Decimal(repr(float(a))) for a in reversed(amounts)]

        def npv(rate):
            v = 1 / (1 + rate)
            total = Decimal(0)
            for c in coefficients:
                total = total * v + c
            return total

        lo, hi = Decimal("-0.5"), Decimal("1")
        assert npv(lo) > 0 > npv(hi)
        for _ in range(steps):
            mid = (lo + hi) / 2
            if npv(mid) > 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


@pytest.mark.parametrize(
    "flows, expected",
    [
        # numpy-financial's documented examples (Gitman, Principles of Managerial Finance).
        ([-100, 39, 59, 55, 20], 0.28095),
        ([-100, 0, 0, 74], -0.0955),
        # Several sign changes: the root nearest to 0, as numpy-financial documents.
        ([-100, 100, 0, -7], -0.0833),
        ([-100, 100, 0, 7], 0.06206),
        ([-5, 10.5, 1, -8, 1], 0.0886),
    ],
)
def test_irr_published_examples(flows, expected):
    assert round(engine.irr(flows), 5) == expected


def test_irr_against_decimal_bisection():
    # (-100 at 0, 39, 59, 55, 20): the Decimal root to 1e-12.
    flows = [-100, 39, 59, 55, 20]
    oracle = rate_by_bisection(list(enumerate(flows)))
    assert engine.irr(flows) == pytest.approx(float(oracle), abs=1e-12)
    # Times given explicitly, fractional, and flows on the same date added.
    dated = [(0, -1000), (Fraction(1, 2), 300), (Fraction(3, 2), 400), (2, 200), (2, 200)]
    oracle = rate_by_bisection(dated)
    got = engine.irr([a for _t, a in dated], [float(t) for t, _a in dated])
    assert got == pytest.approx(float(oracle), abs=1e-12)


@pytest.mark.parametrize(
    "financed, rate, n, period, method, timing, residual, fee",
    [
        (20000, 6, 60, 1, "annuity", "arrears", 0, 300),
        (35000, 4.9, 48, 1, "annuity", "advance", 12000, 500),
        (150000, 3.25, 40, 3, "equal_principal", "arrears", 0, 1500),
        (1234.56, 19.99, 7, 6, "interest_only", "advance", 100, 10),
        (80000, 11.5, 120, 1, "equal_principal", "advance", 20000, 0),
        (999999.99, 30, 50, 12, "annuity", "arrears", 0, 9999.99),
        (250000, 7.25, 360, 1, "annuity", "arrears", 0, 2500),
    ],
)
def test_apr_solver_against_oracles(financed, rate, n, period, method, timing, residual, fee):
    """The APR against a Decimal bisection (the oracle) to 1e-9 %, and against what
    numpy-financial's irr (the engine's solver until now; not the engine's call any more) gives
    on the same flows, to 1e-9 %."""
    rows = engine.compute_schedule(financed, rate, n, period, method, timing, START, residual=residual)
    net = financed - fee
    flows = [0.0] * (n + 1)
    flows[0] = -net
    shift = 0 if timing == "arrears" else 1
    for r in rows:
        flows[r["sequence"] - shift if r["line_type"] == "installment" else n] += r["amount"]
    got = engine.apr(net, rows, period, timing)
    assert got == pytest.approx(annualise(level_by_bisection_horner(flows), period), abs=1e-9)
    import numpy_financial as npf

    assert got == pytest.approx(((1 + npf.irr(flows)) ** (12 / period) - 1) * 100, abs=1e-9)


def test_apr_of_long_terms_is_fast():
    """600 and 6,000 periods (numpy-financial's polynomial roots took 179 s and 496 MB for
    6,000; 90,000 raised MemoryError): well under a second each, to the Decimal oracle."""
    import time

    for n in (600, 6000):
        # 1,000,000 lent at 0.5 % a month, repaid by the level 5,264.05 (600) / 5,000.00 (6,000)
        # a month, 1 % of fees up front.
        level = round(1e6 * 0.005 / (1 - 1.005**-n), 2)
        rows = [row(k, level) for k in range(1, n + 1)]
        began = time.perf_counter()
        got = engine.apr(990000, rows, 1, "arrears")
        elapsed = time.perf_counter() - began
        assert elapsed < 0.5, elapsed
        oracle = annualise(level_by_bisection_horner([-990000] + [level] * n), 1)
        assert got == pytest.approx(oracle, abs=1e-9)
    began = time.perf_counter()
    engine.irr([-1e6] + [5000.0] * 90000)
    assert time.perf_counter() - began < 2


def test_irr_without_solution_raises():
    with pytest.raises(ValueError):
        engine.irr([100, 50])  # nothing paid out
    with pytest.raises(ValueError):
        engine.irr([-100, -50])  # nothing received
    with pytest.raises(ValueError):
        engine.irr([0, 0])
    with pytest.raises(ValueError):
        engine.irr([-100, float("nan")])
    with pytest.raises(ValueError):
        engine.irr([-100, 110], [0])  # one time for two amounts
    with pytest.raises(ValueError):
        engine.irr([-100, 110], [0, -1])  # before time 0


def oracle_add_months(d, months):
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def oracle_time(start, when, period):
    """The time convention of rates.py written independently: k whole periods to the last
    period date on or before ``when``, then the days since it over the days of that period."""
    k = 0
    while oracle_add_months(start, (k + 1) * period) <= when:
        k += 1
    base = oracle_add_months(start, k * period)
    following = oracle_add_months(start, (k + 1) * period)
    return k + Fraction((when - base).days, (following - base).days)


def test_period_time():
    start = date(2024, 1, 31)
    # Due dates are whole periods: Feb 29, Mar 31, Apr 30 are 1, 2, 3.
    assert [engine.period_time(start, d, 1) for d in (start, date(2024, 2, 29), date(2024, 4, 30))] == [0, 1, 3]
    # 2024-05-15 is 15 days after Apr 30 in a period of 31 days (Apr 30 -> May 31).
    assert engine.period_time(start, date(2024, 5, 15), 1) == 3 + 15 / 31
    # Quarterly from Nov 30: Feb 29, May 30; Mar 30 is 30 days into a period of 91.
    assert engine.period_time(date(2023, 11, 30), date(2024, 3, 30), 3) == 1 + 30 / 91
    with pytest.raises(ValueError):
        engine.period_time(start, date(2024, 1, 30), 1)


@pytest.mark.parametrize("timing", ["arrears", "advance"])
@pytest.mark.parametrize("residual, fee", [(0, 0), (0, 250), (3000, 120)])
def test_apr_of_due_date_flows_is_apr(timing, residual, fee):
    """Every flow on a due date: exactly the APR of ``apr``."""
    rows = engine.compute_schedule(12000, 7.9, 24, 1, "annuity", timing, START, residual=residual)
    net = 12000 - fee
    flows = [(START, -net)] + [(r["due_date"], r["amount"]) for r in rows]
    assert engine.apr_of_dated_flows(START, flows, 1) == engine.apr(net, rows, 1, timing)


def test_apr_of_a_mid_period_prepayment():
    # 10,000.00 at 6 % a year, 12 monthly instalments in arrears from 2024-01-31, 100.00 of fees
    # up front. Instalments 1-3 are paid on their due dates; on 2024-05-15 the lessee prepays
    # 3,000.00 and the 9 instalments left are lowered (from the balance after instalment 3, less
    # 3,000.00, due on the original dates).
    start = date(2024, 1, 31)
    rows = engine.compute_schedule(10000, 6, 12, 1, "annuity", "arrears", start)
    balance = rows[2]["balance"] - 3000
    rest = engine.lower_installment(balance, 6, 9, 1, "annuity", "arrears", start, 3)
    flows = [(start, -9900.0)]
    flows += [(r["due_date"], r["amount"]) for r in rows[:3]]
    flows += [(date(2024, 5, 15), 3000.0)]
    flows += [(r["due_date"], r["amount"]) for r in rest]
    got = engine.apr_of_dated_flows(start, flows, 1)
    oracle = rate_by_bisection([(oracle_time(start, d, 1), a) for d, a in flows])
    assert got == pytest.approx(annualise(oracle, 1), abs=1e-9)
    # The prepayment at its date, not at a due date: moving it to May 31 (a due date) gives a
    # different rate, and the fees make the APR exceed the effective rate of 6 %.
    moved = [(date(2024, 5, 31), a) if d == date(2024, 5, 15) else (d, a) for d, a in flows]
    assert engine.apr_of_dated_flows(start, moved, 1) != pytest.approx(got, abs=1e-6)
    assert got > engine.effective_annual_rate(6, 1)


def test_apr_of_a_returned_item():
    # Quarterly lease of 20,000.00 at 8 % (r = 0.02), 8 instalments in advance from 2024-03-15.
    # On 2024-09-01 an item is returned and its share of 5,000.00 comes back to the lessor (an
    # inflow at that date); the instalments left are lowered from the balance after the third.
    start = date(2024, 3, 15)
    rows = engine.compute_schedule(20000, 8, 8, 3, "annuity", "advance", start)
    rest = engine.lower_installment(rows[2]["balance"] - 5000, 8, 5, 3, "annuity", "advance", start, 3)
    flows = [(start, -20000.0)] + [(r["due_date"], r["amount"]) for r in rows[:3]]
    flows += [(date(2024, 9, 1), 5000.0)] + [(r["due_date"], r["amount"]) for r in rest]
    got = engine.apr_of_dated_flows(start, flows, 3)
    oracle = rate_by_bisection([(oracle_time(start, d, 3), a) for d, a in flows])
    assert got == pytest.approx(annualise(oracle, 3), abs=1e-9)


def test_apr_of_dated_flows_errors():
    start = date(2024, 1, 31)
    with pytest.raises(ValueError):
        engine.apr_of_dated_flows(start, [], 1)
    with pytest.raises(ValueError):
        engine.apr_of_dated_flows(start, [(date(2024, 1, 30), -100), (date(2024, 2, 29), 101)], 1)
    with pytest.raises(ValueError):
        engine.apr_of_dated_flows(start, [(start, 100), (date(2024, 2, 29), 101)], 1)  # no outflow
    with pytest.raises(ValueError):
        engine.apr_of_dated_flows(start, [(start, -100), ("2024-02-29", 101)], 1)
    with pytest.raises(ValueError):
        engine.apr_of_dated_flows(start, [(start, -100), (date(2024, 2, 29), 101)], 2)
    # A datetime counts as its date.
    from datetime import datetime

    flows = [(start, -100), (date(2024, 2, 29), 101)]
    stamped = [(start, -100), (datetime(2024, 2, 29, 17, 30), 101)]
    assert engine.apr_of_dated_flows(start, stamped, 1) == engine.apr_of_dated_flows(start, flows, 1)
    # Repaying exactly what was lent: 0 %.
    assert engine.apr_of_dated_flows(start, [(start, -100), (date(2024, 3, 10), 100)], 1) == 0.0
