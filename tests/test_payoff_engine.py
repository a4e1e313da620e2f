"""Early payoff quotes, worked out by hand.

Every expected figure is computed in the comments (half-up to the cent), never with the code
under test. Interest accrues by actual days over a 365-day year unless said otherwise.
"""

import importlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests._engine import engine

payoff = importlib.import_module(f"{engine.__name__}.payoff")
ROUND = engine.make_rounding(2)


def quote(**overrides):
    args = {
        "outstanding_principal": 10000.0,
        "annual_rate": 12.0,
        "accrual_start": date(2024, 3, 31),
        "payoff_date": date(2024, 4, 15),
        "fee_pct": 2.0,
        "unpaid_invoices": 340.02,
        "deposit_held": 500.0,
        "rounding": ROUND,
    }
    args.update(overrides)
    return payoff.payoff_quote(**args)


def test_every_component():
    # Principal 10,000.00 at 12 %, last instalment invoiced due 2024-03-31, payoff 2024-04-15:
    #   days     = 15 (April 1..15)
    #   interest = 10,000.00 x 0.12 x 15 / 365 = 18,000 / 365 = 49.3150... -> 49.32
    #   fee      = 10,000.00 x 2 % = 200.00
    #   unpaid   = 340.02, deposit held 500.00 (all of it applied: less than what is owed)
    #   total    = 10,000.00 + 49.32 + 200.00 + 340.02 - 500.00 = 10,089.34
    assert quote() == {
        "principal": 10000.0,
        "days": 15,
        "interest": 49.32,
        "fee": 200.0,
        "penalty": 0.0,
        "unpaid_invoices": 340.02,
        "taxes": 0.0,
        "deposit": 500.0,
        "deposit_remaining": 0.0,
        "total": 10089.34,
    }


def test_zero_rate():
    # 5,000.00 at 0 %, 30 days (2024-03-31 -> 2024-04-30): no interest.
    #   fee = 5,000.00 x 3 % = 150.00; total = 5,000.00 + 150.00 = 5,150.00
    got = quote(
        outstanding_principal=5000.0,
        annual_rate=0.0,
        payoff_date=date(2024, 4, 30),
        fee_pct=3.0,
        unpaid_invoices=0.0,
        deposit_held=0.0,
    )
    assert (got["days"], got["interest"], got["fee"], got["total"]) == (30, 0.0, 150.0, 5150.0)


def test_payoff_on_a_due_date():
    # Paid off on the day the last invoiced instalment fell due: 0 days, no interest.
    #   total = 10,000.00 + 0 + 200.00 + 340.02 - 500.00 = 10,040.02
    got = quote(payoff_date=date(2024, 3, 31))
    assert (got["days"], got["interest"], got["total"]) == (0, 0.0, 10040.02)


def test_payoff_before_the_last_invoiced_due_date_accrues_nothing():
    # An instalment invoiced ahead (due 2024-03-31) already carries its interest to that date.
    got = quote(payoff_date=date(2024, 3, 25))
    assert (got["days"], got["interest"]) == (0, 0.0)


def test_deposit_larger_than_the_rest():
    # 300.00 at 10 %, 2024-01-31 -> 2024-02-10 = 10 days:
    #   interest = 300.00 x 0.10 x 10 / 365 = 300 / 365 = 0.8219... -> 0.82
    #   fee      = 300.00 x 1 % = 3.00
    #   owed     = 300.00 + 0.82 + 3.00 + 0 = 303.82; deposit held 1,000.00
    #   applied  = 303.82, back to the lessee 1,000.00 - 303.82 = 696.18, total 0.00
    got = quote(
        outstanding_principal=300.0,
        annual_rate=10.0,
        accrual_start=date(2024, 1, 31),
        payoff_date=date(2024, 2, 10),
        fee_pct=1.0,
        unpaid_invoices=0.0,
        deposit_held=1000.0,
    )
    assert got == {
        "principal": 300.0,
        "days": 10,
        "interest": 0.82,
        "fee": 3.0,
        "penalty": 0.0,
        "unpaid_invoices": 0.0,
        "taxes": 0.0,
        "deposit": 303.82,
        "deposit_remaining": 696.18,
        "total": 0.0,
    }


def test_deposit_covers_unpaid_invoices_too():
    # 100.00 at 0 %, no fee, unpaid 250.00, deposit 300.00:
    #   owed = 100.00 + 250.00 = 350.00, applied 300.00, total 50.00, nothing back
    got = quote(outstanding_principal=100.0, annual_rate=0.0, fee_pct=0.0, unpaid_invoices=250.0, deposit_held=300.0)
    assert (got["deposit"], got["deposit_remaining"], got["total"]) == (300.0, 0.0, 50.0)


def test_actual_days_across_a_leap_february():
    # 2024-02-01 -> 2024-03-01 = 29 days (2024 is a leap year).
    #   interest = 7,300.00 x 0.05 x 29 / 365 = 365 x 29 / 365 = 29.00
    got = quote(
        outstanding_principal=7300.0,
        annual_rate=5.0,
        accrual_start=date(2024, 2, 1),
        payoff_date=date(2024, 3, 1),
    )
    assert (got["days"], got["interest"]) == (29, 29.0)


def test_day_count_360():
    # 10,000.00 x 0.06 x 30 / 360 = 50.00 (2024-04-30 -> 2024-05-30 = 30 days)
    got = quote(
        annual_rate=6.0,
        accrual_start=date(2024, 4, 30),
        payoff_date=date(2024, 5, 30),
        day_count=360,
    )
    assert got["interest"] == 50.0


def test_interest_rounds_half_up():
    # A tie: 1,000.00 x 0.1825 % x 1 / 365 = 1.825 / 365 = 0.005 exactly -> 0.01 (half up, not to even).
    got = quote(
        outstanding_principal=1000.0,
        annual_rate=0.1825,
        accrual_start=date(2024, 3, 31),
        payoff_date=date(2024, 4, 1),
        fee_pct=0.0,
        unpaid_invoices=0.0,
        deposit_held=0.0,
    )
    assert (got["interest"], got["total"]) == (0.01, 1000.01)


def test_taxes_are_added_and_the_parts_make_the_total():
    # The caller's taxes (say 15 % on the fee of 200.00 = 30.00) join the total:
    #   10,000.00 + 49.32 + 200.00 + 340.02 + 30.00 - 500.00 = 10,119.34
    got = quote(taxes=30.0)
    assert got["total"] == 10119.34
    parts = got["principal"] + got["interest"] + got["fee"] + got["unpaid_invoices"] + got["taxes"] - got["deposit"]
    assert ROUND(parts) == got["total"]


def test_penalty_interest_joins_the_total():
    # Penalty interest of the late instalments, not yet invoiced (say 48.50), is its own part:
    #   10,000.00 + 49.32 + 200.00 + 48.50 + 340.02 - 500.00 = 10,137.84
    got = quote(penalty=48.5)
    assert (got["penalty"], got["total"]) == (48.5, 10137.84)
    # A deposit larger than everything owed covers the penalty too: 10,637.84 owed, 20,000.00 held.
    got = quote(penalty=48.5, deposit_held=20000.0)
    assert (got["deposit"], got["deposit_remaining"], got["total"]) == (10637.84, 9362.16, 0.0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"penalty": -0.01},
        {"outstanding_principal": -1.0},
        {"unpaid_invoices": -0.01},
        {"deposit_held": -5.0},
        {"annual_rate": -1.0},
        {"annual_rate": 100.5},
        {"fee_pct": 101.0},
        {"day_count": 0},
    ],
)
def test_invalid_inputs(overrides):
    with pytest.raises(ValueError):
        quote(**overrides)


# ---------------------------------------------------------------------------
# accrued_interest: principal x rate / 100 x days / day_count, exact, half-up once
# ---------------------------------------------------------------------------
def test_accrued_interest_by_days():
    # 50,000.00 at 12 % for 27 days (2024-03-01 -> 2024-03-28):
    #   50,000 x 0.12 x 27 / 365 = 162,000 / 365 = 443.8356... -> 443.84
    assert engine.accrued_interest(50000, 12, date(2024, 3, 1), date(2024, 3, 28)) == 443.84
    # The same over a 360-day year: 162,000 / 360 = 450.00.
    assert engine.accrued_interest(50000, 12, date(2024, 3, 1), date(2024, 3, 28), day_count=360) == 450.0
    # In whole units (digits=0): 443.8356 -> 444.
    assert engine.accrued_interest(50000, 12, date(2024, 3, 1), date(2024, 3, 28), digits=0) == 444.0


def test_accrued_interest_nothing_before_the_start():
    assert engine.accrued_interest(50000, 12, date(2024, 3, 28), date(2024, 3, 28)) == 0.0
    assert engine.accrued_interest(50000, 12, date(2024, 3, 28), date(2024, 3, 1)) == 0.0


def test_accrued_interest_ties_round_half_up():
    # 1,000.00 x 0.1825 % x 1 / 365 = 0.005 exactly -> 0.01.
    assert engine.accrued_interest(1000, 0.1825, date(2024, 3, 31), date(2024, 4, 1)) == 0.01
    # 7,300.10 x 5 % x 1 / 365 = 365.005 / 365 = 1.00001... -> 1.00; and 3 days of
    # 14,600.30 at 1 %: 438.009 / 365 = 1.2000246... -> 1.20
    assert engine.accrued_interest(7300.10, 5, date(2024, 1, 1), date(2024, 1, 2)) == 1.0
    assert engine.accrued_interest(14600.30, 1, date(2024, 1, 1), date(2024, 1, 4)) == 1.2
    # 36,500.00 x 1.5 % x 1 / 365 = 1.50; x 0.01 % x 1 / 365 = 0.01 exactly; 0.005 % = 0.005 -> 0.01
    assert engine.accrued_interest(36500, 1.5, date(2024, 1, 1), date(2024, 1, 2)) == 1.5
    assert engine.accrued_interest(36500, 0.005, date(2024, 1, 1), date(2024, 1, 2)) == 0.01


def test_accrued_interest_generic_rounding():
    # A currency rounded by another callable: 443.8356... to the nearest 0.05 is 443.85.
    def nickel(x):
        return float((Decimal(repr(x)) / Decimal("0.05")).quantize(Decimal(1), ROUND_HALF_UP) * Decimal("0.05"))

    assert engine.accrued_interest(50000, 12, date(2024, 3, 1), date(2024, 3, 28), nickel) == 443.85


@pytest.mark.parametrize(
    "args",
    [
        (-1, 12, date(2024, 1, 1), date(2024, 2, 1)),
        (1e12, 12, date(2024, 1, 1), date(2024, 2, 1)),
        (100, 101, date(2024, 1, 1), date(2024, 2, 1)),
        (100, 12, "2024-01-01", date(2024, 2, 1)),
        (100, 12, date(2024, 1, 1), date(9999, 12, 31)),
    ],
)
def test_accrued_interest_invalid(args):
    with pytest.raises(ValueError):
        engine.accrued_interest(*args)


def test_payoff_quote_uses_accrued_interest():
    # 50,000.00 at 12 %, last due 2024-03-01, paid off 2024-03-28: 27 days, 443.84 of interest.
    got = quote(
        outstanding_principal=50000.0,
        accrual_start=date(2024, 3, 1),
        payoff_date=date(2024, 3, 28),
        fee_pct=0.0,
        unpaid_invoices=0.0,
        deposit_held=0.0,
    )
    assert (got["days"], got["interest"], got["total"]) == (27, 443.84, 50443.84)
    # The fee is exact too: 1,000.50 x 1.5 % = 15.0075 -> 15.01.
    got = quote(outstanding_principal=1000.5, fee_pct=1.5, annual_rate=0.0, unpaid_invoices=0.0, deposit_held=0.0)
    assert (got["fee"], got["total"]) == (15.01, 1015.51)
