"""Bounds of the engine's inputs (tools/limits.py): refused up front with a plain message."""

from datetime import date

import pytest

from tests._engine import engine

START = date(2024, 1, 31)


def test_the_limits_are_exported():
    assert engine.MAX_TERM == 600
    assert engine.MAX_MONTHS == 600
    assert engine.MAX_AMOUNT == 1e12
    assert engine.MIN_DATE.isoformat() == "1900-01-01"
    assert engine.MAX_DATE.isoformat() == "2199-12-31"


@pytest.mark.parametrize("term, period", [(600, 1), (200, 3), (100, 6), (50, 12)])
def test_longest_terms_are_accepted(term, period):
    rows = engine.compute_schedule(1e6, 5, term, period, "annuity", "arrears", START)
    assert len(rows) == term
    assert engine.level_installment(1e6, 5, term, period, "advance") > 0


@pytest.mark.parametrize("term, period", [(601, 1), (201, 3), (101, 6), (51, 12), (6000, 1)])
def test_longer_terms_are_refused(term, period):
    with pytest.raises(ValueError, match="600"):
        engine.compute_schedule(1e6, 5, term, period, "annuity", "arrears", START)
    with pytest.raises(ValueError, match="600"):
        engine.level_installment(1e6, 5, term, period, "arrears")
    with pytest.raises(ValueError, match="600"):
        engine.quote(1e6, 0, 5, term, period, "annuity", "arrears", START)


def test_amounts_below_a_trillion():
    engine.compute_schedule(999999999999.99, 5, 12, 1, "annuity", "arrears", START, residual=999999999.99)
    for kwargs in [{"financed": 1e12}, {"financed": float("inf")}, {"residual": 1e12}, {"financed": -1e13}]:
        args = {"financed": 1000, "residual": 0}
        args.update(kwargs)
        with pytest.raises(ValueError):
            engine.compute_schedule(args["financed"], 5, 12, 1, "annuity", "arrears", START, args["residual"])
    for kwargs in [{"price": 1e12}, {"down_payment": 1e12}, {"financed_fees": 2e12}, {"upfront_fees": 1e12}]:
        args = {"price": 1000, "down_payment": 0, "financed_fees": 0, "upfront_fees": 0}
        args.update(kwargs)
        with pytest.raises(ValueError):
            engine.quote(
                args["price"],
                args["down_payment"],
                5,
                12,
                1,
                "annuity",
                "arrears",
                START,
                financed_fees=args["financed_fees"],
                upfront_fees=args["upfront_fees"],
            )


def test_dates_the_calendar_holds():
    # A start in 9999 used to fail deep inside date() ("year 10000 is out of range").
    with pytest.raises(ValueError, match="start date must lie between 1900-01-01 and 2199-12-31"):
        engine.compute_schedule(1000, 5, 12, 1, "annuity", "arrears", date(9999, 6, 30))
    with pytest.raises(ValueError, match="start date"):
        engine.compute_schedule(1000, 5, 12, 1, "annuity", "arrears", date(1899, 12, 31))
    # The last start accepted, with the longest term: due dates up to 2249.
    rows = engine.compute_schedule(1000, 5, 600, 1, "annuity", "arrears", date(2199, 12, 31))
    assert rows[-1]["due_date"] == date(2249, 12, 31)
    with pytest.raises(ValueError, match="start date"):
        engine.quote(1000, 0, 5, 12, 1, "annuity", "arrears", date(9999, 1, 1))
    # A datetime is checked as its date (comparing it with a date would raise TypeError).
    from datetime import datetime

    with pytest.raises(ValueError, match="start date"):
        engine.compute_schedule(1000, 5, 12, 1, "annuity", "arrears", datetime(9999, 1, 1, 12))
    assert engine.accrued_interest(36500, 1, datetime(2024, 1, 1), datetime(2024, 1, 3)) == 2.0


def test_reschedule_bounds():
    reschedule_args = (1000.0, 5.0, 10, 1, "annuity", "arrears", START)
    engine.lower_installment(*reschedule_args, 590)  # 590 kept + 10 = 600
    with pytest.raises(ValueError, match="600"):
        engine.lower_installment(*reschedule_args, 591)
    with pytest.raises(ValueError, match="600"):
        engine.lower_installment(1000.0, 5.0, 10, 12, "annuity", "arrears", START, 41)  # 51 years
    with pytest.raises(ValueError, match="600"):
        engine.extend_balloon(1000.0, 5.0, 2, 1, "arrears", START, 599)
    with pytest.raises(ValueError):
        engine.lower_installment(1e12, 5.0, 10, 1, "annuity", "arrears", START, 2)
    with pytest.raises(ValueError, match="start date"):
        engine.lower_installment(1000.0, 5.0, 10, 1, "annuity", "arrears", date(9999, 1, 31), 2)
    # Keeping a tiny level would need thousands of periods: refused, not computed.
    with pytest.raises(ValueError, match="600"):
        engine.shorter_term(100000.0, 0.0, 1.0, 1, "annuity", "arrears", START, 2)
    with pytest.raises(ValueError, match="600"):
        engine.shorter_term(100000.0, 0.0, 1.0, 1, "equal_principal", "arrears", START, 2)
    with pytest.raises(ValueError, match="600"):
        engine.shorter_term(100000.0, 1.0, 90.0, 1, "annuity", "arrears", START, 2)
    # ... unless bounded by max_periods: the last instalment absorbs the rest.
    rows = engine.shorter_term(100000.0, 0.0, 1.0, 1, "equal_principal", "arrears", START, 2, max_periods=3)
    assert [row["principal"] for row in rows] == [1.0, 1.0, 99998.0]


def test_payoff_bounds():
    args = {
        "outstanding_principal": 1000.0,
        "annual_rate": 5.0,
        "accrual_start": date(2024, 1, 31),
        "payoff_date": date(2024, 2, 15),
        "fee_pct": 1.0,
        "unpaid_invoices": 0.0,
        "deposit_held": 0.0,
        "rounding": engine.round_half_up,
    }
    engine.payoff_quote(**args)
    for override in [
        {"payoff_date": date(9999, 12, 31)},
        {"payoff_date": date(1899, 1, 1)},
        {"accrual_start": date(1000, 1, 1)},
        {"outstanding_principal": 1e12},
        {"deposit_held": float("nan")},
        {"unpaid_invoices": 1e15},
    ]:
        with pytest.raises(ValueError):
            engine.payoff_quote(**dict(args, **override))
