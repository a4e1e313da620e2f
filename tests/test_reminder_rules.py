"""Which reminder levels fall due (leasing_collections/tools/reminders.py), from tables of cases
worked out by hand: an instalment due on 2026-03-31 and the default levels (-3, 1, 7, 15, 15, 30
days from the due date)."""

import importlib
from datetime import date, timedelta

import pytest

from tests._collections_engine import load_engine

rules = importlib.import_module(f"{load_engine().__name__}.reminders")

DUE = date(2026, 3, 31)
LEVELS = [("before 3", -3), ("sms 1", 1), ("call 7", 7), ("email 15", 15), ("letter 15", 15), ("letter 30", 30)]


def dpd(close_date, paid_on=None):
    """Days past due on ``close_date`` of the instalment due on DUE, unpaid until ``paid_on``."""
    if paid_on and paid_on <= close_date:
        return 0
    return max((close_date - DUE).days, 0)


@pytest.mark.parametrize(
    ("close_date", "expected"),
    [
        # Before the "due in 3 days" window: nothing.
        (date(2026, 3, 27), []),
        # From March 28 to the due date itself: the level before the due date.
        (date(2026, 3, 28), ["before 3"]),
        (date(2026, 3, 31), ["before 3"]),
        # The day after: 1 day late, the SMS; the level before the due date no longer.
        (date(2026, 4, 1), ["sms 1"]),
        (date(2026, 4, 6), ["sms 1"]),
        (date(2026, 4, 7), ["sms 1", "call 7"]),
        # Catch-up: every level reached is due (the caller sends each once).
        (date(2026, 4, 15), ["sms 1", "call 7", "email 15", "letter 15"]),
        (date(2026, 4, 29), ["sms 1", "call 7", "email 15", "letter 15"]),
        (date(2026, 4, 30), ["sms 1", "call 7", "email 15", "letter 15", "letter 30"]),
        (date(2026, 9, 1), ["sms 1", "call 7", "email 15", "letter 15", "letter 30"]),
    ],
)
def test_levels_due_while_unpaid(close_date, expected):
    assert rules.levels_due(LEVELS, DUE, close_date, dpd(close_date), unpaid=True) == expected


@pytest.mark.parametrize("close_date", [date(2026, 3, 29), date(2026, 4, 1), date(2026, 5, 15)])
def test_paid_instalment_is_due_nothing(close_date):
    assert rules.levels_due(LEVELS, DUE, close_date, 0, unpaid=False) == []


def test_paid_late_stops_the_levels_after_the_due_date():
    """Paid on April 3: the close of April 10 finds it 0 days past due; nothing is due."""
    close_date = date(2026, 4, 10)
    assert rules.levels_due(LEVELS, DUE, close_date, dpd(close_date, date(2026, 4, 3)), unpaid=False) == []


def test_level_on_the_due_date():
    for offset, due in [(-1, False), (0, True), (1, False)]:
        assert rules.level_due(0, DUE, DUE + timedelta(days=offset), max(offset, 0), True) is due


def test_before_due_window():
    assert rules.before_due_window(LEVELS, date(2026, 3, 28)) == (date(2026, 3, 28), date(2026, 3, 31))
    assert rules.before_due_window([("a", -10), ("b", 0), ("c", 5)], DUE) == (DUE, date(2026, 4, 10))
    assert rules.before_due_window([("c", 5)], DUE) is None
    # Every instalment the window leaves out is due nothing before its due date.
    for due in (date(2026, 3, 27), date(2026, 4, 1)):
        assert rules.levels_due(LEVELS[:1], due, date(2026, 3, 28), 0, unpaid=True) == []


def test_bounds():
    assert (rules.MIN_LEVEL_DAYS, rules.MAX_LEVEL_DAYS) == (-365, 3650)
