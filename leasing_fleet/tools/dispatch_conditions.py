"""The conditions a dispatch request checks before its units leave a branch.

Pure rules, no ORM: the request gathers the facts of its lease (plain values) and this module
says which condition is met. Every code is always returned, in the order of ``CONDITION_CODES``,
so that a request shows every condition, met or not.
"""

from dataclasses import dataclass, field

# The order the conditions are shown and printed in.
CONDITION_CODES = (
    "lease_approved",
    "contract_signed",
    "upfront_paid",
    "documents",
    "no_overdue",
    "credit_review",
)
# Lease states a unit may be dispatched on.
DISPATCHABLE_LEASE_STATES = frozenset({"approved", "active"})
# Payment states of an invoice that owes nothing more (as leasing_management counts them).
SETTLED_PAYMENT_STATES = frozenset({"paid", "in_payment", "reversed"})


@dataclass(frozen=True)
class DispatchFacts:
    """What the conditions are evaluated on.

    * ``lease_state``: the lease's state (``draft``, ``review``, ``approved``, ``active``...);
    * ``signing_date`` (any true value when set) and ``signed_document``: whether the signed
      contract is attached;
    * ``upfront_due``: whether the lease asks for a down payment or a deposit at all;
      ``upfront_invoice_state`` and ``upfront_payment_state``: its up-front invoice's state and
      payment state (``None`` while it does not exist, before the lease is activated);
    * ``missing_documents``: the names of the plan's required documents not attached;
    * ``other_leases_overdue``: the references of the lessee's other leases with an amount overdue;
    * ``review_state`` and ``review_recommendation``: those of the latest completed credit
      review (``None`` when there is none).
    """

    lease_state: str
    signing_date: object = None
    signed_document: bool = False
    upfront_due: bool = False
    upfront_invoice_state: str | None = None
    upfront_payment_state: str | None = None
    missing_documents: tuple = field(default_factory=tuple)
    other_leases_overdue: tuple = field(default_factory=tuple)
    review_state: str | None = None
    review_recommendation: str | None = None


def _upfront_paid(facts):
    if not facts.upfront_due:
        return True
    return facts.upfront_invoice_state == "posted" and facts.upfront_payment_state in SETTLED_PAYMENT_STATES


def evaluate_conditions(facts):
    """``[(code, met), ...]`` for every code of ``CONDITION_CODES``, in that order."""
    met = {
        "lease_approved": facts.lease_state in DISPATCHABLE_LEASE_STATES,
        "contract_signed": bool(facts.signing_date) and bool(facts.signed_document),
        "upfront_paid": _upfront_paid(facts),
        "documents": not facts.missing_documents,
        "no_overdue": not facts.other_leases_overdue,
        "credit_review": facts.review_state == "done"
        and bool(facts.review_recommendation)
        and facts.review_recommendation != "reject",
    }
    return [(code, met[code]) for code in CONDITION_CODES]
