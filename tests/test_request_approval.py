"""Who may approve a collection request (leasing_collections/tools/approval.py): the four-eyes
rule and the company's limits, from tables of cases worked out by hand. Limits: waivers above
500.00 need a Leasing Manager; every write-off needs one."""

import importlib
from decimal import Decimal

import pytest

from tests._collections_engine import load_engine

approval = importlib.import_module(f"{load_engine().__name__}.approval")

CM, LM = approval.COLLECTION_MANAGER, approval.LEASING_MANAGER
LIMITS = {"waiver": 500.0}


def compare(a, b):
    """Amounts compared to the cent, as currency.compare_amounts does for 2 decimals."""
    a, b = Decimal(str(a)).quantize(Decimal("0.01")), Decimal(str(b)).quantize(Decimal("0.01"))
    return (a > b) - (a < b)


@pytest.mark.parametrize(
    ("request_type", "amount", "limits", "expected"),
    [
        ("waiver", 499.99, LIMITS, CM),
        ("waiver", 500.00, LIMITS, CM),  # at the limit: not above it
        ("waiver", 500.004, LIMITS, CM),  # 500.00 to the cent
        ("waiver", 500.01, LIMITS, LM),
        ("waiver", 10000.0, {"waiver": 0.0}, CM),  # 0: no limit
        ("waiver", 10000.0, {}, CM),
        ("write_off", 0.0, LIMITS, LM),  # every write-off
        ("write_off", 1.0, {}, LM),
        ("repossession", 0.0, LIMITS, CM),
        ("lock", 0.0, LIMITS, CM),
        ("unlock", 0.0, LIMITS, CM),
        ("settlement", 90000.0, LIMITS, CM),  # no limit set for settlements
        ("settlement", 90000.0, {"settlement": 50000.0}, LM),
    ],
)
def test_required_approver(request_type, amount, limits, expected):
    assert approval.required_approver(request_type, amount, limits, compare) == expected


@pytest.mark.parametrize(
    ("request_type", "amount", "submitter", "approver", "groups", "expected"),
    [
        # A collector, or anyone outside the managers: never.
        ("waiver", 10.0, 1, 2, set(), approval.NOT_MANAGER),
        ("lock", 0.0, 1, 1, set(), approval.NOT_MANAGER),
        # The submitter: never, whatever their groups.
        ("waiver", 10.0, 2, 2, {CM}, approval.OWN_REQUEST),
        ("write_off", 0.0, 2, 2, {CM, LM}, approval.OWN_REQUEST),
        # Another Collection Manager: within the limits.
        ("waiver", 10.0, 1, 2, {CM}, None),
        ("waiver", 500.0, 1, 2, {CM}, None),
        ("waiver", 500.01, 1, 2, {CM}, approval.NEEDS_LEASING_MANAGER),
        ("write_off", 0.0, 1, 2, {CM}, approval.NEEDS_LEASING_MANAGER),
        ("repossession", 0.0, 1, 2, {CM}, None),
        # A Leasing Manager: above the limits too.
        ("waiver", 500.01, 1, 2, {CM, LM}, None),
        ("write_off", 0.0, 1, 2, {LM}, None),
    ],
)
def test_approval_refusal(request_type, amount, submitter, approver, groups, expected):
    refusal = approval.approval_refusal(
        request_type,
        amount,
        submitter_id=submitter,
        approver_id=approver,
        approver_groups=groups,
        limits=LIMITS,
        compare=compare,
    )
    assert refusal == expected
