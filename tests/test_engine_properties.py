"""Invariants of ``compute_schedule`` over thousands of random contracts.

Every check is made in ``decimal`` arithmetic on the values as printed
(``Decimal(repr(x))``), against oracles written here (calendar arithmetic,
the closed-form annuity in exact fractions, half-up rounding of the decimal module).
"""

import calendar
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import _oracles as oracles
from tests._engine import engine

CENT = Decimal("0.01")
MAX_CENTS = 1_000_000_000  # 10,000,000.00


def dec(x):
    return Decimal(repr(x))


def half_up(x, quantum=CENT):
    return x.quantize(quantum, ROUND_HALF_UP)


def near_tie(x, quantum=CENT):
    """True when ``x`` is so close to a rounding tie that float noise (and
    the engine's relative epsilon of 2**-50, like Odoo's float_round) may
    legitimately decide the direction."""
    units = x / quantum
    frac = abs(units % 1)
    slack = abs(units) * Decimal(2) ** -46 + Decimal("1e-9")
    return abs(frac - Decimal("0.5")) < slack


def oracle_add_months(d, months):
    """Independent month arithmetic through ``calendar.monthrange``."""
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


# Strategies built once (building them inside the composite is slow).
FINANCED_CENTS = st.one_of(
    st.integers(1, MAX_CENTS),
    st.integers(100_000, 10_000_000),  # typical 1,000 .. 100,000
)
RATES = st.integers(0, 1_000_000).map(lambda v: v / 10_000)  # 0..100, 4 dp
PERIODS = st.sampled_from(engine.PERIOD_MONTHS)
# Every term the engine accepts (at most 600 instalments and 600 months), with more weight on
# the common ones (up to 84).
TERMS = {
    p: st.one_of(
        st.integers(1, min(84, engine.MAX_MONTHS // p)), st.integers(1, min(engine.MAX_TERM, engine.MAX_MONTHS // p))
    )
    for p in engine.PERIOD_MONTHS
}
METHODS = st.sampled_from(engine.METHODS)
TIMINGS = st.sampled_from(engine.TIMINGS)
RESIDUAL_FRACTIONS = st.one_of(st.just(None), st.integers(0, 999_999))  # ppm
START_DATES = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.builds(month_end, st.integers(1990, 2100), st.integers(1, 12)),
)


@st.composite
def contracts(draw):
    financed_cents = draw(FINANCED_CENTS)
    fraction = draw(RESIDUAL_FRACTIONS)
    residual_cents = 0 if fraction is None else financed_cents * fraction // 10**6
    period = draw(PERIODS)
    return {
        "financed": financed_cents / 100,
        "annual_rate": draw(RATES),
        "term": draw(TERMS[period]),
        "period_months": period,
        "method": draw(METHODS),
        "timing": draw(TIMINGS),
        "start_date": draw(START_DATES),
        "residual": residual_cents / 100,
    }


MONEY = ("principal", "interest", "amount", "balance")
KEYS = {"sequence", "line_type", "due_date", *MONEY}


def check_schedule(rows, c, quantum=CENT):
    """Assert every convention of the module docstring of schedule.py."""
    n = c["term"]
    p = c["period_months"]
    advance = c["timing"] == "advance"
    F = dec(c["financed"])
    R = dec(c["residual"])
    # The periodic rate, exactly: the annual rate as the decimal it prints as / 100 * p / 12.
    rate = oracles.periodic_rate(c["annual_rate"], p)

    assert len(rows) == n + (1 if R else 0)
    assert [row["sequence"] for row in rows] == list(range(1, len(rows) + 1))
    assert [row["line_type"] for row in rows] == ["installment"] * n + (["residual"] if R else [])
    # Every money value as the decimal it prints as, checked once.
    values = []
    for row in rows:
        assert set(row) == KEYS
        v = {}
        for key in MONEY:
            value = row[key]
            assert type(value) is float, (key, value)
            assert not (value == 0 and math.copysign(1.0, value) < 0), "-0.0"
            v[key] = d = dec(value)
            assert d == half_up(d, quantum), (key, value)  # at most 2 decimals
        assert v["amount"] == v["principal"] + v["interest"]
        values.append(v)

    # Balances: B_k = B_{k-1} - P_k, exactly; the principal sums to F.
    balance = F
    before = []
    for v in values:
        before.append(balance)
        balance -= v["principal"]
        assert v["balance"] == balance
    assert balance == 0
    assert sum(v["principal"] for v in values) == F

    # Interest: the balance owed times r, exactly, rounded half-up once.
    inst = values[:n]
    for k, v in enumerate(inst):
        if advance and k == 0:
            assert v["interest"] == 0
        else:
            expected = oracles.half_up(Fraction(before[k]) * rate, quantum)
            assert v["interest"] == expected, (k, v, expected)
    if rate == 0:
        assert all(v["interest"] == 0 for v in values)

    # Target balance after the last instalment, residual line.
    target = inst[-1]["balance"]
    if R:
        res = values[-1]
        assert res["amount"] == R
        assert res["principal"] == target
        if advance:
            assert target == oracles.half_up(Fraction(R) / (1 + rate), quantum)
        else:
            assert target == R
            assert res["interest"] == 0
    else:
        assert target == 0

    # The guards keep the balance between the target and F.
    assert all(target <= v["balance"] <= F for v in inst)

    # Due dates.
    first = 0 if advance else 1
    dues = [row["due_date"] for row in rows[:n]]
    assert dues == [oracle_add_months(c["start_date"], (first + k) * p) for k in range(n)]
    assert all(a < b for a, b in zip(dues, dues[1:]))
    if R:
        end = oracle_add_months(c["start_date"], n * p)
        assert rows[-1]["due_date"] == end
        assert end == dues[-1] if not advance else end > dues[-1]

    # Method-specific shapes (instalments 1 .. n-1).
    body = list(zip(inst[:-1], before))
    method = c["method"]
    if method == "annuity":
        # Closed-form annuity, exactly (tests/_oracles.py).
        exact_level = oracles.annuity(F, R, rate, n, advance)
        level = dec(
            engine.level_installment(
                c["financed"],
                c["annual_rate"],
                n,
                p,
                c["timing"],
                residual=c["residual"],
                rounding=engine.make_rounding(-quantum.as_tuple().exponent),
            )
        )
        assert level == oracles.half_up(exact_level, quantum)
        for v, owed in body:
            if v["amount"] == level:
                continue
            if v["balance"] == target and v["principal"] == owed - target:
                # Guard: repaid down to the target ahead of time.
                assert v["amount"] < level
            else:
                # Guard: the interest exceeds the level instalment.
                assert v["principal"] == 0
                assert v["interest"] > level
    elif method == "equal_principal":
        share = oracles.half_up(Fraction(F - target) / n, quantum)
        for v, owed in body:
            if v["balance"] == target and v["principal"] != share:
                # Guard: repaid down to the target ahead of time.
                assert v["principal"] == owed - target
                assert v["principal"] < share
            else:
                assert v["principal"] == share
    else:
        assert all(v["principal"] == 0 for v in inst[:-1])


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(contracts())
def test_schedule_invariants(c):
    check_schedule(engine.compute_schedule(**c), c)


@settings(max_examples=300, deadline=None)
@given(contracts())
def test_generic_rounding_path_matches_exact_path(c):
    """A plain callable (like currency.round) takes the generic float path;
    it must give exactly the rows of the integer fast path."""
    default = engine.round_half_up

    def plain(x):
        return default(x)

    assert not hasattr(plain, "engine_digits")
    assert engine.compute_schedule(**c, rounding=plain) == engine.compute_schedule(**c)


@settings(max_examples=300, deadline=None)
@given(contracts(), st.sampled_from([0, 3]))
def test_other_currency_precisions(c, digits):
    """Whole units (JPY-like) and 3 decimals (KWD-like), both paths."""
    quantum = Decimal(1).scaleb(-digits)
    fast = engine.make_rounding(digits)
    c = dict(c)
    c["financed"] = float(half_up(dec(c["financed"]), quantum)) or 1.0
    c["residual"] = float(half_up(dec(c["residual"]), quantum))
    if c["residual"] >= c["financed"]:
        c["residual"] = 0.0
    rows = engine.compute_schedule(**c, rounding=fast)
    check_schedule(rows, c, quantum)
    assert engine.compute_schedule(**c, rounding=lambda x: fast(x)) == rows


@settings(max_examples=500, deadline=None)
@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(0, 4))
def test_rounding_is_half_up_of_the_printed_value(x, digits):
    """make_rounding agrees with decimal ROUND_HALF_UP applied to repr(x),
    except where the float is within a few ulps of a tie."""
    quantum = Decimal(1).scaleb(-digits)
    result = engine.make_rounding(digits)(x)
    expected = half_up(dec(x), quantum)
    if not near_tie(dec(x), quantum):
        assert dec(result) == expected
    else:
        assert abs(dec(result) - expected) <= quantum
    assert dec(result) == half_up(dec(result), quantum)
