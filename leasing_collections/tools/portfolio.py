"""Portfolio at risk and roll rates (pure Python, no Odoo).

**Outstanding principal** of a lease on a day ``D`` (end of day): the principal of its
instalments not yet repaid on ``D``, whether due or not. An instalment counts from the lease's
start date until the day it is repaid in full (the date of the payment that completes it); one
never repaid counts on every day from the start. A lease that has not started by ``D`` has none.

**Days past due** of a lease on ``D``: ``D`` less the due date of its oldest billed instalment
due before ``D`` and not repaid in full on ``D`` (0 when there is none), as the daily close
counts them (``aging.contract_arrears``).

**PAR n** (portfolio at risk) on ``D``: the outstanding principal of the leases more than ``n``
days past due on ``D``, whole (what is due and what is not yet due), over the outstanding
principal of every lease: the share of the portfolio that a late lessee puts at risk.

**Roll rate** from month ``m-1`` to month ``m``: of the leases in a bucket at the end of
``m-1``, the share found in each bucket at the end of ``m`` (the diagonal stays, below it
cures, above it rolls forward).

Leases are ``Lease`` tuples (a key, the start date and ``PrincipalLine`` tuples); a line has
its due date, principal, whether it is billed (its invoice posted) and the day it was repaid in
full (``None`` while it is not). Amounts are exact (``exact``); ratios are ``Fraction``.
"""

import calendar
from collections import Counter, namedtuple
from datetime import date
from fractions import Fraction

from .exact import exact

__all__ = [
    "PAR_THRESHOLDS",
    "Lease",
    "PrincipalLine",
    "bucket_on",
    "lease_days_past_due",
    "month_ends",
    "outstanding_principal",
    "portfolio_at_risk",
    "roll_rates",
]

PAR_THRESHOLDS = (30, 60, 90)

PrincipalLine = namedtuple("PrincipalLine", "due_date principal billed repaid_on")
Lease = namedtuple("Lease", "key start_date lines")
PortfolioAtRisk = namedtuple("PortfolioAtRisk", "outstanding amounts counts ratios")
RollRates = namedtuple("RollRates", "counts totals shares")


def _repaid(line, day):
    return line.repaid_on is not None and line.repaid_on <= day


def outstanding_principal(lease, day):
    """Outstanding principal of ``lease`` at the end of ``day`` (an exact ``Fraction``)."""
    if lease.start_date is None or lease.start_date > day:
        return Fraction(0)
    return sum((exact(line.principal) for line in lease.lines if not _repaid(line, day)), Fraction(0))


def lease_days_past_due(lease, day):
    """Days past due of ``lease`` at the end of ``day``: of its oldest billed instalment due
    before ``day`` and not repaid in full on it; 0 if none."""
    oldest = min(
        (line.due_date for line in lease.lines if line.billed and line.due_date < day and not _repaid(line, day)),
        default=None,
    )
    return (day - oldest).days if oldest else 0


def portfolio_at_risk(leases, day, thresholds=PAR_THRESHOLDS):
    """The portfolio at risk of ``leases`` on ``day``: a ``PortfolioAtRisk`` tuple of the
    outstanding principal of all of them, and for each threshold ``n`` of ``thresholds``
    ({n: value} dicts) the outstanding principal of the leases more than ``n`` days past due
    (``amounts``), their number (``counts``) and its share of the whole (``ratios``, a
    ``Fraction`` from 0 to 1; 0 for an empty portfolio)."""
    total = Fraction(0)
    amounts = dict.fromkeys(thresholds, Fraction(0))
    counts = dict.fromkeys(thresholds, 0)
    for lease in leases:
        outstanding = outstanding_principal(lease, day)
        total += outstanding
        dpd = lease_days_past_due(lease, day)
        for threshold in thresholds:
            if dpd > threshold:
                amounts[threshold] += outstanding
                counts[threshold] += 1
    ratios = {threshold: (amounts[threshold] / total if total else Fraction(0)) for threshold in thresholds}
    return PortfolioAtRisk(total, amounts, counts, ratios)


def month_ends(first, last):
    """The days a monthly report looks at, from the month of ``first`` to ``last``: each month
    end before ``last``, then ``last`` itself (the end of its month, or the day the figures stop,
    for the month under way). Empty when ``last`` is before ``first``."""
    days = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        end = date(year, month, calendar.monthrange(year, month)[1])
        days.append(min(end, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days if first <= last else []


def bucket_on(changes, day, initial):
    """The bucket of a lease at the end of ``day``, from its aging history ``changes``
    ((date, bucket after) pairs, in the order written): the bucket of its last change on or
    before ``day``, or ``initial`` (the bucket of 0 days) before its first change."""
    bucket = initial
    # A stable sort: two changes of one day keep the order they were written in.
    for when, after in sorted(changes, key=lambda change: change[0]):
        if when > day:
            break
        bucket = after
    return bucket


def roll_rates(before, after):
    """The roll rates between two month ends: ``before`` and ``after`` map each lease (its key)
    to its bucket at the end of each month; only the leases in both count (in force at both
    dates). Return a ``RollRates`` tuple: ``counts`` {(bucket from, bucket to): leases},
    ``totals`` {bucket from: leases} and ``shares`` {(from, to): Fraction of the bucket from's
    leases}."""
    counts = Counter((before[key], after[key]) for key in before if key in after)
    totals = Counter()
    for (bucket_from, _bucket_to), count in counts.items():
        totals[bucket_from] += count
    shares = {pair: Fraction(count, totals[pair[0]]) for pair, count in counts.items()}
    return RollRates(dict(counts), dict(totals), shares)
