"""Calendar helpers of the leasing engine (pure Python, no Odoo).

Every due date is computed from the contract's start date, never from the
previous due date, so the day of the month never drifts: a contract starting
on January 31 falls due on February 28 (29 in leap years), March 31,
April 30, ... The day is clamped to the length of the target month.
"""

from datetime import date
from functools import lru_cache
from itertools import repeat

__all__ = [
    "PERIOD_MONTHS",
    "TIMINGS",
    "add_months",
    "days_in_month",
    "due_dates",
    "end_date",
    "is_leap_year",
]

#: Allowed lengths of a period, in months.
PERIOD_MONTHS = (1, 3, 6, 12)
#: Allowed payment timings.
TIMINGS = ("arrears", "advance")

# Length of each month (index 0 = January) of a common year.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap_year(year):
    """Return True when ``year`` is a leap year of the Gregorian calendar."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    """Number of days of ``month`` (1..12) in ``year``."""
    if month == 2 and is_leap_year(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(d, months):
    """Return ``d`` moved by ``months`` calendar months (may be negative).

    The day is clamped to the last day of the target month:
    ``add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)``.
    """
    total = d.month - 1 + months
    year = d.year + total // 12
    month0 = total % 12
    day = d.day
    if day > 28:
        last = _MONTH_DAYS[month0]
        if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            last = 29
        if day > last:
            day = last
    return date(year, month0 + 1, day)


def _check_period(period_months):
    if period_months not in PERIOD_MONTHS:
        raise ValueError("The period must be 1, 3, 6 or 12 months, not %r." % (period_months,))


def _check_timing(timing):
    if timing not in TIMINGS:
        raise ValueError("The payment timing must be 'arrears' or 'advance', not %r." % (timing,))


@lru_cache(maxsize=2048)
def _month_plan(month0, first, count, period_months):
    """Year offsets, months and February positions of the dates
    ``start + j * period_months`` (j = first .. first + count - 1) for a start
    in month ``month0`` (0 = January). Independent of the year and the day,
    so a small cache serves every contract."""
    steps = range(month0 + first * period_months, month0 + (first + count) * period_months, period_months)
    year_runs = []
    months = []
    for t in steps:
        dy = t // 12
        if year_runs and year_runs[-1][0] == dy:
            year_runs[-1][1] += 1
        else:
            year_runs.append([dy, 1])
        months.append(t % 12 + 1)
    year_runs = tuple((dy, cnt) for dy, cnt in year_runs)
    return year_runs, tuple(months)


@lru_cache(maxsize=512)
def _clamped_days(months, day):
    """Day of each month of ``months`` clamped to a common year's month end."""
    return tuple(min(day, _MONTH_DAYS[m - 1]) for m in months)


def _period_dates(start, first, count, period_months):
    """Dates ``start + j * period_months`` months for j in first..first+count-1.

    Each date is computed from ``start`` (no cumulative drift). This is the
    inner loop of the schedule, hence the month plan cache and ``map``.
    """
    y0 = start.year
    day = start.day
    year_runs, months = _month_plan(start.month - 1, first, count, period_months)
    years = []
    for dy, cnt in year_runs:
        years += [y0 + dy] * cnt
    if day <= 28:
        # Every month has at least 28 days: no clamping needed.
        return list(map(date, years, months, repeat(day)))
    days = _clamped_days(months, day)
    if 2 in months:
        days = list(days)
        for j, month in enumerate(months):
            if month == 2:
                year = years[j]
                if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
                    days[j] = 29
    return list(map(date, years, months, days))


def due_dates(start, n, period_months, timing="arrears"):
    """Due dates of the ``n`` instalments of a contract starting on ``start``.

    In arrears instalment k (1..n) is due ``start + k`` periods; in advance it
    is due ``start + (k - 1)`` periods (the first one on the start date).
    """
    _check_period(period_months)
    _check_timing(timing)
    if n < 0:
        raise ValueError("The number of instalments cannot be negative.")
    return _period_dates(start, 1 if timing == "arrears" else 0, n, period_months)


def end_date(start, n, period_months):
    """End of the contract: ``start + n`` periods (the residual's due date)."""
    _check_period(period_months)
    return add_months(start, n * period_months)
