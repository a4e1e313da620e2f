"""The lessee's payment rating (leasing_collections/tools/rating.py): the repayment record and its
grades. Expected figures are worked out by hand in the comments, or by an independent oracle
written here (day by day, in Decimal), never by the code under test."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._collections_engine import collections_engine as engine

rating = importlib.import_module(f"{engine.__name__}.rating")
Instalment = engine.Instalment
Record = rating.RepaymentRecord


def inst(due, amount=1000.0, *payments, key=None):
    return Instalment(key or due, due, amount, tuple(payments))


# ----------------------------------------------------------------------
# The repayment record: hand-worked
# ----------------------------------------------------------------------
def test_worked_example_of_the_module():
    """As of 2026-06-30: 1,000.00 due March 31, paid 400.00 on April 20 and 600.00 on May 15:
    unpaid at the end of May 14, paid in full on May 15, so at most May 14 - March 31 = 30 + 14
    = 44 days past due. 1,000.00 due June 20, unpaid: 10 days past due. Current 10 (B), worst
    44 (C), late 2 (A): C."""
    instalments = [
        inst(date(2026, 3, 31), 1000.0, (date(2026, 4, 20), 400.0), (date(2026, 5, 15), 600.0)),
        inst(date(2026, 6, 20), 1000.0),
    ]
    record = rating.repayment_record(instalments, date(2026, 6, 30))
    assert record == Record(10, 44, 2)
    assert rating.rating_grades(record) == Record("B", "C", "A")
    assert rating.payment_rating(record) == "C"


def test_paid_on_or_before_its_due_date_is_never_late():
    """Paid on the due date, or before it: 0 days past due on every day."""
    as_of = date(2026, 6, 30)
    instalments = [
        inst(date(2026, 1, 31), 500.0, (date(2026, 1, 31), 500.0)),
        inst(date(2026, 2, 28), 500.0, (date(2026, 2, 25), 500.0)),
    ]
    assert rating.repayment_record(instalments, as_of) == Record(0, 0, 0)
    assert rating.payment_rating(Record(0, 0, 0)) == "A"


def test_days_late_as_the_close_counts_them_and_the_tolerance():
    """Payments of a day count at the end of that day: paid one day after its due date, an
    instalment was never past due at the end of a day. Paid 6 days after: at most 5 days past
    due, within the tolerance of 5: not late. Paid 7 days after: 6 days, late."""
    as_of = date(2026, 6, 30)
    due = date(2026, 5, 31)
    one_day = rating.repayment_record([inst(due, 100.0, (date(2026, 6, 1), 100.0))], as_of)
    assert one_day == Record(0, 0, 0)
    six_days = rating.repayment_record([inst(due, 100.0, (date(2026, 6, 6), 100.0))], as_of)
    assert six_days == Record(0, 5, 0)
    seven_days = rating.repayment_record([inst(due, 100.0, (date(2026, 6, 7), 100.0))], as_of)
    assert seven_days == Record(0, 6, 1)
    assert rating.payment_rating(six_days) == "A"
    assert rating.payment_rating(seven_days) == "B"


def test_a_partial_payment_leaves_the_instalment_past_due():
    """999.99 of 1,000.00 paid on the due date: 0.01 unpaid, past due until paid in full."""
    record = rating.repayment_record(
        [inst(date(2026, 5, 31), 1000.0, (date(2026, 5, 31), 999.99))],
        date(2026, 6, 30),
    )
    assert record == Record(30, 30, 1)
    assert rating.payment_rating(record) == "B"


def test_the_window_of_twelve_months():
    """As of 2026-06-30 the window is 2025-07-01 .. 2026-06-30 (the days after 2025-06-30).

    * due 2025-03-31, paid in full 2025-06-30: past due up to 2025-06-29, before the window;
    * due 2025-04-30, paid in full 2025-07-02: past due up to 2025-07-01, the window's first day:
      2025-07-01 - 2025-04-30 = 62 days (May 31 + June 30 + 1), late;
    * due 2026-06-30 (the close date), unpaid: not past due yet;
    * due 2026-07-31: not due."""
    as_of = date(2026, 6, 30)
    before = inst(date(2025, 3, 31), 100.0, (date(2025, 6, 30), 100.0))
    into = inst(date(2025, 4, 30), 100.0, (date(2025, 7, 2), 100.0))
    today = inst(date(2026, 6, 30), 100.0)
    later = inst(date(2026, 7, 31), 100.0)
    assert rating.repayment_record([before, today, later], as_of) == Record(0, 0, 0)
    assert rating.repayment_record([before, into, today, later], as_of) == Record(0, 62, 1)
    # 62 days behind within the year, caught up since: D for a year.
    assert rating.payment_rating(Record(0, 62, 1)) == "D"


def test_an_old_instalment_still_unpaid_counts_with_its_days_now():
    """Due 2024-12-31, unpaid on 2026-06-30: 546 days past due (365 + 181), in default."""
    record = rating.repayment_record([inst(date(2024, 12, 31), 100.0)], date(2026, 6, 30))
    assert record == Record(546, 546, 1)
    assert rating.payment_rating(record) == "E"


def test_payments_after_the_close_date_are_not_known_yet():
    """A close for 2026-06-30 run again later ignores the payment of July 5."""
    instalment = inst(date(2026, 6, 10), 100.0, (date(2026, 7, 5), 100.0))
    assert rating.repayment_record([instalment], date(2026, 6, 30)) == Record(20, 20, 1)
    assert rating.repayment_record([instalment], date(2026, 7, 10)) == Record(0, 24, 1)


def test_several_leases_the_oldest_unpaid_instalment_and_every_late_one():
    """Two leases of one lessee, as of 2026-06-30: lease 1 paid its March instalment 40 days
    late (paid in full May 10: at most May 9 - March 31 = 39 days) and April's 10 days late (at
    most 9); lease 2 owes its May 15 instalment (46 days) and June 15's (15 days). Current 46,
    worst 46, 4 late instalments: grades C, C, C."""
    instalments = [
        inst(date(2026, 3, 31), 200.0, (date(2026, 5, 10), 200.0), key="1/3"),
        inst(date(2026, 4, 30), 200.0, (date(2026, 5, 10), 200.0), key="1/4"),
        inst(date(2026, 5, 15), 300.0, key="2/5"),
        inst(date(2026, 6, 15), 300.0, key="2/6"),
    ]
    record = rating.repayment_record(instalments, date(2026, 6, 30))
    assert record == Record(46, 46, 4)
    assert rating.rating_grades(record) == Record("C", "C", "C")


def test_window_start_on_february_29():
    assert rating.window_start(date(2028, 2, 29)) == date(2027, 2, 28)
    assert rating.window_start(date(2026, 6, 30)) == date(2025, 6, 30)
    with pytest.raises(ValueError):
        rating.window_start("2026-06-30")


def test_an_instalment_of_nothing_is_never_late():
    assert rating.repayment_record([inst(date(2026, 1, 31), 0.0)], date(2026, 6, 30)) == Record(0, 0, 0)


# ----------------------------------------------------------------------
# The grades: every boundary
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "grade"),
    [(0, "A"), (5, "A"), (6, "B"), (30, "B"), (31, "C"), (60, "C"), (61, "D"), (90, "D"), (91, "E"), (999, "E")],
)
def test_current_days_past_due_bands(days, grade):
    assert rating.rating_grades(Record(days, days, 0)).current_days_past_due == grade


@pytest.mark.parametrize(
    ("days", "grade"),
    [(0, "A"), (5, "A"), (6, "B"), (30, "B"), (31, "C"), (60, "C"), (61, "D"), (90, "D"), (91, "D"), (999, "D")],
)
def test_worst_days_past_due_bands(days, grade):
    assert rating.rating_grades(Record(0, days, 0)).worst_days_past_due == grade


@pytest.mark.parametrize(("late", "grade"), [(0, "A"), (2, "A"), (3, "C"), (5, "C"), (6, "D"), (60, "D")])
def test_late_instalments_bands(late, grade):
    assert rating.rating_grades(Record(0, 0, late)).late_instalments == grade


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (Record(0, 0, 0), "A"),
        (Record(0, 0, 2), "A"),
        (Record(0, 12, 2), "B"),  # a little late, twice
        (Record(6, 6, 1), "B"),  # 6 days behind now
        (Record(0, 12, 3), "C"),  # late three times, if only a little
        (Record(0, 45, 1), "C"),  # once 45 days behind
        (Record(31, 31, 1), "C"),
        (Record(0, 20, 6), "D"),  # late at every other instalment
        (Record(0, 75, 1), "D"),  # once 75 days behind, caught up
        (Record(75, 75, 3), "D"),
        (Record(91, 91, 1), "E"),  # in default
        (Record(91, 150, 9), "E"),
    ],
)
def test_rating_is_the_worst_grade(record, expected):
    assert rating.payment_rating(record) == expected


def test_bad_records_are_refused():
    for record in (Record(-1, 0, 0), Record(0, 0, -1), Record(0, 1.5, 0), Record(True, 1, 0)):
        with pytest.raises(ValueError):
            rating.payment_rating(record)
    with pytest.raises(ValueError, match="cannot exceed"):
        rating.payment_rating(Record(10, 5, 0))
    with pytest.raises(ValueError):
        rating.repayment_record([], "2026-06-30")


def test_rating_dropped():
    assert rating.rating_dropped("A", "B")
    assert rating.rating_dropped("B", "E")
    assert not rating.rating_dropped("C", "C")
    assert not rating.rating_dropped("D", "B")
    assert not rating.rating_dropped(None, "E")  # a first rating is no drop
    with pytest.raises(ValueError):
        rating.rating_dropped("A", "F")
    with pytest.raises(ValueError):
        rating.rating_dropped("a", "B")


# ----------------------------------------------------------------------
# Against an oracle, day by day
# ----------------------------------------------------------------------
def oracle_record(instalments, as_of):
    """The record literally: every day of the 12 months up to ``as_of`` (after the same day a
    year earlier), each instalment's days past due at the end of that day, in Decimal."""
    start = rating.window_start(as_of)

    def unpaid(instalment, day):
        paid = sum((Decimal(str(amount)) for when, amount in instalment.payments if when <= day), Decimal(0))
        return Decimal(str(instalment.amount)) - paid > 0

    current, worst, late = 0, 0, 0
    for instalment in instalments:
        if instalment.due_date >= as_of:
            continue
        if unpaid(instalment, as_of):
            current = max(current, (as_of - instalment.due_date).days)
        most, day = 0, start + timedelta(days=1)
        while day <= as_of:
            if day > instalment.due_date and unpaid(instalment, day):
                most = max(most, (day - instalment.due_date).days)
            day += timedelta(days=1)
        worst = max(worst, most)
        late += most > 5
    return Record(current, worst, late)


payments_st = st.lists(
    st.tuples(
        st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 9, 30)),
        st.sampled_from([50.0, 100.0, 0.01, 250.5]),
    ),
    max_size=4,
)
instalments_st = st.lists(
    st.builds(
        lambda due, amount, payments: Instalment(due, due, amount, tuple(payments)),
        st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 9, 30)),
        st.sampled_from([100.0, 250.5, 300.0]),
        payments_st,
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(instalments_st, st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 9, 30)))
def test_record_against_the_day_by_day_oracle(instalments, as_of):
    record = rating.repayment_record(instalments, as_of)
    assert record == oracle_record(instalments, as_of)
    assert rating.payment_rating(record) in rating.RATINGS


def test_combined_record_of_two_leases_hand_worked():
    """The two leases of ``test_several_leases_...`` rated apart, as of 2026-06-30: lease 1 is
    current, at worst 39 days late, 2 late instalments; lease 2 is 46 days behind, 2 late.
    Together: current 46, worst 46, 4 late, as the record of all four instalments at once."""
    lease_1 = rating.repayment_record(
        [
            inst(date(2026, 3, 31), 200.0, (date(2026, 5, 10), 200.0)),
            inst(date(2026, 4, 30), 200.0, (date(2026, 5, 10), 200.0)),
        ],
        date(2026, 6, 30),
    )
    lease_2 = rating.repayment_record(
        [inst(date(2026, 5, 15), 300.0), inst(date(2026, 6, 15), 300.0)], date(2026, 6, 30)
    )
    assert lease_1 == Record(0, 39, 2)
    assert lease_2 == Record(46, 46, 2)
    assert rating.combined_record([lease_1, lease_2]) == Record(46, 46, 4)
    assert rating.combined_record([]) == Record(0, 0, 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(instalments_st, max_size=4), st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 9, 30)))
def test_combined_record_is_the_record_of_all_the_instalments(leases, as_of):
    """The close rates a lessee from one record per lease: combined, they give the record of
    all the lessee's instalments read at once."""
    combined = rating.combined_record(rating.repayment_record(lease, as_of) for lease in leases)
    assert combined == rating.repayment_record([instalment for lease in leases for instalment in lease], as_of)


@settings(max_examples=150, deadline=None)
@given(instalments_st, st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 9, 30)))
def test_record_in_whole_cents_is_the_record_in_amounts(instalments, as_of):
    """The close's integer path gives amounts in whole cents: the same record."""
    in_cents = [
        Instalment(
            i.key, i.due_date, round(i.amount * 100), tuple((day, round(value * 100)) for day, value in i.payments)
        )
        for i in instalments
    ]
    assert rating.repayment_record(in_cents, as_of) == rating.repayment_record(instalments, as_of)
