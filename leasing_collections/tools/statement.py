"""A lease's debt statement as of a date (pure Python, no Odoo).

The statement reads the ledger as it stood at the end of its date: an instalment is invoiced once
its invoice is posted on or before that date, and paid by what the ledger matched with it by
then (each payment or credit note counts from the later of its own date and the invoice's, the
date Odoo's aged receivable uses). From those plain inputs this module works out each
instalment's status, paid amount, last payment date and days past due, and the totals owed:
overdue, invoiced and not yet due, and scheduled but not yet invoiced. Amounts are worked out
exactly (``exact``) and rounded once, by the caller's ``rounding``, at the end.
"""

from collections import namedtuple
from fractions import Fraction

from .aging import Instalment, days_past_due
from .exact import exact
from .penalty import unpaid_on

__all__ = ["StatementLine", "statement_line", "statement_totals"]

# status: "scheduled" (not invoiced yet), "invoiced" (open, not yet due), "partial" (paid in
# part, not yet due), "overdue" (due before the date and not fully paid), "paid".
StatementLine = namedtuple("StatementLine", "key status amount paid unpaid last_payment_date days_past_due")


def statement_line(key, due_date, amount, invoiced, payments, as_of):
    """One instalment on the statement of ``as_of``, a ``StatementLine``.

    :param key: the caller's key, returned as it is
    :param due_date: the instalment's due date
    :param amount: its amount: the invoice's total once invoiced, the schedule's before
    :param invoiced: whether its invoice was posted by ``as_of``
    :param payments: (date, amount) pairs of what paid the invoice, dated by when they count;
        those after ``as_of`` are left out
    :param as_of: the statement's date
    ``paid`` and ``unpaid`` are exact Fractions (``unpaid`` never below zero); ``days_past_due``
    is the collections close's rule (``aging.days_past_due``)."""
    amount = exact(amount)
    if not invoiced:
        status = "paid" if not amount else "scheduled"
        return StatementLine(key, status, amount, Fraction(0), amount, None, 0)
    known = [(day, paid) for day, paid in payments if day <= as_of]
    unpaid = unpaid_on(amount, known, as_of)
    paid = amount - unpaid
    last_payment = max((day for day, paid_amount in known if paid_amount), default=None)
    if not unpaid:
        status = "paid"
    elif due_date < as_of:
        status = "overdue"
    elif paid:
        status = "partial"
    else:
        status = "invoiced"
    dpd = days_past_due(Instalment(key, due_date, amount, tuple(known)), as_of)
    return StatementLine(key, status, amount, paid, unpaid, last_payment if paid else None, dpd)


def statement_totals(lines, rounding):
    """``{"overdue", "not_due", "not_invoiced"}`` of ``lines`` (``StatementLine``), each summed
    exactly and rounded once by ``rounding``: what is unpaid of the instalments overdue, of those
    invoiced and not yet due, and the amounts of those not invoiced yet."""
    totals = {"overdue": Fraction(0), "not_due": Fraction(0), "not_invoiced": Fraction(0)}
    for line in lines:
        if line.status == "overdue":
            totals["overdue"] += line.unpaid
        elif line.status in ("invoiced", "partial"):
            totals["not_due"] += line.unpaid
        elif line.status == "scheduled":
            totals["not_invoiced"] += line.unpaid
    return {key: rounding(value) for key, value in totals.items()}
