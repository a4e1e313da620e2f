"""Aging buckets and the arrears of a lease (pure Python, no Odoo).

A lease's **days past due** on a date ``D`` are those of its oldest instalment unpaid on ``D``:
``D - due date``, for an instalment due before ``D`` that the payments dated ``D`` or earlier do
not cover; 0 when every instalment due before ``D`` is paid. An **aging bucket** is a range of
days past due, ``min_days`` to ``max_days`` (``None``: no upper limit); a set of buckets starts
at 0, leaves no gap between two buckets, never overlaps, and ends with an open-ended one
(defaults: current, 1-30, 31-60, 61-90, 91-180, over 180).

Instalments are ``Instalment`` tuples: a key the caller chooses, the due date, the amount and
the payments, (date, amount) pairs. Buckets are ``Bucket`` tuples: a key, ``min_days`` and
``max_days``.
"""

from collections import namedtuple
from datetime import timedelta
from fractions import Fraction

from .exact import exact
from .penalty import unpaid_on

__all__ = [
    "Bucket",
    "BucketChange",
    "Instalment",
    "aging_changes",
    "bucket_of",
    "bucket_problems",
    "contract_arrears",
    "days_past_due",
]

Instalment = namedtuple("Instalment", "key due_date amount payments")
Bucket = namedtuple("Bucket", "key min_days max_days")
BucketChange = namedtuple("BucketChange", "day before after days_past_due amount_overdue")

ONE_DAY = timedelta(days=1)


# ----------------------------------------------------------------------
# Buckets
# ----------------------------------------------------------------------
def bucket_problems(buckets):
    """What is wrong with a set of ``buckets``, as a list of ``(problem, details)`` pairs (an
    empty list for a valid set), for the caller to word. The problems, in this order:

    * ``("empty", {})``: no bucket at all;
    * ``("negative", {"bucket": key})``: a bucket starts or ends below 0 days;
    * ``("inverted", {"bucket": key})``: a bucket ends before it starts;
    * ``("start", {"bucket": key, "min_days": n})``: the lowest bucket does not start at 0;
    * ``("overlap", {"bucket": key, "other": key2})``: ``key2`` starts before ``key`` ends;
    * ``("gap", {"bucket": key, "other": key2, "first": n, "last": m})``: no bucket holds the
      days ``n`` to ``m``, between ``key`` and ``key2``;
    * ``("open_ended", {"bucket": key})``: a bucket without an upper limit is not the last one;
    * ``("last_bounded", {"bucket": key})``: the last bucket has an upper limit (the days past
      it would fall in no bucket).
    """
    if not buckets:
        return [("empty", {})]
    problems = []
    for bucket in buckets:
        if bucket.min_days < 0 or (bucket.max_days is not None and bucket.max_days < 0):
            problems.append(("negative", {"bucket": bucket.key}))
        elif bucket.max_days is not None and bucket.max_days < bucket.min_days:
            problems.append(("inverted", {"bucket": bucket.key}))
    if problems:
        return problems
    ordered = sorted(buckets, key=lambda bucket: (bucket.min_days, bucket.max_days is None, bucket.max_days or 0))
    if ordered[0].min_days != 0:
        problems.append(("start", {"bucket": ordered[0].key, "min_days": ordered[0].min_days}))
    for bucket, following in zip(ordered, ordered[1:]):
        if bucket.max_days is None:
            problems.append(("open_ended", {"bucket": bucket.key}))
        elif following.min_days <= bucket.max_days:
            problems.append(("overlap", {"bucket": bucket.key, "other": following.key}))
        elif following.min_days > bucket.max_days + 1:
            problems.append(
                (
                    "gap",
                    {
                        "bucket": bucket.key,
                        "other": following.key,
                        "first": bucket.max_days + 1,
                        "last": following.min_days - 1,
                    },
                )
            )
    if ordered[-1].max_days is not None:
        problems.append(("last_bounded", {"bucket": ordered[-1].key}))
    return problems


def bucket_of(days, buckets):
    """The key of the bucket of ``buckets`` that holds ``days`` past due (None if none does)."""
    for bucket in buckets:
        if bucket.min_days <= days and (bucket.max_days is None or days <= bucket.max_days):
            return bucket.key
    return None


# ----------------------------------------------------------------------
# Arrears
# ----------------------------------------------------------------------
def days_past_due(instalment, as_of):
    """Days past due of one instalment on ``as_of``: ``as_of - due date`` while it is unpaid
    at the end of that day (and due before it), 0 otherwise."""
    if instalment.due_date >= as_of or not unpaid_on(instalment.amount, instalment.payments, as_of):
        return 0
    return (as_of - instalment.due_date).days


def contract_arrears(instalments, as_of):
    """``(days_past_due, amount_overdue)`` of a lease on ``as_of``: the days past due of its
    oldest unpaid instalment (0 if none), and what is unpaid of its instalments due before
    ``as_of`` (an exact ``Fraction``)."""
    oldest, overdue = None, Fraction(0)
    for instalment in instalments:
        if instalment.due_date >= as_of:
            continue
        unpaid = unpaid_on(instalment.amount, instalment.payments, as_of)
        if unpaid:
            overdue += unpaid
            if oldest is None or instalment.due_date < oldest:
                oldest = instalment.due_date
    return ((as_of - oldest).days if oldest else 0), overdue


def aging_changes(instalments, buckets, bucket_before, since, until):
    """The days the lease changes bucket after ``since`` up to ``until``, as ``BucketChange``
    tuples (day, bucket before, bucket after, days past due and amount overdue that day), in
    order.

    ``bucket_before`` is the lease's bucket on ``since`` (its last close). Each day of the
    stretch counts, as if the close had run every day: a catch-up after days without a close
    finds the same changes, on the same days, as the daily closes would have. The days are not
    visited one by one: the bucket can only change on the day after a due date, on a payment
    date, or on a day some unpaid instalment reaches the first day of a bucket; only those days
    are looked at. Without ``since``, or when ``until`` is not after it (the close run again,
    or for an earlier date), ``until`` alone is looked at.
    """
    buckets = [Bucket(bucket.key, bucket.min_days, bucket.max_days) for bucket in buckets]
    instalments = [
        Instalment(
            instalment.key,
            instalment.due_date,
            exact(instalment.amount),
            tuple((day, exact(paid)) for day, paid in instalment.payments),
        )
        for instalment in instalments
    ]
    if since is None or until <= since:
        days = [until]
    else:
        candidates = {since + ONE_DAY, until}
        for instalment in instalments:
            candidates.add(instalment.due_date + ONE_DAY)
            candidates.update(day for day, _paid in instalment.payments)
            candidates.update(instalment.due_date + timedelta(days=bucket.min_days) for bucket in buckets)
        days = sorted(day for day in candidates if since < day <= until)
    changes, current = [], bucket_before
    for day in days:
        dpd, overdue = contract_arrears(instalments, day)
        bucket = bucket_of(dpd, buckets)
        if bucket != current:
            changes.append(BucketChange(day, current, bucket, dpd, overdue))
            current = bucket
    return changes
