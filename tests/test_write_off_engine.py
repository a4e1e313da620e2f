"""What a written-off lease recovers from the lessee's payments
(leasing_collections/tools/write_off.py), worked out by hand."""

import pytest

from tests._collections_engine import collections_engine as engine

recovery_split = engine.recovery_split


@pytest.mark.parametrize(
    ("credits", "written_off", "recovered", "expected"),
    [
        # 4,457.52 written off, nothing recovered: 500.00 is recovered in full.
        ([500.0], 4457.52, 0.0, [500.0]),
        # 500.00 recovered already: of 5,000.00, the 3,957.52 left; 1,042.48 stays the balance.
        ([5000.0], 4457.52, 500.0, [3957.52]),
        # Oldest first: 300.00, then 200.00 of 500.00 reach the 500.00 left of 600.00 less 100.00.
        ([300.0, 500.0, 50.0], 600.0, 100.0, [300.0, 200.0, 0.0]),
        # Everything recovered: nothing more.
        ([10.0], 4457.52, 4457.52, [0.0]),
        # No payment: nothing.
        ([], 100.0, 0.0, []),
        # Exact cents, no float drift: 0.1 + 0.2 of 0.3.
        ([0.1, 0.2, 0.1], 0.3, 0.0, [0.1, 0.2, 0.0]),
    ],
)
def test_recovery_split(credits, written_off, recovered, expected):
    assert recovery_split(credits, written_off, recovered) == expected


def test_recovered_more_than_written_off_recovers_nothing():
    # A recovery reversed by hand and booked twice cannot make the lease recover more.
    assert recovery_split([100.0], 50.0, 80.0) == [0.0]


def test_negative_credit_is_refused():
    with pytest.raises(ValueError, match="positive"):
        recovery_split([-1.0], 100.0, 0.0)
