"""The collections engine (leasing_collections/tools): penalty interest, days past due and aging
buckets. Expected figures are worked out by hand in the comments, or by an independent oracle
written here (day by day, in Decimal), never by the code under test."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._collections_engine import collections_engine as engine

Bucket, Instalment = engine.Bucket, engine.Instalment
DEFAULT_BUCKETS = [
    Bucket("current", 0, 0),
    Bucket("1-30", 1, 30),
    Bucket("31-60", 31, 60),
    Bucket("61-90", 61, 90),
    Bucket("91-180", 91, 180),
    Bucket("over 180", 181, None),
]


def penalty(*args, **kwargs):
    """The engine's penalty, rounded half-up to the cent once, as the models do."""
    return engine.round_half_up(engine.instalment_penalty(*args, **kwargs))


def oracle_penalty(amount, due_date, payments, as_of, rate, grace_days=0, cap_pct=0):
    """The rule, literally, day by day in Decimal: sum over the days after the due date up to
    ``as_of`` of the amount unpaid at the end of that day x rate / 100; nothing while within
    the grace days, nor when paid in full by their end; at most cap % of the amount; rounded
    half-up to the cent once."""
    amount, rate, cap = Decimal(str(amount)), Decimal(str(rate)), Decimal(str(cap_pct))

    def unpaid(day):
        paid = sum((Decimal(str(value)) for when, value in payments if when <= min(day, as_of)), Decimal(0))
        return max(amount - paid, Decimal(0))

    if grace_days and (as_of <= due_date + timedelta(days=grace_days) or not unpaid(due_date + timedelta(grace_days))):
        return 0.0
    total, day = Decimal(0), due_date + timedelta(days=1)
    while day <= as_of:
        total += unpaid(day) * rate / 100
        day += timedelta(days=1)
    if cap:
        total = min(total, amount * cap / 100)
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ----------------------------------------------------------------------
# Penalty interest: hand-worked
# ----------------------------------------------------------------------
def test_two_partial_payments_grace_and_cap():
    """The issue's case. 7,795.71 due 2026-02-28, 0.05 % a day, 3 grace days; 2,000.00 paid
    on 2026-03-05 and 3,000.00 on 2026-03-20; penalty to 2026-04-15.

    The grace ends on March 3 with everything unpaid: the penalty runs from March 1.
      March 1-4      4 days x 7,795.71 =  31,182.84
      March 5-19    15 days x 5,795.71 =  86,935.65
      March 20-Apr 15  27 days x 2,795.71 =  75,484.17
                                          193,602.66 x 0.0005 = 96.80133 -> 96.80
    With a cap of 1.2 %: at most 7,795.71 x 0.012 = 93.54852 -> 93.55 (rounded once, capped
    exactly first); a cap of 2 % (155.91) is not reached."""
    args = (7795.71, date(2026, 2, 28), [(date(2026, 3, 5), 2000.0), (date(2026, 3, 20), 3000.0)], date(2026, 4, 15))
    assert penalty(*args, rate=0.05, grace_days=3) == 96.80
    assert penalty(*args, rate=0.05, grace_days=3, cap_pct=2.0) == 96.80
    assert penalty(*args, rate=0.05, grace_days=3, cap_pct=1.2) == 93.55
    exact_value = engine.instalment_penalty(*args, rate=0.05, grace_days=3)
    assert exact_value == Fraction(19360266, 100) * Fraction(5, 10000)


def test_readme_worked_example():
    """1,000.00 due 2026-03-31, 0.05 % a day, 5 grace days, cap 1.5 %; 300.00 paid on
    2026-04-10, 200.00 on 2026-04-20. To 2026-05-10: 9 x 1,000 + 10 x 700 + 21 x 500 = 26,500
    x 0.0005 = 13.25. To 2026-05-20: 13.25 + 10 x 500 x 0.0005 = 15.75, capped at 15.00."""
    payments = [(date(2026, 4, 10), 300.0), (date(2026, 4, 20), 200.0)]
    terms = {"rate": 0.05, "grace_days": 5, "cap_pct": 1.5}
    assert penalty(1000.0, date(2026, 3, 31), payments, date(2026, 5, 10), **terms) == 13.25
    assert penalty(1000.0, date(2026, 3, 31), payments, date(2026, 5, 20), **terms) == 15.0


def test_grace_days():
    """1,000.00 due 2026-01-31, 0.05 % a day (0.50 a day), 5 grace days (to February 5)."""
    due = date(2026, 1, 31)
    terms = {"rate": 0.05, "grace_days": 5}
    # Within the grace, nothing is owed yet, paid or not.
    assert penalty(1000.0, due, [], date(2026, 2, 5), **terms) == 0.0
    # Paid in full on the last grace day: nothing, ever.
    assert penalty(1000.0, due, [(date(2026, 2, 5), 1000.0)], date(2026, 3, 31), **terms) == 0.0
    # Paid in full in two parts within the grace: nothing either.
    paid_in_parts = [(date(2026, 2, 2), 400.0), (date(2026, 2, 4), 600.0)]
    assert penalty(1000.0, due, paid_in_parts, date(2026, 3, 31), **terms) == 0.0
    # Paid the day after: the grace is exceeded, the penalty runs from February 1; February 6
    # itself is paid: February 1-5 = 5 days x 0.50 = 2.50.
    assert penalty(1000.0, due, [(date(2026, 2, 6), 1000.0)], date(2026, 3, 31), **terms) == 2.50
    # Unpaid on February 6: 6 days x 0.50 = 3.00 (from nothing the day before).
    assert penalty(1000.0, due, [], date(2026, 2, 6), **terms) == 3.0
    # Without grace, the same day: 3.00 too, and February 1 alone already 0.50.
    assert penalty(1000.0, due, [], date(2026, 2, 6), rate=0.05) == 3.0
    assert penalty(1000.0, due, [], date(2026, 2, 1), rate=0.05) == 0.50


def test_payment_counts_from_its_date():
    """1,000.00 due 2026-01-31, 0.1 % a day (1.00 a day on 1,000.00)."""
    due = date(2026, 1, 31)
    # Paid in full the day after the due date: that day is paid, nothing is owed.
    assert penalty(1000.0, due, [(date(2026, 2, 1), 1000.0)], date(2026, 2, 10), rate=0.1) == 0.0
    # 600.00 paid before the due date: the base is 400.00 from the first day (0.40 a day).
    assert penalty(1000.0, due, [(date(2026, 1, 20), 600.0)], date(2026, 2, 10), rate=0.1) == 4.0
    # A payment on the close date counts that day: February 1-9 on 1,000.00, February 10 on
    # 500.00: 9.00 + 0.50.
    assert penalty(1000.0, due, [(date(2026, 2, 10), 500.0)], date(2026, 2, 10), rate=0.1) == 9.5
    # A payment dated after the close date is not known yet on that date: 10 days x 1.00.
    assert penalty(1000.0, due, [(date(2026, 2, 11), 1000.0)], date(2026, 2, 10), rate=0.1) == 10.0
    # Two payments on one day, and more paid than due: the base never goes below zero.
    payments = [(date(2026, 2, 3), 300.0), (date(2026, 2, 3), 900.0)]
    assert penalty(1000.0, due, payments, date(2026, 2, 10), rate=0.1) == 2.0


def test_nothing_owed():
    due = date(2026, 1, 31)
    assert penalty(1000.0, due, [], due, rate=0.05) == 0.0
    assert penalty(1000.0, due, [], date(2026, 1, 1), rate=0.05) == 0.0
    assert penalty(1000.0, due, [], date(2026, 6, 30), rate=0.0) == 0.0
    assert penalty(0.0, due, [], date(2026, 6, 30), rate=0.05) == 0.0


def test_exact_and_rounded_once():
    """10.00 one day at 0.05 % is 0.005 exactly: half-up to 0.01 (the float product
    10.0 * 0.0005 is not what is rounded). 333.33 over 7 days at 0.05 %: 2,333.31 x 0.0005 =
    1.166655 -> 1.17, where rounding each day (0.17 x 7 = 1.19) would drift."""
    due = date(2026, 1, 31)
    assert engine.instalment_penalty(10.0, due, [], date(2026, 2, 1), rate=0.05) == Fraction(1, 200)
    assert penalty(10.0, due, [], date(2026, 2, 1), rate=0.05) == 0.01
    assert penalty(333.33, due, [], date(2026, 2, 7), rate=0.05) == 1.17
    # Decimal inputs work the same.
    assert penalty(Decimal("333.33"), due, [], date(2026, 2, 7), rate=Decimal("0.05")) == 1.17


def test_cap_of_zero_is_no_cap_and_cap_of_100():
    due = date(2025, 1, 31)
    # 1,000.00 unpaid for 365 days at 0.05 %: 182.50; no cap.
    assert penalty(1000.0, due, [], date(2026, 1, 31), rate=0.05, cap_pct=0) == 182.50
    # 0.5 % a day for 365 days would be 1,825.00: capped at 100 % of the amount.
    assert penalty(1000.0, due, [], date(2026, 1, 31), rate=0.5, cap_pct=100) == 1000.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rate": -0.01}, "rate cannot be negative"),
        ({"rate": 0.05, "cap_pct": 101}, "cap must lie between 0 and 100"),
        ({"rate": 0.05, "cap_pct": -1}, "cap must lie between 0 and 100"),
        ({"rate": 0.05, "grace_days": -1}, "grace days"),
        ({"rate": 0.05, "grace_days": 1.5}, "grace days"),
        ({"rate": float("nan")}, "finite"),
    ],
)
def test_bad_input_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        engine.instalment_penalty(1000.0, date(2026, 1, 31), [], date(2026, 3, 1), **kwargs)


def test_negative_amount_and_undated_payment_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        engine.instalment_penalty(-1.0, date(2026, 1, 31), [], date(2026, 3, 1), rate=0.05)
    with pytest.raises(ValueError, match="payment date"):
        engine.instalment_penalty(1.0, date(2026, 1, 31), [("2026-02-01", 1.0)], date(2026, 3, 1), rate=0.05)


CENTS = st.integers(min_value=0, max_value=10**9).map(lambda units: Decimal(units) / 100)


@settings(max_examples=300, deadline=None)
@given(
    amount=CENTS,
    offsets=st.lists(st.tuples(st.integers(-20, 120), CENTS), max_size=4),
    as_of=st.integers(-5, 150),
    rate=st.sampled_from([0.0, 0.01, 0.03, 0.05, 0.0333, 0.1, 1.0]),
    grace=st.integers(0, 15),
    cap=st.sampled_from([0, 0.5, 1.2, 5, 12.5, 100]),
)
def test_piecewise_equals_day_by_day(amount, offsets, as_of, rate, grace, cap):
    """Stretch by stretch, exactly, is the day-by-day rule of the oracle."""
    due = date(2026, 1, 31)
    payments = [(due + timedelta(days=offset), value) for offset, value in offsets]
    as_of = due + timedelta(days=as_of)
    assert penalty(amount, due, payments, as_of, rate=rate, grace_days=grace, cap_pct=cap) == oracle_penalty(
        amount, due, payments, as_of, rate, grace, cap
    )


# ----------------------------------------------------------------------
# Buckets
# ----------------------------------------------------------------------
def test_default_buckets_are_valid_and_hold_every_day():
    assert engine.bucket_problems(DEFAULT_BUCKETS) == []
    for days, expected in [
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "over 180"),
        (10000, "over 180"),
    ]:
        assert engine.bucket_of(days, DEFAULT_BUCKETS) == expected, days
    # Order does not matter to the validation.
    assert engine.bucket_problems(list(reversed(DEFAULT_BUCKETS))) == []


@pytest.mark.parametrize(
    "buckets, problems",
    [
        ([], [("empty", {})]),
        (
            [Bucket("a", 0, 30), Bucket("b", 25, 60), Bucket("c", 61, None)],
            [("overlap", {"bucket": "a", "other": "b"})],
        ),
        (
            [Bucket("a", 0, 30), Bucket("b", 35, 60), Bucket("c", 61, None)],
            [("gap", {"bucket": "a", "other": "b", "first": 31, "last": 34})],
        ),
        ([Bucket("a", 1, 30), Bucket("b", 31, None)], [("start", {"bucket": "a", "min_days": 1})]),
        ([Bucket("a", 0, 30), Bucket("b", 31, 60)], [("last_bounded", {"bucket": "b"})]),
        (
            [Bucket("a", 0, None), Bucket("b", 31, None)],
            [("open_ended", {"bucket": "a"})],
        ),
        ([Bucket("a", 0, 30), Bucket("b", 60, 31)], [("inverted", {"bucket": "b"})]),
        ([Bucket("a", -1, 30), Bucket("b", 31, None)], [("negative", {"bucket": "a"})]),
        # Two buckets starting on the same day overlap.
        ([Bucket("a", 0, 0), Bucket("b", 0, None)], [("overlap", {"bucket": "a", "other": "b"})]),
    ],
)
def test_bucket_problems(buckets, problems):
    assert engine.bucket_problems(buckets) == problems


# ----------------------------------------------------------------------
# Days past due and bucket changes
# ----------------------------------------------------------------------
def _lease():
    """Three instalments of 500.00 due January 31, February 28 and March 31, 2026: the first
    paid 200.00 on February 10 and the rest (300.00) on March 15; the second unpaid."""
    return [
        Instalment(1, date(2026, 1, 31), 500.0, ((date(2026, 2, 10), 200.0), (date(2026, 3, 15), 300.0))),
        Instalment(2, date(2026, 2, 28), 500.0, ()),
        Instalment(3, date(2026, 3, 31), 500.0, ()),
    ]


def test_days_past_due_and_amount_overdue():
    lease = _lease()
    # January 31: due today, not past due.
    assert engine.contract_arrears(lease, date(2026, 1, 31)) == (0, 0)
    assert engine.days_past_due(lease[0], date(2026, 1, 31)) == 0
    # March 14: instalment 1 (due Jan 31, 300.00 left) is the oldest unpaid: 42 days; 2 adds
    # 500.00: 800.00 overdue.
    assert engine.contract_arrears(lease, date(2026, 3, 14)) == (42, 800)
    assert [engine.days_past_due(i, date(2026, 3, 14)) for i in lease] == [42, 14, 0]
    # March 15: instalment 1 is paid that day; instalment 2 (Feb 28) is the oldest: 15 days.
    assert engine.contract_arrears(lease, date(2026, 3, 15)) == (15, 500)
    assert engine.days_past_due(lease[0], date(2026, 3, 15)) == 0
    # April 1: 2 and 3 unpaid, 2 is the oldest: 32 days, 1,000.00.
    assert engine.contract_arrears(lease, date(2026, 4, 1)) == (32, 1000)


def test_bucket_changes_by_day():
    """From the close of January 31 (current) to April 1, the lease goes to 1-30 on February 1,
    31-60 on March 3 (instalment 1: 31 days), back to 1-30 on March 15 (paid; instalment 2 is
    15 days past due) and to 31-60 on March 31 (instalment 2: 31 days)."""
    changes = engine.aging_changes(_lease(), DEFAULT_BUCKETS, "current", date(2026, 1, 31), date(2026, 4, 1))
    assert [tuple(change) for change in changes] == [
        (date(2026, 2, 1), "current", "1-30", 1, 500),
        (date(2026, 3, 3), "1-30", "31-60", 31, 800),
        (date(2026, 3, 15), "31-60", "1-30", 15, 500),
        (date(2026, 3, 31), "1-30", "31-60", 31, 500),
    ]
    # The close run again for its own date, or without a previous close: that day alone.
    assert engine.aging_changes(_lease(), DEFAULT_BUCKETS, "31-60", date(2026, 4, 1), date(2026, 4, 1)) == []
    assert [
        tuple(change) for change in engine.aging_changes(_lease(), DEFAULT_BUCKETS, None, None, date(2026, 4, 1))
    ] == [(date(2026, 4, 1), None, "31-60", 32, 1000)]


def oracle_bucket(instalments, day):
    """The bucket on ``day``, from the definition, day by day in Decimal."""
    oldest = None
    for instalment in instalments:
        paid = sum((Decimal(str(value)) for when, value in instalment.payments if when <= day), Decimal(0))
        if instalment.due_date < day and Decimal(str(instalment.amount)) > paid:
            oldest = min(oldest or instalment.due_date, instalment.due_date)
    dpd = (day - oldest).days if oldest else 0
    return next(b.key for b in DEFAULT_BUCKETS if b.min_days <= dpd and (b.max_days is None or dpd <= b.max_days))


@settings(max_examples=200, deadline=None)
@given(
    dues=st.lists(st.integers(0, 200), min_size=1, max_size=5),
    payments=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 300), CENTS), max_size=6),
    since=st.integers(0, 250),
    span=st.integers(1, 120),
)
def test_catch_up_finds_the_daily_changes(dues, payments, since, span):
    """A close after ``span`` days without one finds the changes the daily closes would have
    found, on the same days: checked against the bucket of every single day."""
    start = date(2026, 1, 1)
    instalments = [
        Instalment(
            k,
            start + timedelta(days=due),
            Decimal("100.00"),
            tuple((start + timedelta(days=day), value) for index, day, value in payments if index == k),
        )
        for k, due in enumerate(dues)
    ]
    since_day = start + timedelta(days=since)
    until = since_day + timedelta(days=span)
    expected, current = [], oracle_bucket(instalments, since_day)
    day = since_day + timedelta(days=1)
    while day <= until:
        bucket = oracle_bucket(instalments, day)
        if bucket != current:
            expected.append((day, current, bucket))
            current = bucket
        day += timedelta(days=1)
    before = oracle_bucket(instalments, since_day)
    changes = engine.aging_changes(instalments, DEFAULT_BUCKETS, before, since_day, until)
    assert [(c.day, c.before, c.after) for c in changes] == expected


def test_round_half_up():
    assert engine.round_half_up(Fraction(1005, 1000)) == 1.01
    assert engine.round_half_up(-2.675) == -2.68
    assert engine.round_half_up(Fraction(99999, 200)) == 500.0
    assert engine.round_half_up(2.5, 0) == 3.0
    with pytest.raises(ValueError):
        engine.round_half_up(1.0, 10)
