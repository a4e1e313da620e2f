"""The dispatch's spreading of cases across collectors (leasing_collections/tools/dispatch.py),
from distributions worked out by hand."""

import importlib

import pytest

from tests._collections_engine import load_engine

dispatch = importlib.import_module(f"{load_engine().__name__}.dispatch")
spread, Load = dispatch.spread, dispatch.Load


def by_member(assignment):
    """{member: sorted case keys}."""
    result = {}
    for key, member in assignment.items():
        result.setdefault(member, []).append(key)
    return {member: sorted(keys) for member, keys in result.items()}


def test_by_count_round_robin_from_empty():
    # Five cases, two collectors with nothing yet: ties go to the first listed, then alternate.
    # Every case weighs 1, so they are taken by key: 1 -> A, 2 -> B, 3 -> A, 4 -> B, 5 -> A.
    cases = [(key, 100.0 * key) for key in (5, 3, 1, 4, 2)]
    assert by_member(spread(cases, ["A", "B"], "count")) == {"A": [1, 3, 5], "B": [2, 4]}


def test_by_count_counts_the_cases_already_worked():
    # A already works 3 cases, B 1, C none. Case 1 -> C (0); then B and C both at 1: B, listed
    # first, gets 2; C (1 < 2) gets 3; B and C both at 2: B gets 4. Final loads A 3, B 3, C 2.
    cases = [(1, 10.0), (2, 10.0), (3, 10.0), (4, 10.0)]
    loads = {"A": Load(3, 900.0), "B": Load(1, 50.0)}
    assert spread(cases, ["A", "B", "C"], "count", loads) == {1: "C", 2: "B", 3: "C", 4: "B"}


def test_by_amount_largest_first_to_the_least_loaded():
    # Amounts 900, 700, 400, 300, 200, 100 to A and B, from nothing:
    # 900 -> A (tie, first listed)        A 900  B 0
    # 700 -> B                            A 900  B 700
    # 400 -> B                            A 900  B 1100
    # 300 -> A                            A 1200 B 1100
    # 200 -> B                            A 1200 B 1300
    # 100 -> A                            A 1300 B 1300
    cases = [("c100", 100.0), ("c400", 400.0), ("c900", 900.0), ("c200", 200.0), ("c700", 700.0), ("c300", 300.0)]
    assignment = spread(cases, ["A", "B"], "amount")
    assert by_member(assignment) == {"A": ["c100", "c300", "c900"], "B": ["c200", "c400", "c700"]}


def test_by_amount_counts_the_amount_already_worked():
    # B already works 1,000.00 overdue, A nothing: A takes 600 and 500 (A 1100 > B 1000 after
    # them), then 200 goes to B (1000 < 1100).
    cases = [(1, 600.0), (2, 500.0), (3, 200.0)]
    loads = {"B": Load(2, 1000.0)}
    assert spread(cases, ["A", "B"], "amount", loads) == {1: "A", 2: "A", 3: "B"}


def test_by_amount_equal_loads_break_on_fewer_cases():
    # A and B both at 500 overdue, A with 5 cases, B with 1: the next case goes to B.
    loads = {"A": Load(5, 500.0), "B": Load(1, 500.0)}
    assert spread([(1, 50.0)], ["A", "B"], "amount", loads) == {1: "B"}


def test_one_collector_takes_everything():
    assert spread([(1, 1.0), (2, 2.0)], ["A"], "amount") == {1: "A", 2: "A"}


def test_deterministic_whatever_the_order_of_the_cases():
    cases = [(key, float(key % 7) * 100) for key in range(1, 30)]
    first = spread(cases, ["A", "B", "C"], "amount")
    assert spread(list(reversed(cases)), ["A", "B", "C"], "amount") == first
    # Spread by count, 29 cases over 3 collectors: 10, 10, 9.
    counts = by_member(spread(cases, ["A", "B", "C"], "count"))
    assert [len(counts[m]) for m in "ABC"] == [10, 10, 9]


def test_no_case_no_assignment():
    assert spread([], ["A"], "count") == {}


@pytest.mark.parametrize(
    ("cases", "members", "mode", "message"),
    [
        ([(1, 1.0)], [], "count", "No collector"),
        ([(1, 1.0)], ["A", "A"], "count", "listed twice"),
        ([(1, 1.0)], ["A"], "weight", "Unknown dispatch mode"),
        ([(1, -1.0)], ["A"], "amount", "cannot be negative"),
    ],
)
def test_bad_input(cases, members, mode, message):
    with pytest.raises(ValueError, match=message):
        spread(cases, members, mode)
