"""The portfolio reports' rules (leasing_collections/tools/portfolio.py): outstanding principal,
days past due at a date, PAR 30/60/90, month ends and roll rates. Every expected figure is worked
out by hand in the comments."""

from datetime import date
from fractions import Fraction

import pytest

from tests._collections_engine import collections_engine as engine

Lease, Line = engine.Lease, engine.PrincipalLine


def _portfolio():
    """Three leases of the hand-worked examples below (principal of 10,000.00 over three months:
    3,300.22, 3,333.22 and 3,366.56, due at the end of February, March and April 2026).

    * A: started 2026-01-31; the first rent repaid early (Feb 27), nothing since (all billed);
    * B: started 2026-01-31; the first two rents repaid together on April 10, the third not
      billed yet;
    * C: starts 2026-05-15; one rent of 5,000.00 due June 15, not billed.
    """
    lease_a = Lease(
        "A",
        date(2026, 1, 31),
        (
            Line(date(2026, 2, 28), 3300.22, True, date(2026, 2, 27)),
            Line(date(2026, 3, 31), 3333.22, True, None),
            Line(date(2026, 4, 30), 3366.56, True, None),
        ),
    )
    lease_b = Lease(
        "B",
        date(2026, 1, 31),
        (
            Line(date(2026, 2, 28), 3300.22, True, date(2026, 4, 10)),
            Line(date(2026, 3, 31), 3333.22, True, date(2026, 4, 10)),
            Line(date(2026, 4, 30), 3366.56, False, None),
        ),
    )
    lease_c = Lease("C", date(2026, 5, 15), (Line(date(2026, 6, 15), 5000.00, False, None),))
    return lease_a, lease_b, lease_c


def test_outstanding_principal_drops_on_the_day_an_instalment_is_repaid():
    lease_a, lease_b, lease_c = _portfolio()
    # A: all 10,000.00 until Feb 26; the first rent repaid at the end of Feb 27.
    assert engine.outstanding_principal(lease_a, date(2026, 2, 26)) == Fraction("10000.00")
    assert engine.outstanding_principal(lease_a, date(2026, 2, 27)) == Fraction("6699.78")
    # B: 10,000.00 until April 9, 3,366.56 from April 10 (3,300.22 + 3,333.22 repaid).
    assert engine.outstanding_principal(lease_b, date(2026, 4, 9)) == Fraction("10000.00")
    assert engine.outstanding_principal(lease_b, date(2026, 4, 10)) == Fraction("3366.56")
    # C has not started on May 14.
    assert engine.outstanding_principal(lease_c, date(2026, 5, 14)) == 0
    assert engine.outstanding_principal(lease_c, date(2026, 5, 15)) == Fraction("5000.00")


def test_days_past_due_at_a_date():
    lease_a, lease_b, lease_c = _portfolio()
    # A: the rent due March 31 is not past due on March 31; 30 days on April 30 (the April
    # rent is not yet past due that day), 61 on May 31.
    assert engine.lease_days_past_due(lease_a, date(2026, 3, 31)) == 0
    assert engine.lease_days_past_due(lease_a, date(2026, 4, 30)) == 30
    assert engine.lease_days_past_due(lease_a, date(2026, 5, 31)) == 61
    # B: the February rent is 31 days past due on March 31, 40 on April 9; repaid April 10.
    assert engine.lease_days_past_due(lease_b, date(2026, 3, 31)) == 31
    assert engine.lease_days_past_due(lease_b, date(2026, 4, 9)) == 40
    assert engine.lease_days_past_due(lease_b, date(2026, 4, 10)) == 0
    # An instalment not billed is never past due: B's April rent on May 31, C on July 1.
    assert engine.lease_days_past_due(lease_b, date(2026, 5, 31)) == 0
    assert engine.lease_days_past_due(lease_c, date(2026, 7, 1)) == 0


def test_portfolio_at_risk_at_the_end_of_march():
    """March 31: A owes 6,699.78, current (its March rent falls due that day); B owes
    10,000.00, 31 days past due; C has not started. Outstanding 16,699.78; PAR 30 = 10,000.00,
    10,000.00 / 16,699.78 = 500,000 / 834,989 (59.88 %); PAR 60 and 90 nothing."""
    par = engine.portfolio_at_risk(_portfolio(), date(2026, 3, 31))
    assert par.outstanding == Fraction("16699.78")
    assert par.amounts == {30: Fraction("10000.00"), 60: 0, 90: 0}
    assert par.counts == {30: 1, 60: 0, 90: 0}
    assert par.ratios[30] == Fraction(500000, 834989)
    assert float(round(par.ratios[30] * 100, 2)) == 59.88
    assert par.ratios[60] == par.ratios[90] == 0


def test_portfolio_at_risk_at_the_end_of_may():
    """May 31: A owes 6,699.78, 61 days past due (its March rent); B owes 3,366.56 (not billed:
    current); C owes 5,000.00. Outstanding 15,066.34; PAR 30 = PAR 60 = 6,699.78 (44.47 %),
    PAR 90 nothing. A lease more than 60 days past due is also more than 30."""
    par = engine.portfolio_at_risk(_portfolio(), date(2026, 5, 31))
    assert par.outstanding == Fraction("15066.34")
    assert par.amounts == {30: Fraction("6699.78"), 60: Fraction("6699.78"), 90: 0}
    assert par.counts == {30: 1, 60: 1, 90: 0}
    assert par.ratios[30] == par.ratios[60] == Fraction(669978, 1506634)
    assert float(round(par.ratios[60] * 100, 2)) == 44.47


def test_portfolio_at_risk_of_nothing():
    par = engine.portfolio_at_risk([], date(2026, 5, 31))
    assert par.outstanding == 0 and par.ratios == {30: 0, 60: 0, 90: 0}


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # The month under way stops at the last day of the figures.
        (
            date(2026, 1, 31),
            date(2026, 4, 10),
            [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 10)],
        ),
        # A leap February; a first day in the middle of its month.
        (date(2024, 1, 15), date(2024, 3, 31), [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]),
        # Across a year end.
        (date(2025, 12, 1), date(2026, 1, 31), [date(2025, 12, 31), date(2026, 1, 31)]),
        (date(2026, 5, 1), date(2026, 5, 1), [date(2026, 5, 1)]),
        (date(2026, 5, 2), date(2026, 5, 1), []),
    ],
)
def test_month_ends(first, last, expected):
    assert engine.month_ends(first, last) == expected


def test_bucket_on_a_day_from_the_history():
    changes = [
        (date(2026, 3, 1), "1-30"),
        (date(2026, 3, 31), "31-60"),
        (date(2026, 4, 10), "current"),
        # The close run again the same day after a payment was undone: the later row holds.
        (date(2026, 4, 10), "31-60"),
    ]
    assert engine.bucket_on(changes, date(2026, 2, 28), "current") == "current"
    assert engine.bucket_on(changes, date(2026, 3, 1), "current") == "1-30"
    assert engine.bucket_on(changes, date(2026, 3, 30), "current") == "1-30"
    assert engine.bucket_on(changes, date(2026, 3, 31), "current") == "31-60"
    assert engine.bucket_on(changes, date(2026, 4, 10), "current") == "31-60"
    assert engine.bucket_on([], date(2026, 4, 10), "current") == "current"


def test_roll_rates():
    """Five leases at the end of March, five at the end of April, four of them in both (e was
    paid off in April, f started in April: neither counts). Of the two leases in 1-30 days, one
    rolled to 31-60 and one cured: 50 % each; the lease in 31-60 stayed there."""
    before = {"a": "current", "b": "1-30", "c": "1-30", "d": "31-60", "e": "current"}
    after = {"a": "current", "b": "31-60", "c": "current", "d": "31-60", "f": "current"}
    rates = engine.roll_rates(before, after)
    assert rates.counts == {
        ("current", "current"): 1,
        ("1-30", "31-60"): 1,
        ("1-30", "current"): 1,
        ("31-60", "31-60"): 1,
    }
    assert rates.totals == {"current": 1, "1-30": 2, "31-60": 1}
    assert rates.shares == {
        ("current", "current"): 1,
        ("1-30", "31-60"): Fraction(1, 2),
        ("1-30", "current"): Fraction(1, 2),
        ("31-60", "31-60"): 1,
    }
    # Each bucket's shares add up to the whole.
    for bucket in rates.totals:
        assert sum(share for (bucket_from, _to), share in rates.shares.items() if bucket_from == bucket) == 1
