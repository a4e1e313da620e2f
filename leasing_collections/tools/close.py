"""The daily close's figures of a lease, worked in whole units of its currency (pure Python).

The rules are those of ``penalty.py`` (the penalty interest of an instalment) and ``aging.py``
(days past due, amount overdue, bucket changes); here they are worked for all the instalments
of a lease at once, in integers: money read from the ledger is a whole number of the
currency's smallest unit (cents, for 2 decimals), so the stretches of unpaid amount x days are
integers, and the one division of the penalty is done exactly, then rounded half-up once to
the unit, as ``round_half_up`` / the models' currency rounding does it. The figures are the
same as those functions' (``tests/test_collections_engine.py`` checks it on random cases);
the close of 100,000 leases needs them without building a ``Fraction`` per operation.

An amount that is not a whole number of units (``to_units`` gives None) is for the exact
functions: the caller uses them instead.
"""

import bisect
from collections import namedtuple
from datetime import timedelta

from .aging import BucketChange, bucket_of
from .exact import exact

__all__ = ["LeaseFigures", "PenaltyTerms", "UnitInstalment", "lease_figures", "penalty_terms", "to_units"]

# An instalment in whole units: ``amount`` an int, ``payments`` ((date, int), ...) in date order.
UnitInstalment = namedtuple("UnitInstalment", "key due_date amount payments")
# The penalty terms of a plan, as exact ratios: the daily rate in percent, the cap in percent of
# the amount (0: none), the grace days.
PenaltyTerms = namedtuple("PenaltyTerms", "rate_num rate_den grace_days cap_num cap_den")
# ``lines``: (key, days past due, penalty in units, rounded) of each instalment, in the given
# order; ``days_past_due`` and ``amount_overdue`` (units) of the lease; ``changes``: the
# ``BucketChange`` tuples of ``aging_changes`` (their amount overdue in units).
LeaseFigures = namedtuple("LeaseFigures", "lines days_past_due amount_overdue changes")

ONE_DAY = timedelta(days=1)
# Below this magnitude two multiples of 10**-digits (digits <= 6) never round to the same float:
# a float gives back its units through float arithmetic alone (see ``to_units``).
_FAST_MAGNITUDE = 1e9


def to_units(value, digits=2):
    """``value`` in whole units of 10**-``digits`` (an int), when it is a whole number of them
    (a float standing for the decimal it prints as, as ``exact`` reads it); None otherwise."""
    scale = 10**digits
    if type(value) is float and -_FAST_MAGNITUDE < value < _FAST_MAGNITUDE and digits <= 6:
        units = round(value * scale)
        # int / int is correctly rounded: it gives back the float exactly when the float is the
        # one nearest to units x 10**-digits, i.e. when it prints as that decimal.
        return units if units / scale == value else None
    scaled = exact(value) * scale
    return scaled.numerator if scaled.denominator == 1 else None


def penalty_terms(rate, grace_days=0, cap_pct=0):
    """The ``PenaltyTerms`` of a plan: ``rate`` the daily rate in percent, ``grace_days``,
    ``cap_pct`` the cap in percent of the amount (0: none). Refused as ``instalment_penalty``
    refuses them (``ValueError``)."""
    rate, cap = exact(rate), exact(cap_pct)
    if rate < 0:
        raise ValueError("The daily penalty rate cannot be negative.")
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < 0:
        raise ValueError("The grace days must be a whole number of days, 0 or more, not %r." % (grace_days,))
    if not 0 <= cap <= 100:
        raise ValueError("The penalty cap must lie between 0 and 100 %%, not %s %%." % (cap_pct,))
    return PenaltyTerms(rate.numerator, rate.denominator, grace_days, cap.numerator, cap.denominator)


def _paid_by(dates, totals, day):
    """What the payments (their ``dates`` in order, running ``totals``) paid by the end of ``day``."""
    index = bisect.bisect_right(dates, day)
    return totals[index - 1] if index else 0


def _penalty(amount, due_date, payments, as_of, terms):
    """``instalment_penalty`` of one instalment in units, rounded half-up to the unit."""
    if as_of <= due_date or not amount or not terms.rate_num:
        return 0
    paid = [(day, value) for day, value in payments if day <= as_of]
    if terms.grace_days:
        grace_end = due_date + timedelta(days=terms.grace_days)
        if as_of <= grace_end or amount <= sum(value for day, value in paid if day <= grace_end):
            return 0
    first = due_date + ONE_DAY
    settled = sum(value for day, value in paid if day < first)
    cursor, total = first, 0
    for day, value in paid:
        if day < first:
            continue
        total += max(amount - settled, 0) * (day - cursor).days
        settled += value
        cursor = day
    total += max(amount - settled, 0) * ((as_of - cursor).days + 1)
    # total x rate / 100 (units), at most amount x cap / 100: compared, then rounded, exactly.
    num, den = total * terms.rate_num, 100 * terms.rate_den
    if terms.cap_num:
        cap_num, cap_den = amount * terms.cap_num, 100 * terms.cap_den
        if cap_num * den < num * cap_den:
            num, den = cap_num, cap_den
    return (2 * num + den) // (2 * den)


def lease_figures(instalments, as_of, terms, buckets, bucket_before, since):
    """The close's figures of a lease on ``as_of``, from its ``instalments`` in arrears
    (``UnitInstalment``: amounts and payments in whole units, payments in date order; those
    of a lease the close reads: invoiced, due before ``as_of``, not paid by their due date) and
    its plan's penalty ``terms`` (``penalty_terms``). ``buckets``, ``bucket_before`` and
    ``since`` are ``aging_changes``'s.

    Return a ``LeaseFigures``: each instalment's days past due (``days_past_due``) and penalty
    (``instalment_penalty``, rounded half-up to the unit), the lease's days past due and amount
    overdue (``contract_arrears``) and its bucket changes (``aging_changes``)."""
    # Payment dates and running totals, once per instalment: what is unpaid on a day is a bisect.
    ledgers = []
    for instalment in instalments:
        dates, totals, running = [], [], 0
        for day, value in instalment.payments:
            running += value
            dates.append(day)
            totals.append(running)
        ledgers.append((instalment.due_date, instalment.amount, dates, totals))

    def arrears(day):
        oldest, overdue = None, 0
        for due_date, amount, dates, totals in ledgers:
            if due_date >= day:
                continue
            unpaid = amount - _paid_by(dates, totals, day)
            if unpaid > 0:
                overdue += unpaid
                if oldest is None or due_date < oldest:
                    oldest = due_date
        return ((day - oldest).days if oldest else 0), overdue

    lines = []
    for instalment, (due_date, amount, dates, totals) in zip(instalments, ledgers):
        unpaid = due_date < as_of and amount - _paid_by(dates, totals, as_of) > 0
        lines.append(
            (
                instalment.key,
                (as_of - due_date).days if unpaid else 0,
                _penalty(amount, due_date, instalment.payments, as_of, terms),
            )
        )
    dpd, overdue = arrears(as_of)

    if since is None or as_of <= since + ONE_DAY:
        # The close run again, or the day after the previous one (every night): the one day.
        days = [as_of]
    else:
        candidates = {since + ONE_DAY, as_of}
        for instalment in instalments:
            candidates.add(instalment.due_date + ONE_DAY)
            candidates.update(day for day, _value in instalment.payments)
            candidates.update(instalment.due_date + timedelta(days=bucket.min_days) for bucket in buckets)
        days = sorted(day for day in candidates if since < day <= as_of)
    changes, current = [], bucket_before
    for day in days:
        day_dpd, day_overdue = (dpd, overdue) if day == as_of else arrears(day)
        bucket = bucket_of(day_dpd, buckets)
        if bucket != current:
            changes.append(BucketChange(day, current, bucket, day_dpd, day_overdue))
            current = bucket
    return LeaseFigures(lines, dpd, overdue, changes)
