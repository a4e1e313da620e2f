"""Promises to pay: what counts as paid on a promise, and when it is kept or broken (pure Python,
no Odoo).

A lessee promises an amount by a date. What counts towards it is what was received on the lease
from the day the promise was made up to its date, both included: a payment dated before the
promise was made was already there when the lessee promised, one dated after its date came too
late. The close looks at a promise on its own date (``as_of``): the payments it can see are those
dated up to that day. A promise is kept as soon as what counts reaches its amount, even before its
date; it is broken the first close after its date without that; it is open in between.
"""

from datetime import date

from .exact import exact, round_half_up

__all__ = ["PromiseOutcome", "promise_outcome", "received_for_promise"]


class PromiseOutcome(tuple):
    """(state, received, kept_on): ``state`` "open", "kept" or "broken"; ``received`` what counts
    towards the promise (rounded once, to the currency's decimals); ``kept_on`` the date of the
    payment that made it reach the amount (None unless kept)."""

    __slots__ = ()

    def __new__(cls, state, received, kept_on):
        return super().__new__(cls, (state, received, kept_on))

    state = property(lambda self: self[0])
    received = property(lambda self: self[1])
    kept_on = property(lambda self: self[2])


def _check_date(value, name):
    if not isinstance(value, date):
        raise ValueError("The %s must be a date, not %r." % (name, value))


def received_for_promise(payments, made_on, promised_on, as_of):
    """The exact amount (a ``Fraction``) of ``payments`` ((date, amount) pairs, in any order) that
    counts towards a promise made on ``made_on`` for ``promised_on``, as seen on ``as_of``: those
    dated from ``made_on`` to the earlier of ``promised_on`` and ``as_of``, both included."""
    for value, name in ((made_on, "promise's day"), (promised_on, "promised date"), (as_of, "close date")):
        _check_date(value, name)
    until = min(promised_on, as_of)
    total = exact(0)
    for paid_on, amount in payments:
        _check_date(paid_on, "payment date")
        if made_on <= paid_on <= until:
            total += exact(amount)
    return total


def promise_outcome(amount, payments, made_on, promised_on, as_of, digits=2):
    """The :class:`PromiseOutcome` of a promise of ``amount`` (positive) made on ``made_on`` for
    ``promised_on``, on ``as_of``, from the lease's ``payments`` ((date, amount) pairs)."""
    amount = exact(amount)
    if amount <= 0:
        raise ValueError("A promise is of a positive amount, not %r." % (amount,))
    received = received_for_promise(payments, made_on, promised_on, as_of)
    if received >= amount:
        until = min(promised_on, as_of)
        running = exact(0)
        for paid_on, paid in sorted(payments, key=lambda payment: payment[0]):
            if made_on <= paid_on <= until:
                running += exact(paid)
                if running >= amount:
                    return PromiseOutcome("kept", round_half_up(received, digits), paid_on)
    if as_of > promised_on:
        return PromiseOutcome("broken", round_half_up(received, digits), None)
    return PromiseOutcome("open", round_half_up(received, digits), None)
