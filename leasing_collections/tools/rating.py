"""A lessee's payment rating, A to E, from their repayment record (pure Python, no Odoo).

The repayment record
====================

Three figures, as of the close date ``D``, over every instalment of the lessee (all their
leases), with days past due counted as the close counts them: on day ``t`` an instalment due on
``d`` is ``t - d`` days past due while it is unpaid at the end of ``t`` (the payments dated ``t``
count), 0 otherwise; so an instalment paid in full on day ``P`` after its due date was at most
``P - 1 - d`` days past due.

* **current days past due**: those of the lessee's oldest instalment unpaid on ``D``;
* **worst days past due over the last 12 months**: the most days past due any instalment reached
  on a day of the 12 months that end on ``D`` (the days after ``D`` less 12 months, up to ``D``);
  an instalment already paid before the window does not count, one still unpaid counts with its
  days on ``D``;
* **late instalments over the last 12 months**: how many instalments were more than
  ``LATE_TOLERANCE_DAYS`` (5) days past due on a day of that window. A payment a few days late
  (a bank transfer on its way) is not a late instalment.

The rating
==========

Each figure gives a grade; the rating is the worst of the three (A best, E worst):

==========  =======================  ===========================  ===========================
 grade       current days past due    worst days past due, 12 m    late instalments, 12 m
==========  =======================  ===========================  ===========================
 A           0 to 5                   0 to 5                       0 to 2
 B           6 to 30                  6 to 30                      (none)
 C           31 to 60                 31 to 60                     3 to 5
 D           61 to 90                 over 60                      6 or more
 E           over 90                  (none)                       (none)
==========  =======================  ===========================  ===========================

So: **A** pays on time; **B** was a little late once or twice (up to 30 days); **C** is often
late (3 to 5 late instalments) or was 31 to 60 days behind; **D** is very often late (6 or
more) or was more than 60 days behind within the year, or is 61 to 90 days behind now; **E** is
over 90 days behind now (in default). A lessee with no instalment due yet is rated A. The worst
days past due include the current ones, so a lessee behind now is rated at least as low as their
current delay says; once they catch up, the delay stays in their record for 12 months.

Worked example: on 2026-06-30 a lessee has one instalment of 1,000.00 due 2026-03-31, paid
400.00 on 2026-04-20 and 600.00 on 2026-05-15 (fully paid that day: at most 2026-05-14 - 03-31
= 44 days past due), and one due 2026-06-20, unpaid (10 days past due). Current 10 (grade B),
worst 44 (C), late instalments 2 (A): rated **C**.
"""

from collections import namedtuple
from datetime import date, timedelta

from .exact import exact

__all__ = [
    "LATE_TOLERANCE_DAYS",
    "RATINGS",
    "RepaymentRecord",
    "combined_record",
    "payment_rating",
    "rating_dropped",
    "rating_grades",
    "repayment_record",
    "window_start",
]

# The grades, best first.
RATINGS = ("A", "B", "C", "D", "E")
# Days past due an instalment may reach and still not count as late.
LATE_TOLERANCE_DAYS = 5
# (most days, grade) bands of each figure, lowest first; None: no upper limit.
CURRENT_BANDS = ((5, "A"), (30, "B"), (60, "C"), (90, "D"), (None, "E"))
WORST_BANDS = ((5, "A"), (30, "B"), (60, "C"), (None, "D"))
LATE_BANDS = ((2, "A"), (5, "C"), (None, "D"))

RepaymentRecord = namedtuple("RepaymentRecord", "current_days_past_due worst_days_past_due late_instalments")
ONE_DAY = timedelta(days=1)


def window_start(as_of):
    """The day before the 12 months that end on ``as_of``: the same day 12 months earlier
    (February 29 gives February 28). The window is the days after it, up to ``as_of``."""
    if not isinstance(as_of, date):
        raise ValueError("The close date must be a date, not %r." % (as_of,))
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # February 29
        return as_of.replace(year=as_of.year - 1, day=28)


def _arrears(instalment, start, as_of):
    """``(days past due on as_of, most days past due on a day after start up to as_of)`` of one
    instalment due before ``as_of``, in one pass over its payments dated ``as_of`` or earlier."""
    amount, payments = instalment.amount, instalment.payments
    if type(amount) is int and all(type(value) is int for _day, value in payments):
        # Whole units of a currency (the close's integer path): exact as they are.
        payments = sorted(payments)
    else:
        amount = exact(amount)
        payments = sorted((day, exact(value)) for day, value in payments)
    paid, paid_on, unpaid_at_due = 0, None, amount > 0
    for day, paid_amount in payments:
        if day > as_of:
            break
        paid += paid_amount
        if day <= instalment.due_date:
            unpaid_at_due = paid < amount
        if paid >= amount:
            paid_on = day  # paid in full
            break
    if not unpaid_at_due:
        return 0, 0  # paid by its due date (or nothing to pay)
    current = 0 if paid_on else (as_of - instalment.due_date).days
    # The last day it was past due: the day before it was paid in full, or as_of.
    last = paid_on - ONE_DAY if paid_on else as_of
    if last <= start or last <= instalment.due_date:
        return current, 0
    return current, (last - instalment.due_date).days


def repayment_record(instalments, as_of):
    """The ``RepaymentRecord`` of a lessee on ``as_of`` from their ``instalments`` (the aging
    engine's ``Instalment`` tuples: key, due date, amount, (date, amount) payments; payments
    dated after ``as_of`` are not known yet and are left out). Instalments due on ``as_of`` or
    later are not past due."""
    if not isinstance(as_of, date):
        raise ValueError("The close date must be a date, not %r." % (as_of,))
    start = window_start(as_of)
    current = worst = late = 0
    for instalment in instalments:
        if instalment.due_date >= as_of:
            continue
        days_now, days = _arrears(instalment, start, as_of)
        current = max(current, days_now)
        worst = max(worst, days)
        late += days > LATE_TOLERANCE_DAYS
    return RepaymentRecord(current, worst, late)


def combined_record(records):
    """The ``RepaymentRecord`` of instalments shared out among ``records`` (each the record of
    some of them, as of the same date: a lessee's leases, one record each): the most current
    and the worst days past due, the late instalments added up. ``repayment_record`` of all the
    instalments at once gives the same record."""
    current = worst = late = 0
    for record in records:
        current = max(current, record.current_days_past_due)
        worst = max(worst, record.worst_days_past_due)
        late += record.late_instalments
    return RepaymentRecord(current, worst, late)


def _grade(value, bands):
    for most, grade in bands:
        if most is None or value <= most:
            return grade
    raise AssertionError("the last band has no upper limit")


def rating_grades(record):
    """The grade each figure of ``record`` (a ``RepaymentRecord``) gives, as a
    ``RepaymentRecord`` of grades."""
    for value in record:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("The figures of a repayment record are whole numbers, 0 or more, not %r." % (value,))
    if record.current_days_past_due > record.worst_days_past_due:
        raise ValueError("The current days past due cannot exceed the worst days past due of the last 12 months.")
    return RepaymentRecord(
        _grade(record.current_days_past_due, CURRENT_BANDS),
        _grade(record.worst_days_past_due, WORST_BANDS),
        _grade(record.late_instalments, LATE_BANDS),
    )


def payment_rating(record):
    """The rating, ``"A"`` to ``"E"``, of a ``RepaymentRecord``: the worst of its grades."""
    return max(rating_grades(record), key=RATINGS.index)


def rating_dropped(before, after):
    """True when the rating went down from ``before`` to ``after`` (a first rating, ``before``
    None, is no drop)."""
    if after not in RATINGS or (before is not None and before not in RATINGS):
        raise ValueError("A payment rating is one of %s, not %r." % (", ".join(RATINGS), before or after))
    return before is not None and RATINGS.index(after) > RATINGS.index(before)
