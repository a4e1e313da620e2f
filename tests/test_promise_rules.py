"""Promises to pay: what counts towards a promise and when it is kept or broken, from cases
worked out on a calendar (leasing_collections/tools/promises.py)."""

import importlib
from datetime import date
from fractions import Fraction

import pytest

from tests._collections_engine import load_engine

promises = importlib.import_module(f"{load_engine().__name__}.promises")

MADE = date(2026, 3, 10)
PROMISED = date(2026, 3, 20)
# A lease's payments around a promise made on the 10th for the 20th.
PAYMENTS = [
    (date(2026, 3, 9), 500.0),  # the day before the promise: already there
    (date(2026, 3, 10), 300.0),  # the day it was made: counts
    (date(2026, 3, 15), 200.55),
    (date(2026, 3, 20), 99.45),  # its date: counts
    (date(2026, 3, 21), 1000.0),  # too late
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 3, 9), Fraction(0)),  # nothing since the promise yet
        (date(2026, 3, 10), Fraction(300)),
        (date(2026, 3, 14), Fraction(300)),
        (date(2026, 3, 15), Fraction(50055, 100)),  # 300 + 200.55
        (date(2026, 3, 20), Fraction(600)),  # 300 + 200.55 + 99.45
        (date(2026, 3, 25), Fraction(600)),  # the 21st's payment came after its date
    ],
)
def test_received_for_promise(as_of, expected):
    assert promises.received_for_promise(PAYMENTS, MADE, PROMISED, as_of) == expected


def test_received_for_promise_in_any_order_and_exactly():
    # 0.1 + 0.2 is three tenths exactly, not 0.30000000000000004.
    payments = [(date(2026, 3, 12), 0.2), (date(2026, 3, 11), 0.1)]
    assert promises.received_for_promise(payments, MADE, PROMISED, PROMISED) == Fraction(3, 10)


@pytest.mark.parametrize(
    ("amount", "as_of", "expected"),
    [
        # 600.00 promised: 300.00 on the 10th, 500.55 by the 15th, 600.00 on the 20th.
        (600.0, date(2026, 3, 12), ("open", 300.0, None)),  # paid in part, before its date
        (600.0, date(2026, 3, 19), ("open", 500.55, None)),
        (600.0, date(2026, 3, 20), ("kept", 600.0, date(2026, 3, 20))),  # on its date, to the cent
        (600.0, date(2026, 3, 21), ("kept", 600.0, date(2026, 3, 20))),  # seen by a later close
        # 500.00 promised: reached on the 15th (300.00 + 200.55), before its date.
        (500.0, date(2026, 3, 15), ("kept", 500.55, date(2026, 3, 15))),
        # 600.01 promised: one cent short on its date, broken the day after.
        (600.01, date(2026, 3, 20), ("open", 600.0, None)),
        (600.01, date(2026, 3, 21), ("broken", 600.0, None)),
        # The 21st's 1,000.00 came too late for any promise for the 20th.
        (1000.0, date(2026, 4, 30), ("broken", 600.0, None)),
    ],
)
def test_promise_outcome(amount, as_of, expected):
    outcome = promises.promise_outcome(amount, PAYMENTS, MADE, PROMISED, as_of)
    assert tuple(outcome) == expected
    assert (outcome.state, outcome.received, outcome.kept_on) == expected


def test_promise_outcome_rounds_once_to_the_currency():
    # Three payments of 33.333 (a currency of three decimals) reach 99.999 exactly.
    payments = [(date(2026, 3, 11 + day), 33.333) for day in range(3)]
    outcome = promises.promise_outcome(99.999, payments, MADE, PROMISED, PROMISED, digits=3)
    assert outcome == ("kept", 99.999, date(2026, 3, 13))
    # In a currency without decimals, 99.999 received shows as 100.
    outcome = promises.promise_outcome(101, payments, MADE, PROMISED, date(2026, 3, 21), digits=0)
    assert outcome == ("broken", 100.0, None)


def test_a_promise_made_for_its_own_day():
    payments = [(MADE, 250.0)]
    assert promises.promise_outcome(250.0, payments, MADE, MADE, MADE) == ("kept", 250.0, MADE)
    assert promises.promise_outcome(250.01, payments, MADE, MADE, date(2026, 3, 11)) == ("broken", 250.0, None)


@pytest.mark.parametrize("amount", [0, 0.0, -10.0])
def test_a_promise_of_nothing_is_refused(amount):
    with pytest.raises(ValueError, match="positive amount"):
        promises.promise_outcome(amount, [], MADE, PROMISED, PROMISED)


@pytest.mark.parametrize(
    "args",
    [
        ([], "2026-03-10", PROMISED, PROMISED),
        ([], MADE, None, PROMISED),
        ([("2026-03-11", 5.0)], MADE, PROMISED, PROMISED),
    ],
)
def test_dates_must_be_dates(args):
    with pytest.raises(ValueError, match="must be a date"):
        promises.received_for_promise(*args)
