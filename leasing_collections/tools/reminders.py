"""Which reminder levels fall due for an instalment on a close date.

A reminder level is a number of days from the instalment's due date: negative or zero before it
("due in 3 days", "due today"), positive after it ("7 days late"). Rules:

* a level of the due date or before it (days <= 0) is due from ``due date + days`` to the due date
  itself, while the instalment is invoiced and unpaid: once it falls due, a "due in 3 days" is no
  longer sent, whether or not the close ran on those days;
* a level after the due date (days > 0) is due once the instalment is ``days`` or more past due,
  and for as long as it stays unpaid (days past due is 0 once it is paid);
* catch-up: every level due on the close date is returned, whichever day it was reached. The
  caller sends each (instalment, level, recipient) once, so after days without a close each level
  skipped by the outage is sent once, on the first close, and a level already sent is never sent
  again.

Plain data in, plain data out: no Odoo.
"""

from datetime import timedelta

# Bounds of a level's days from the due date: a year before it to ten years after it.
MIN_LEVEL_DAYS = -365
MAX_LEVEL_DAYS = 3650


def level_due(level_days, due_date, close_date, days_past_due, unpaid):
    """Whether the level ``level_days`` days from ``due_date`` is due on ``close_date`` for an
    instalment ``days_past_due`` days past due (the close's figure: 0 while not yet due or once
    paid) and ``unpaid`` (invoiced and not fully paid)."""
    if not unpaid:
        return False
    if level_days <= 0:
        return due_date + timedelta(days=level_days) <= close_date <= due_date
    return days_past_due >= level_days


def levels_due(levels, due_date, close_date, days_past_due, unpaid):
    """The keys of ``levels`` (pairs ``(key, days)``) due on ``close_date`` for one instalment
    (see ``level_due``), in the order given."""
    return [key for key, days in levels if level_due(days, due_date, close_date, days_past_due, unpaid)]


def before_due_window(levels, close_date):
    """``(first, last)``: the due dates an instalment not yet past due may have on ``close_date``
    for a level of ``levels`` (pairs ``(key, days)``) of its due date or before it to be due;
    None when there is no such level. Instalments due later need no reminder yet."""
    before = [days for _key, days in levels if days <= 0]
    if not before:
        return None
    return close_date, close_date - timedelta(days=min(before))
