"""The debt statement's engine (leasing_collections/tools/statement.py): each instalment's
status, paid amount, last payment and days past due on a date, and the totals owed. The figures
are worked out by hand in the comments."""

from datetime import date
from fractions import Fraction

import pytest

from tests._collections_engine import collections_engine as engine

statement_line, statement_totals = engine.statement_line, engine.statement_totals

DUE = date(2026, 2, 28)
# 3,400.22 due Feb 28: 1,000.00 on March 2, 1,400.22 on March 16 (1,000.00 left).
PAID = ((date(2026, 3, 2), 1000.0), (date(2026, 3, 16), 1400.22))


@pytest.mark.parametrize(
    ("as_of", "status", "paid", "last", "dpd"),
    [
        # Before its due date, nothing paid yet: invoiced, not yet due.
        (date(2026, 2, 20), "invoiced", Fraction(0), None, 0),
        # On its due date: not yet overdue (days past due count from the day after).
        (DUE, "invoiced", Fraction(0), None, 0),
        # March 10: 1,000.00 paid on March 2; 10 days past due.
        (date(2026, 3, 10), "overdue", Fraction(1000), date(2026, 3, 2), 10),
        # April 10: 2,400.22 paid, the last on March 16; 41 days past due.
        (date(2026, 4, 10), "overdue", Fraction(240022, 100), date(2026, 3, 16), 41),
    ],
)
def test_instalment_on_a_date(as_of, status, paid, last, dpd):
    line = statement_line("1", DUE, 3400.22, True, PAID, as_of)
    assert (line.status, line.paid, line.last_payment_date, line.days_past_due) == (status, paid, last, dpd)
    assert line.unpaid == Fraction(340022, 100) - paid


def test_paid_in_part_before_due_then_in_full():
    payments = ((date(2026, 2, 20), 400.22), (date(2026, 3, 5), 3000.0))
    before = statement_line(2, DUE, 3400.22, True, payments, date(2026, 2, 25))
    assert (before.status, before.unpaid, before.days_past_due) == ("partial", Fraction(3000), 0)
    # Paid in full on March 5: paid, nothing past due, whatever the date after.
    after = statement_line(2, DUE, 3400.22, True, payments, date(2026, 6, 1))
    assert (after.status, after.unpaid, after.last_payment_date, after.days_past_due) == (
        "paid",
        Fraction(0),
        date(2026, 3, 5),
        0,
    )


def test_not_invoiced_and_zero_lines():
    scheduled = statement_line(3, date(2026, 4, 30), 3400.23, False, (), date(2026, 4, 10))
    assert (scheduled.status, scheduled.unpaid, scheduled.days_past_due) == ("scheduled", Fraction(340023, 100), 0)
    # A line of zero (interest-only at 0 %) owes nothing and is never invoiced.
    assert statement_line(4, date(2026, 5, 31), 0.0, False, (), date(2026, 6, 10)).status == "paid"


def test_totals_rounded_once():
    """Overdue 1,000.00 + 3,400.22 = 4,400.22; invoiced not yet due 0.005 + 0.005 = 0.01 (each
    would round to 0.01 on its own: 0.02); not invoiced 3,400.23. Paid lines count nowhere."""
    as_of = date(2026, 4, 10)
    lines = [
        statement_line(1, DUE, 3400.22, True, PAID, as_of),
        statement_line(2, date(2026, 3, 31), 3400.22, True, (), as_of),
        statement_line(3, date(2026, 4, 30), Fraction(1, 200), True, (), as_of),
        statement_line(4, date(2026, 4, 30), Fraction(1, 200), True, (), as_of),
        statement_line(5, date(2026, 4, 30), 3400.23, False, (), as_of),
        statement_line(6, date(2026, 1, 31), 100.0, True, ((date(2026, 1, 31), 100.0),), as_of),
    ]
    assert statement_totals(lines, engine.round_half_up) == {
        "overdue": 4400.22,
        "not_due": 0.01,
        "not_invoiced": 3400.23,
    }
