"""Calendar rules of the engine: month arithmetic from the start date."""

from datetime import date

import pytest

from tests._engine import engine

ADD_MONTHS_CASES = [
    # (start, months, expected)
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2023, 1, 31), 2, date(2023, 3, 31)),  # from the start: no drift
    (date(2023, 1, 31), 3, date(2023, 4, 30)),
    (date(2023, 1, 31), 12, date(2024, 1, 31)),
    (date(2023, 1, 31), 13, date(2024, 2, 29)),
    (date(2023, 1, 30), 1, date(2023, 2, 28)),
    (date(2023, 1, 29), 1, date(2023, 2, 28)),
    (date(2024, 1, 29), 1, date(2024, 2, 29)),
    (date(2023, 1, 28), 1, date(2023, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2100, 1, 31), 1, date(2100, 2, 28)),  # not a leap year
    (date(2000, 1, 31), 1, date(2000, 2, 29)),  # leap year (divisible by 400)
    (date(2023, 12, 15), 1, date(2024, 1, 15)),  # year rollover
    (date(2023, 12, 31), 1, date(2024, 1, 31)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),  # quarterly from Nov 30
    (date(2023, 11, 30), 6, date(2024, 5, 30)),
    (date(2023, 11, 30), 9, date(2024, 8, 30)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2023, 5, 31), 1, date(2023, 6, 30)),
    (date(2023, 3, 31), -1, date(2023, 2, 28)),
    (date(2024, 1, 15), -1, date(2023, 12, 15)),
    (date(2023, 6, 15), 0, date(2023, 6, 15)),
    (date(2023, 6, 15), 120, date(2033, 6, 15)),
]


@pytest.mark.parametrize("start, months, expected", ADD_MONTHS_CASES)
def test_add_months(start, months, expected):
    assert engine.add_months(start, months) == expected


def test_monthly_from_january_31_arrears():
    assert engine.due_dates(date(2023, 1, 31), 5, 1, "arrears") == [
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
        date(2023, 5, 31),
        date(2023, 6, 30),
    ]


def test_monthly_from_january_31_advance_leap_year():
    assert engine.due_dates(date(2024, 1, 31), 4, 1, "advance") == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_quarterly_from_november_30():
    assert engine.due_dates(date(2023, 11, 30), 5, 3, "arrears") == [
        date(2024, 2, 29),
        date(2024, 5, 30),
        date(2024, 8, 30),
        date(2024, 11, 30),
        date(2025, 2, 28),
    ]
    assert engine.due_dates(date(2023, 11, 30), 2, 3, "advance") == [
        date(2023, 11, 30),
        date(2024, 2, 29),
    ]


def test_semi_annual_and_annual_from_august_31():
    assert engine.due_dates(date(2023, 8, 31), 3, 6, "arrears") == [
        date(2024, 2, 29),
        date(2024, 8, 31),
        date(2025, 2, 28),
    ]
    assert engine.due_dates(date(2024, 2, 29), 3, 12, "arrears") == [
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
    ]


def test_december_rollover_monthly():
    assert engine.due_dates(date(2023, 11, 10), 3, 1, "arrears") == [
        date(2023, 12, 10),
        date(2024, 1, 10),
        date(2024, 2, 10),
    ]


def test_advance_is_arrears_shifted_by_one_period():
    start = date(2022, 10, 31)
    arrears = engine.due_dates(start, 24, 1, "arrears")
    advance = engine.due_dates(start, 24, 1, "advance")
    assert advance[0] == start
    assert advance[1:] == arrears[:-1]


@pytest.mark.parametrize(
    "start, n, period, expected",
    [
        (date(2023, 1, 31), 1, 1, date(2023, 2, 28)),
        (date(2023, 1, 31), 12, 1, date(2024, 1, 31)),
        (date(2023, 11, 30), 4, 3, date(2024, 11, 30)),
        (date(2024, 2, 29), 2, 6, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, 12, date(2028, 2, 29)),
    ],
)
def test_end_date(start, n, period, expected):
    assert engine.end_date(start, n, period) == expected
    # In arrears the contract ends with the last instalment.
    assert engine.due_dates(start, n, period, "arrears")[-1] == expected


def test_zero_instalments():
    assert engine.due_dates(date(2023, 1, 1), 0, 1, "arrears") == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period_months": 2, "timing": "arrears"},
        {"period_months": 1, "timing": "monthly"},
    ],
)
def test_due_dates_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        engine.due_dates(date(2023, 1, 1), 3, **kwargs)


def test_end_date_rejects_bad_period():
    with pytest.raises(ValueError):
        engine.end_date(date(2023, 1, 1), 3, 4)


@pytest.mark.parametrize(
    "year, expected",
    [(2023, False), (2024, True), (1900, False), (2000, True), (2100, False)],
)
def test_leap_years(year, expected):
    assert engine.is_leap_year(year) is expected
    assert engine.days_in_month(year, 2) == (29 if expected else 28)
