"""Hand-worked schedules, written out cent by cent.

The expected rows are computed by hand (every step is in the comments), never
with ``compute_schedule``. Rounding is half-up to the cent. r is the periodic
rate annual_rate / 100 * p / 12.
"""

from datetime import date

import numpy_financial as npf
import pytest

from tests import _oracles as oracles
from tests._engine import engine

START = date(2024, 1, 31)  # a month end in a leap year


def rows_of(table, due_dates, residual_date=None):
    """Rows from (principal, interest, amount, balance) tuples."""
    rows = []
    for seq, ((principal, interest, amount, balance), due) in enumerate(zip(table, due_dates), start=1):
        is_residual = residual_date is not None and seq == len(table)
        rows.append(
            {
                "sequence": seq,
                "line_type": "residual" if is_residual else "installment",
                "due_date": due,
                "principal": principal,
                "interest": interest,
                "amount": amount,
                "balance": balance,
            }
        )
    return rows


ARREARS_DATES = [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
ADVANCE_DATES = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]


def test_annuity_arrears():
    # F = 1000, 12 %/yr monthly: r = 0.01, n = 3.
    # PMT = 1000 * 0.01 / (1 - 1.01**-3) = 10 / 0.02940985... = 340.0221... -> 340.02
    # 1: I = 1000.00 * 0.01 = 10.00  P = 340.02 - 10.00 = 330.02  B = 669.98
    # 2: I = 669.98 * 0.01 = 6.6998 -> 6.70  P = 333.32  B = 336.66
    # 3: I = 336.66 * 0.01 = 3.3666 -> 3.37  P = 336.66 (all that is left)
    #    A = 336.66 + 3.37 = 340.03  B = 0
    expected = rows_of(
        [
            (330.02, 10.00, 340.02, 669.98),
            (333.32, 6.70, 340.02, 336.66),
            (336.66, 3.37, 340.03, 0.0),
        ],
        ARREARS_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "annuity", "arrears", START)
    assert got == expected


def test_annuity_advance():
    # PMT(begin) = 340.0221... / 1.01 = 336.6555... -> 336.66
    # 1: I = 0 (paid on the start date)  P = 336.66  B = 663.34
    # 2: I = 663.34 * 0.01 = 6.6334 -> 6.63  P = 330.03  B = 333.31
    # 3: I = 333.31 * 0.01 = 3.3331 -> 3.33  P = 333.31  A = 336.64  B = 0
    expected = rows_of(
        [
            (336.66, 0.0, 336.66, 663.34),
            (330.03, 6.63, 336.66, 333.31),
            (333.31, 3.33, 336.64, 0.0),
        ],
        ADVANCE_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "annuity", "advance", START)
    assert got == expected


def test_equal_principal_arrears():
    # P = 1000 / 3 = 333.333... -> 333.33
    # 1: I = 10.00  A = 343.33  B = 666.67
    # 2: I = 666.67 * 0.01 = 6.6667 -> 6.67  A = 340.00  B = 333.34
    # 3: I = 333.34 * 0.01 = 3.3334 -> 3.33  P = 333.34  A = 336.67  B = 0
    expected = rows_of(
        [
            (333.33, 10.00, 343.33, 666.67),
            (333.33, 6.67, 340.00, 333.34),
            (333.34, 3.33, 336.67, 0.0),
        ],
        ARREARS_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "equal_principal", "arrears", START)
    assert got == expected


def test_equal_principal_advance():
    # 1: I = 0  P = 333.33  A = 333.33  B = 666.67
    # 2: I = 6.67  A = 340.00  B = 333.34
    # 3: I = 3.33  P = 333.34  A = 336.67  B = 0
    expected = rows_of(
        [
            (333.33, 0.0, 333.33, 666.67),
            (333.33, 6.67, 340.00, 333.34),
            (333.34, 3.33, 336.67, 0.0),
        ],
        ADVANCE_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "equal_principal", "advance", START)
    assert got == expected


def test_interest_only_arrears():
    # I = 1000 * 0.01 = 10.00 every month, the principal with the last one.
    expected = rows_of(
        [
            (0.0, 10.00, 10.00, 1000.0),
            (0.0, 10.00, 10.00, 1000.0),
            (1000.0, 10.00, 1010.00, 0.0),
        ],
        ARREARS_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "interest_only", "arrears", START)
    assert got == expected


def test_interest_only_advance():
    # The first instalment (start date) carries neither principal nor interest.
    expected = rows_of(
        [
            (0.0, 0.0, 0.0, 1000.0),
            (0.0, 10.00, 10.00, 1000.0),
            (1000.0, 10.00, 1010.00, 0.0),
        ],
        ADVANCE_DATES,
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "interest_only", "advance", START)
    assert got == expected


def test_interest_half_up_tie():
    # 1000.50 * 0.01 = 10.005 exactly -> 10.01 (half-up, not half-even).
    got = engine.compute_schedule(1000.50, 12, 2, 1, "interest_only", "arrears", START)
    assert [row["interest"] for row in got] == [10.01, 10.01]
    assert [row["amount"] for row in got] == [10.01, 1010.51]


def test_annuity_residual_arrears():
    # F = 1000, R = 100, r = 0.01, n = 3.
    # PMT = (1000 * 1.01**3 - 100) * 0.01 / (1.01**3 - 1)
    #     = (1030.301 - 100) * 0.01 / 0.030301 = 9.30301 / 0.030301 = 307.0199... -> 307.02
    # 1: I = 10.00  P = 297.02  B = 702.98
    # 2: I = 7.0298 -> 7.03  P = 299.99  B = 402.99
    # 3: I = 4.0299 -> 4.03  P = 402.99 - 100 = 302.99  A = 307.02  B = 100.00
    # residual (T = R in arrears): P = 100  I = 0  A = 100, due with instalment 3
    expected = rows_of(
        [
            (297.02, 10.00, 307.02, 702.98),
            (299.99, 7.03, 307.02, 402.99),
            (302.99, 4.03, 307.02, 100.0),
            (100.0, 0.0, 100.0, 0.0),
        ],
        ARREARS_DATES + [date(2024, 4, 30)],
        residual_date=date(2024, 4, 30),
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "annuity", "arrears", START, residual=100)
    assert got == expected


def test_annuity_residual_advance():
    # PMT(begin) = 307.0199... / 1.01 = 303.9801... -> 303.98
    # T = 100 / 1.01 = 99.0099... -> 99.01
    # 1: I = 0  P = 303.98  B = 696.02
    # 2: I = 6.9602 -> 6.96  P = 297.02  B = 399.00
    # 3: I = 3.99  P = 399.00 - 99.01 = 299.99  A = 303.98  B = 99.01
    # residual on start + 3 months: P = T = 99.01  I = 100 - 99.01 = 0.99  A = 100
    expected = rows_of(
        [
            (303.98, 0.0, 303.98, 696.02),
            (297.02, 6.96, 303.98, 399.0),
            (299.99, 3.99, 303.98, 99.01),
            (99.01, 0.99, 100.0, 0.0),
        ],
        ADVANCE_DATES + [date(2024, 4, 30)],
        residual_date=date(2024, 4, 30),
    )
    got = engine.compute_schedule(1000, 12, 3, 1, "annuity", "advance", START, residual=100)
    assert got == expected
    residual = got[-1]
    assert residual["amount"] == 100.0
    assert residual["principal"] == 99.01


def test_equal_principal_residual_advance():
    # T = 99.01; P = (1000 - 99.01) / 3 = 300.33
    # 1: I = 0  A = 300.33  B = 699.67
    # 2: I = 6.9967 -> 7.00  A = 307.33  B = 399.34
    # 3: I = 3.9934 -> 3.99  P = 399.34 - 99.01 = 300.33  A = 304.32  B = 99.01
    # residual: 99.01 + 0.99 = 100
    got = engine.compute_schedule(1000, 12, 3, 1, "equal_principal", "advance", START, residual=100)
    assert [(r["principal"], r["interest"], r["amount"], r["balance"]) for r in got] == [
        (300.33, 0.0, 300.33, 699.67),
        (300.33, 7.0, 307.33, 399.34),
        (300.33, 3.99, 304.32, 99.01),
        (99.01, 0.99, 100.0, 0.0),
    ]


def test_quarterly_annuity_arrears():
    # F = 1000, 8 %/yr quarterly: r = 0.02, n = 2, from 2023-11-30.
    # PMT = 1000 * 0.02 / (1 - 1.02**-2) = 20 / 0.0388312... = 515.0495... -> 515.05
    # 1: I = 20.00  P = 495.05  B = 504.95
    # 2: I = 504.95 * 0.02 = 10.099 -> 10.10  P = 504.95  A = 515.05
    got = engine.compute_schedule(1000, 8, 2, 3, "annuity", "arrears", date(2023, 11, 30))
    assert got == [
        {
            "sequence": 1,
            "line_type": "installment",
            "due_date": date(2024, 2, 29),
            "principal": 495.05,
            "interest": 20.0,
            "amount": 515.05,
            "balance": 504.95,
        },
        {
            "sequence": 2,
            "line_type": "installment",
            "due_date": date(2024, 5, 30),
            "principal": 504.95,
            "interest": 10.1,
            "amount": 515.05,
            "balance": 0.0,
        },
    ]


def test_zero_rate():
    # PMT = 1000 / 3 = 333.33; the last instalment takes the remaining cent.
    got = engine.compute_schedule(1000, 0, 3, 1, "annuity", "arrears", START)
    assert [(r["principal"], r["interest"], r["amount"], r["balance"]) for r in got] == [
        (333.33, 0.0, 333.33, 666.67),
        (333.33, 0.0, 333.33, 333.34),
        (333.34, 0.0, 333.34, 0.0),
    ]
    # With a residual, in advance: T = R / (1 + 0) = R, no interest anywhere.
    got = engine.compute_schedule(1000, 0, 4, 1, "annuity", "advance", START, residual=200)
    assert [r["amount"] for r in got] == [200.0, 200.0, 200.0, 200.0, 200.0]
    assert all(r["interest"] == 0.0 for r in got)


def test_single_instalment():
    # Arrears: one period of interest; advance: paid on the start date, no interest.
    arrears = engine.compute_schedule(500, 12, 1, 1, "annuity", "arrears", START)
    assert [(r["principal"], r["interest"], r["amount"]) for r in arrears] == [(500.0, 5.0, 505.0)]
    advance = engine.compute_schedule(500, 12, 1, 1, "annuity", "advance", START)
    assert [(r["principal"], r["interest"], r["amount"]) for r in advance] == [(500.0, 0.0, 500.0)]
    assert advance[0]["due_date"] == START


def test_textbook_car_loan():
    # The standard example: 20,000 over 60 months at 6 % -> 386.66 a month.
    assert engine.level_installment(20000, 6, 60, 1, "arrears") == 386.66
    rows = engine.compute_schedule(20000, 6, 60, 1, "annuity", "arrears", START)
    assert {r["amount"] for r in rows[:-1]} == {386.66}
    # 1st month: 20000 * 0.005 = 100.00 interest, 286.66 principal.
    assert (rows[0]["interest"], rows[0]["principal"]) == (100.0, 286.66)


@pytest.mark.parametrize(
    "financed, rate, n, period, timing, residual",
    [
        (20000, 6, 60, 1, "arrears", 0),
        (20000, 6, 60, 1, "advance", 0),
        (35000, 4.9, 48, 1, "arrears", 12000),
        (35000, 4.9, 48, 1, "advance", 12000),
        (150000, 3.25, 40, 3, "arrears", 0),
        (1234.56, 19.99, 7, 6, "advance", 100),
        (999999.99, 100, 30, 12, "arrears", 0),
        (5000, 0, 12, 1, "arrears", 1000),
        (5000, 0, 12, 1, "advance", 0),
    ],
)
def test_level_installment_closed_form(financed, rate, n, period, timing, residual):
    """The level instalment is the closed-form annuity (tests/_oracles.py, exact Fractions)
    rounded half-up to the cent."""
    r = oracles.periodic_rate(rate, period)
    reference = float(oracles.half_up(oracles.annuity(financed, residual, r, n, timing == "advance")))
    assert engine.level_installment(financed, rate, n, period, timing, residual=residual) == reference
    rows = engine.compute_schedule(financed, rate, n, period, "annuity", timing, START, residual=residual)
    installments = [row for row in rows if row["line_type"] == "installment"]
    assert all(row["amount"] == reference for row in installments[:-1])
    if r == 0:
        assert all(row["interest"] == 0.0 for row in rows)
    elif timing == "arrears" and n > 1:
        # First row against numpy-financial's own split (not a call the engine makes), to the cent.
        fr = float(r)
        interest = -float(npf.ipmt(fr, 1, n, financed, -residual))
        principal = -float(npf.ppmt(fr, 1, n, financed, -residual))
        assert abs(rows[0]["interest"] - interest) <= 0.01
        assert abs(rows[0]["principal"] - principal) <= 0.01


def test_level_installment_textbook_figures():
    # Published figures: 200,000 over 15 years at 7.5 % a year, monthly: 1,854.02
    # (the numpy-financial documentation's example); 100,000 over 30 years at 6 %: 599.55
    # (the classic mortgage table figure).
    assert engine.level_installment(200000, 7.5, 180, 1, "arrears") == 1854.02
    assert engine.level_installment(100000, 6, 360, 1, "arrears") == 599.55


def test_totals():
    rows = engine.compute_schedule(1000, 12, 3, 1, "annuity", "advance", START, residual=100)
    # principal 303.98 + 297.02 + 299.99 + 99.01 = 1000.00
    # interest 0 + 6.96 + 3.99 + 0.99 = 11.94
    # amount 3 * 303.98 + 100 = 1011.94
    assert engine.schedule_totals(rows) == {
        "principal": 1000.0,
        "interest": 11.94,
        "amount": 1011.94,
    }
    assert engine.schedule_totals(rows, engine.round_half_up) == {
        "principal": 1000.0,
        "interest": 11.94,
        "amount": 1011.94,
    }
    assert engine.schedule_totals([]) == {
        "principal": 0.0,
        "interest": 0.0,
        "amount": 0.0,
    }


def test_periodic_rate():
    assert engine.periodic_rate(12, 1) == 0.01
    assert engine.periodic_rate(8, 3) == 0.02
    assert engine.periodic_rate(0, 12) == 0.0


@pytest.mark.parametrize(
    "value, expected",
    [
        (1.005, 1.01),
        (2.675, 2.68),
        (-1.005, -1.01),
        (-2.675, -2.68),
        (1.004999, 1.0),
        (0.125, 0.13),
        (1234567.885, 1234567.89),
        (0.0, 0.0),
        (-0.004, 0.0),
        (10.0, 10.0),
        (1e9 + 0.015, 1e9 + 0.02),
    ],
)
def test_default_rounding(value, expected):
    result = engine.round_half_up(value)
    assert result == expected
    assert str(result) == str(expected)  # no -0.0, no 1.0100000000000002


def test_make_rounding_other_precisions():
    jpy = engine.make_rounding(0)
    assert (jpy(2.5), jpy(-2.5), jpy(3.4999)) == (3.0, -3.0, 3.0)
    kwd = engine.make_rounding(3)
    assert (kwd(1.0005), kwd(2.0015), kwd(-1.0005)) == (1.001, 2.002, -1.001)
    with pytest.raises(ValueError):
        engine.make_rounding(-1)


def test_custom_rounding_callable():
    # Any float -> float callable works (here: to the whole unit, like JPY).
    def to_unit(x):
        return float(int(x + 0.5)) if x >= 0 else -float(int(-x + 0.5))

    rows = engine.compute_schedule(100000, 12, 3, 1, "annuity", "arrears", START, rounding=to_unit)
    # PMT = 100000 * 0.01 / (1 - 1.01**-3) = 34002.21 -> 34002
    # 1: I = 1000  P = 33002  B = 66998
    # 2: I = 669.98 -> 670  P = 33332  B = 33666
    # 3: I = 336.66 -> 337  P = 33666  A = 34003
    assert [(r["principal"], r["interest"], r["amount"], r["balance"]) for r in rows] == [
        (33002, 1000, 34002, 66998),
        (33332, 670, 34002, 33666),
        (33666, 337, 34003, 0),
    ]


def test_equal_principal_half_cent_rounds_up():
    # F = 1,000,000.00, R = 999,000.01, 6 %/yr monthly (r = 0.005), 2 instalments in arrears.
    # P = (F - R) / 2 = 999.99 / 2 = 499.995 exactly -> 500.00 (half-up; a float subtraction
    # gives 499.99499999999534 and the wrong 499.99).
    # 1: I = 1,000,000.00 * 0.005 = 5,000.00  P = 500.00  A = 5,500.00  B = 999,500.00
    # 2: I = 999,500.00 * 0.005 = 4,997.50  P = 999,500.00 - 999,000.01 = 499.99  A = 5,497.49
    # residual 999,000.01 on the same day.
    expected = rows_of(
        [
            (500.0, 5000.0, 5500.0, 999500.0),
            (499.99, 4997.5, 5497.49, 999000.01),
            (999000.01, 0.0, 999000.01, 0.0),
        ],
        ARREARS_DATES[:2] + [date(2024, 3, 31)],
        residual_date=date(2024, 3, 31),
    )
    args = (1000000, 6, 2, 1, "equal_principal", "arrears", START)
    assert engine.compute_schedule(*args, residual=999000.01) == expected
    # The same figures through a rounding callable that is not the engine's (generic path).
    assert engine.compute_schedule(*args, residual=999000.01, rounding=lambda x: engine.round_half_up(x)) == expected


def test_zero_rate_annuity_half_cent_rounds_up():
    # At 0 % the level is (F - R) / n = (1,000,000.00 - 999,000.01) / 2 = 499.995 -> 500.00.
    assert engine.level_installment(1000000, 0, 2, 1, "arrears", residual=999000.01) == 500.0
    rows = engine.compute_schedule(1000000, 0, 2, 1, "annuity", "arrears", START, residual=999000.01)
    assert [row["principal"] for row in rows] == [500.0, 499.99, 999000.01]


def test_one_period_annuity_tie():
    # 1,000.00 at 1.074 %/yr, one month: A = 1,000 * (1 + 0.01074 / 12) = 1,000 * 1.000895
    # = 1,000.895 exactly -> 1,000.90 (numpy-financial's float pmt gives 1,000.8949999998994).
    assert engine.level_installment(1000, 1.074, 1, 1, "arrears") == 1000.9
    # In advance: A = 1,000.895 / 1.000895 = 1,000.00 exactly.
    assert engine.level_installment(1000, 1.074, 1, 1, "advance") == 1000.0


def test_advance_target_is_exact():
    # In advance T = R / (1 + r). At 100 %/yr, yearly (r = 1): T = 100.01 / 2 = 50.005 -> 50.01,
    # so the residual line carries 100.01 - 50.01 = 50.00 of interest.
    rows = engine.compute_schedule(1000, 100, 2, 12, "interest_only", "advance", START, residual=100.01)
    assert (rows[-1]["principal"], rows[-1]["interest"], rows[-1]["amount"]) == (50.01, 50.0, 100.01)
    # 6 %/yr monthly (r = 0.005): 100.50 / 1.005 = 100.00 exactly.
    rows = engine.compute_schedule(2000, 6, 2, 1, "interest_only", "advance", START, residual=100.5)
    assert (rows[-1]["principal"], rows[-1]["interest"]) == (100.0, 0.5)


def test_rounding_step_of_five_cents():
    """A currency rounded to 0.05 (a callable that is not make_rounding's: the generic path)."""
    from decimal import ROUND_HALF_UP, Decimal

    def nickel(x):
        return float((Decimal(repr(x)) / Decimal("0.05")).quantize(Decimal(1), ROUND_HALF_UP) * Decimal("0.05"))

    # F = 1,000, 12 %/yr monthly, 3 instalments in arrears.
    # PMT = 340.0221... -> 340.00 (6,800.44 steps of 0.05 -> 6,800)
    # 1: I = 10.00  P = 330.00  B = 670.00
    # 2: I = 6.70  P = 333.30  B = 336.70
    # 3: I = 3.367 -> 3.35 (67.34 steps -> 67)  P = 336.70  A = 340.05  B = 0
    rows = engine.compute_schedule(1000, 12, 3, 1, "annuity", "arrears", START, rounding=nickel)
    assert [(r["principal"], r["interest"], r["amount"], r["balance"]) for r in rows] == [
        (330.0, 10.0, 340.0, 670.0),
        (333.3, 6.7, 340.0, 336.7),
        (336.7, 3.35, 340.05, 0.0),
    ]
    # Equal principal, 0 %: (1,000.00 - 0.05) / 2 = 499.975 = 9,999.5 steps -> 500.00 (half-up).
    rows = engine.compute_schedule(1000, 0, 2, 1, "equal_principal", "arrears", START, residual=0.05, rounding=nickel)
    assert [r["principal"] for r in rows] == [500.0, 499.95, 0.05]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"term": 0},
        {"term": -3},
        {"term": 2.5},
        {"annual_rate": -0.01},
        {"annual_rate": 100.01},
        {"annual_rate": float("nan")},
        {"period_months": 2},
        {"period_months": 0},
        {"financed": 0},
        {"financed": -100},
        {"financed": 0.004},  # rounds to 0
        {"residual": -1},
        {"residual": 1000},
        {"residual": 1500},
        {"method": "balloon"},
        {"timing": "middle"},
        {"start_date": "2024-01-31"},
    ],
)
def test_invalid_input_raises_value_error(kwargs):
    args = {
        "financed": 1000,
        "annual_rate": 12,
        "term": 3,
        "period_months": 1,
        "method": "annuity",
        "timing": "arrears",
        "start_date": START,
        "residual": 0.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):
        engine.compute_schedule(**args)


def test_level_installment_validates():
    with pytest.raises(ValueError):
        engine.level_installment(1000, 12, 0, 1, "arrears")
    with pytest.raises(ValueError):
        engine.level_installment(1000, 12, 3, 1, "sometimes")
    with pytest.raises(ValueError):
        engine.periodic_rate(12, 5)
