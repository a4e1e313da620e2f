"""The close's integer path (leasing_collections/tools/close.py): a lease's figures worked in
whole cents. Figures worked by hand in the comments; and, on random leases, the same figures
as the engine's exact functions, one instalment at a time (penalty.py, aging.py), which
tests/test_collections_engine.py checks against day-by-day oracles."""

import importlib
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._collections_engine import collections_engine as engine

# The integer path is a module of the engine's package of its own (the models import it).
close = importlib.import_module(f"{engine.__name__}.close")

Bucket, Instalment = engine.Bucket, engine.Instalment
BUCKETS = [
    Bucket("current", 0, 0),
    Bucket("1-30", 1, 30),
    Bucket("31-60", 31, 60),
    Bucket("61-90", 61, 90),
    Bucket("91-180", 91, 180),
    Bucket("over 180", 181, None),
]


def unit_instalment(key, due_date, amount, payments):
    return close.UnitInstalment(key, due_date, amount, tuple(sorted(payments, key=lambda payment: payment[0])))


def test_to_units():
    assert close.to_units(7795.71) == 779571
    assert close.to_units(0.1) == 10
    assert close.to_units(-2.5) == -250
    assert close.to_units(1.005) is None  # a tenth of a cent
    assert close.to_units(0.1 + 0.2) is None  # 0.30000000000000004, as exact() reads it
    assert close.to_units(1.005, digits=3) == 1005
    assert close.to_units(12, digits=0) == 12
    assert close.to_units(Decimal("3.10")) == 310
    assert close.to_units(Fraction(1, 3)) is None
    assert close.to_units(12345678901.23) == 1234567890123  # past the float shortcut: exactly


def test_terms_refused_as_the_penalty_refuses_them():
    with pytest.raises(ValueError, match="rate"):
        close.penalty_terms(-0.01)
    with pytest.raises(ValueError, match="grace days"):
        close.penalty_terms(0.05, grace_days=1.5)
    with pytest.raises(ValueError, match="cap"):
        close.penalty_terms(0.05, cap_pct=120)
    assert close.penalty_terms(0.05, 3, 2) == close.PenaltyTerms(1, 20, 3, 2, 1)


def test_hand_worked_lease():
    """A lease on 2026-04-15, 0.05 % a day, 3 grace days, cap 1.2 %, two instalments.

    A: 7,795.71 due 2026-02-28, 2,000.00 paid on March 5 and 3,000.00 on March 20 (the issue's
    case): 193,602.66 x 0.0005 = 96.80133, above the cap of 7,795.71 x 1.2 % = 93.54852 -> 93.55;
    2,795.71 unpaid, 46 days past due.
    B: 500.00 due 2026-03-31, 500.00 paid on April 2, within the grace: no penalty, paid.
    The lease: 46 days past due, 2,795.71 overdue. Closed last on 2026-04-13 in 31-60 (its
    days past due reached 31 on March 31): no change of bucket since."""
    terms = close.penalty_terms(0.05, 3, 1.2)
    a = unit_instalment("A", date(2026, 2, 28), 779571, [(date(2026, 3, 20), 300000), (date(2026, 3, 5), 200000)])
    b = unit_instalment("B", date(2026, 3, 31), 50000, [(date(2026, 4, 2), 50000)])
    figures = close.lease_figures([a, b], date(2026, 4, 15), terms, BUCKETS, "31-60", date(2026, 4, 13))
    assert figures.lines == [("A", 46, 9355), ("B", 0, 0)]
    assert (figures.days_past_due, figures.amount_overdue, figures.changes) == (46, 279571, [])
    # Without the cap: 96.80. Two more days without a close, from 2026-03-25: one change, on
    # March 31 (A 31 days past due), with 2,795.71 overdue.
    terms = close.penalty_terms(0.05, 3)
    figures = close.lease_figures([a, b], date(2026, 4, 15), terms, BUCKETS, "1-30", date(2026, 3, 25))
    assert figures.lines == [("A", 46, 9680), ("B", 0, 0)]
    assert [tuple(change) for change in figures.changes] == [(date(2026, 3, 31), "1-30", "31-60", 31, 279571)]


def test_payment_after_the_close_date_is_not_known_yet():
    """100.00 due 2026-01-31, paid on 2026-03-10, closed on 2026-03-01 at 1 % a day: 29 days
    (February 1 to March 1) x 1.00 = 29.00, 29 days past due."""
    terms = close.penalty_terms(1)
    line = unit_instalment(1, date(2026, 1, 31), 10000, [(date(2026, 3, 10), 10000)])
    figures = close.lease_figures([line], date(2026, 3, 1), terms, BUCKETS, "1-30", date(2026, 2, 28))
    assert figures.lines == [(1, 29, 2900)]
    assert (figures.days_past_due, figures.amount_overdue) == (29, 10000)


CENTS = st.integers(min_value=0, max_value=10**8)


@settings(max_examples=300, deadline=None)
@given(
    dues=st.lists(st.tuples(st.integers(0, 200), CENTS), min_size=0, max_size=5),
    payments=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 300), CENTS), max_size=8),
    rate=st.sampled_from([0.0, 0.01, 0.03, 0.05, 0.0333, 0.1, 1.0]),
    grace=st.integers(0, 15),
    cap=st.sampled_from([0, 0.5, 1.2, 5, 12.5, 100]),
    since=st.one_of(st.none(), st.integers(0, 300)),
    span=st.integers(0, 120),
    before=st.sampled_from([bucket.key for bucket in BUCKETS]),
)
def test_lease_figures_equal_the_exact_functions(dues, payments, rate, grace, cap, since, span, before):
    """The integer path gives, to the cent, what the exact functions give one instalment at a
    time, rounded half-up once, as the close rounds them."""
    start = date(2026, 1, 1)
    since_day = start + timedelta(days=since) if since is not None else None
    as_of = (since_day or start) + timedelta(days=span)
    exact_instalments, unit_instalments = [], []
    for key, (due, amount) in enumerate(dues):
        paid = [(start + timedelta(days=day), value) for index, day, value in payments if index == key]
        exact_instalments.append(
            Instalment(
                key, start + timedelta(days=due), Fraction(amount, 100), tuple((d, Fraction(v, 100)) for d, v in paid)
            )
        )
        unit_instalments.append(unit_instalment(key, start + timedelta(days=due), amount, paid))
    figures = close.lease_figures(
        unit_instalments, as_of, close.penalty_terms(rate, grace, cap), BUCKETS, before, since_day
    )
    expected_lines = [
        (
            instalment.key,
            engine.days_past_due(instalment, as_of),
            engine.instalment_penalty(
                instalment.amount,
                instalment.due_date,
                instalment.payments,
                as_of,
                rate=rate,
                grace_days=grace,
                cap_pct=cap,
            ),
        )
        for instalment in exact_instalments
    ]
    assert figures.lines == [
        (key, dpd, round(engine.round_half_up(penalty) * 100)) for key, dpd, penalty in expected_lines
    ]
    dpd, overdue = engine.contract_arrears(exact_instalments, as_of)
    assert (figures.days_past_due, Fraction(figures.amount_overdue, 100)) == (dpd, overdue)
    changes = engine.aging_changes(exact_instalments, BUCKETS, before, since_day, as_of)
    assert [(c.day, c.before, c.after, c.days_past_due, Fraction(c.amount_overdue, 100)) for c in figures.changes] == [
        tuple(change) for change in changes
    ]
