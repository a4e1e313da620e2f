"""When the penalty interest is billed (pure Python, no Odoo).

Each plan has a billing day of the month (1 to 28, a day every month has). The daily close
invoices a lease's penalty when that day came since the lease was last billed (or, never billed,
since its oldest instalment with penalty due fell due): on the day itself when the close runs
daily, and at the first close after it when no close billed it that day (a server down), once.
"""

from datetime import date, timedelta

__all__ = ["billing_day_between", "last_billing_day"]


def last_billing_day(day, until):
    """The last date on or before ``until`` whose day of the month is ``day`` (1 to 28)."""
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
        raise ValueError("The billing day must be a day of the month from 1 to 28, not %r." % (day,))
    if not isinstance(until, date):
        raise ValueError("The date must be a date, not %r." % (until,))
    if until.day >= day:
        return until.replace(day=day)
    return (until.replace(day=1) - timedelta(days=1)).replace(day=day)


def billing_day_between(day, after, until):
    """Whether a billing ``day`` falls after the date ``after`` (the day the lease was last
    billed to, or the due date its penalty runs from; None: no such day) and on or before
    ``until`` (this close)."""
    if after is not None and after >= until:
        return False
    return after is None or last_billing_day(day, until) > after
