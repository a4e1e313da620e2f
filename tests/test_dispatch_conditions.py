"""The conditions of a dispatch request (leasing_fleet/tools/dispatch_conditions.py): each one on
its own, from a lease that meets them all, changing one fact at a time."""

from dataclasses import replace
from datetime import date

import pytest

from tests._fleet_engine import fleet_engine as engine

Facts = engine.DispatchFacts
evaluate = engine.evaluate_conditions

ALL_MET = Facts(
    lease_state="active",
    signing_date=date(2026, 3, 2),
    signed_document=True,
    upfront_due=True,
    upfront_invoice_state="posted",
    upfront_payment_state="paid",
    missing_documents=(),
    other_leases_overdue=(),
    review_state="done",
    review_recommendation="approve",
)
CODES = [
    "lease_approved",
    "contract_signed",
    "upfront_paid",
    "documents",
    "no_overdue",
    "credit_review",
]


def unmet(facts):
    return [code for code, met in evaluate(facts) if not met]


def test_every_condition_in_order_all_met():
    assert evaluate(ALL_MET) == [(code, True) for code in CODES]


@pytest.mark.parametrize(
    ("state", "met"),
    [
        ("draft", False),
        ("review", False),
        ("approved", True),
        ("active", True),
        ("closed", False),
        ("cancelled", False),
    ],
)
def test_lease_state(state, met):
    assert ("lease_approved" not in unmet(replace(ALL_MET, lease_state=state))) is met


@pytest.mark.parametrize(
    ("signing_date", "document", "met"),
    [(date(2026, 3, 2), True, True), (None, True, False), (date(2026, 3, 2), False, False), (None, False, False)],
)
def test_contract_signed_needs_date_and_document(signing_date, document, met):
    facts = replace(ALL_MET, signing_date=signing_date, signed_document=document)
    assert ("contract_signed" not in unmet(facts)) is met


@pytest.mark.parametrize(
    ("due", "invoice_state", "payment_state", "met"),
    [
        (True, "posted", "paid", True),
        (True, "posted", "in_payment", True),
        (True, "posted", "partial", False),
        (True, "posted", "not_paid", False),
        (True, "draft", "paid", False),
        # Approved, not yet activated: the up-front invoice does not exist yet.
        (True, None, None, False),
        # Neither down payment nor deposit: nothing to pay before the units leave.
        (False, None, None, True),
    ],
)
def test_upfront_invoice_paid(due, invoice_state, payment_state, met):
    facts = replace(ALL_MET, upfront_due=due, upfront_invoice_state=invoice_state, upfront_payment_state=payment_state)
    assert ("upfront_paid" not in unmet(facts)) is met


def test_missing_documents_and_overdue_leases():
    assert unmet(replace(ALL_MET, missing_documents=("Business licence",))) == ["documents"]
    assert unmet(replace(ALL_MET, other_leases_overdue=("LC/2026/00003",))) == ["no_overdue"]


@pytest.mark.parametrize(
    ("state", "recommendation", "met"),
    [
        ("done", "approve", True),
        ("done", "approve_conditions", True),
        ("done", "reject", False),
        ("done", None, False),
        # No completed review at all.
        (None, None, False),
        ("draft", "approve", False),
    ],
)
def test_credit_review(state, recommendation, met):
    facts = replace(ALL_MET, review_state=state, review_recommendation=recommendation)
    assert ("credit_review" not in unmet(facts)) is met


def test_several_unmet_at_once_keep_their_order():
    facts = replace(ALL_MET, lease_state="review", signed_document=False, review_recommendation="reject")
    assert unmet(facts) == ["lease_approved", "contract_signed", "credit_review"]
