"""When the penalty interest is billed: the plan's billing day of the month, from tables of cases
worked out on a calendar."""

import importlib
from datetime import date

import pytest

from tests._collections_engine import load_engine

billing = importlib.import_module(f"{load_engine().__name__}.billing")


@pytest.mark.parametrize(
    ("day", "until", "expected"),
    [
        (10, date(2026, 4, 10), date(2026, 4, 10)),  # the day itself
        (10, date(2026, 4, 30), date(2026, 4, 10)),
        (10, date(2026, 4, 9), date(2026, 3, 10)),  # not yet this month: last month's
        (28, date(2026, 3, 1), date(2026, 2, 28)),  # February has a 28th
        (1, date(2026, 1, 1), date(2026, 1, 1)),
        (15, date(2026, 1, 14), date(2025, 12, 15)),  # across the year
        (28, date(2024, 2, 29), date(2024, 2, 28)),  # leap day
    ],
)
def test_last_billing_day(day, until, expected):
    assert billing.last_billing_day(day, until) == expected


@pytest.mark.parametrize(
    ("day", "after", "until", "expected"),
    [
        (10, date(2026, 4, 9), date(2026, 4, 10), True),  # the billing day's close
        (10, date(2026, 4, 10), date(2026, 4, 11), False),  # billed the day before
        (10, date(2026, 4, 10), date(2026, 4, 10), False),  # billed that very day
        (10, date(2026, 4, 7), date(2026, 4, 13), True),  # billed before; no close on the billing day
        (10, date(2026, 4, 11), date(2026, 5, 9), False),  # a month without its billing day yet
        (10, date(2026, 3, 1), date(2026, 5, 20), True),  # two billing days missed: billed once
        (10, None, date(2026, 4, 3), True),  # no day to start from
        (1, date(2026, 4, 30), date(2026, 5, 1), True),
        (1, date(2026, 5, 1), date(2026, 4, 30), False),  # billed after this date
    ],
)
def test_billing_day_between(day, after, until, expected):
    assert billing.billing_day_between(day, after, until) is expected


@pytest.mark.parametrize("day", [0, 29, 31, -1, True, 1.0, "1"])
def test_billing_day_out_of_range(day):
    with pytest.raises(ValueError):
        billing.last_billing_day(day, date(2026, 4, 10))


def test_date_required():
    with pytest.raises(ValueError):
        billing.last_billing_day(1, "2026-04-10")
