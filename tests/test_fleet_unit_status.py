"""The status of a leased unit (leasing_fleet/tools/unit_status.py), from plain facts: every
status, and the precedence between them, as a warehouse manager reads the README."""

import pytest

from tests._fleet_engine import fleet_engine

UnitFacts, unit_status = fleet_engine.UnitFacts, fleet_engine.unit_status

CASES = [
    # (facts, status)
    (UnitFacts(location_usage="internal"), "available"),
    (UnitFacts(location_usage="internal", lease_state="approved"), "reserved"),
    (UnitFacts(location_usage="internal", lease_state="active"), "reserved"),
    # A closed lease no longer holds a unit back in stock.
    (UnitFacts(location_usage="internal", lease_state="closed"), "available"),
    (UnitFacts(location_usage="internal", abnormal=True), "abnormal"),
    (UnitFacts(location_usage="customer", lease_state="active", abnormal=True), "abnormal"),
    (UnitFacts(location_usage=None, pending_receipt=True), "purchase_transit"),
    (UnitFacts(location_usage="supplier", pending_receipt=True), "purchase_transit"),
    (UnitFacts(location_usage="internal", pending_transfer=True), "transfer_transit"),
    (UnitFacts(location_usage="internal", pending_transfer=True, lease_state="approved"), "transfer_transit"),
    (UnitFacts(location_usage="transit", pending_transfer=True), "transfer_transit"),
    (UnitFacts(location_usage="transit"), "relay_transit"),
    (UnitFacts(location_usage="customer", lease_state="active"), "on_lease"),
    # Still with the lessee until the return receipt is done.
    (UnitFacts(location_usage="customer", lease_state="active", line_discontinued=True), "on_lease"),
    (UnitFacts(location_usage="internal", repossessed_location=True, lease_state="active"), "repossessed"),
    (UnitFacts(location_usage="internal", lease_state="active", line_discontinued=True), "returned"),
    (UnitFacts(location_usage="customer", lease_state="closed", ownership_transferred=True), "sold"),
    # Ownership passed but the unit came back into our stock: it is ours to keep track of again.
    (UnitFacts(location_usage="internal", lease_state="closed", ownership_transferred=True), "available"),
    (UnitFacts(location_usage=None, lease_state="approved"), "reserved"),
    (UnitFacts(), None),
    (UnitFacts(location_usage="inventory"), None),
]


@pytest.mark.parametrize(("facts", "status"), CASES)
def test_unit_status(facts, status):
    assert unit_status(facts) == status


def test_every_status_is_reachable():
    statuses = {status for _facts, status in CASES} - {None}
    assert statuses == {
        "available",
        "reserved",
        "abnormal",
        "purchase_transit",
        "transfer_transit",
        "relay_transit",
        "on_lease",
        "repossessed",
        "returned",
        "sold",
    }


def test_abnormal_wins_over_everything():
    for facts, _status in CASES:
        flagged = UnitFacts(**{**facts.__dict__, "abnormal": True})
        assert unit_status(flagged) == "abnormal"


def test_repossessed_location_wins_over_lease_and_discontinued():
    facts = UnitFacts(
        location_usage="internal", repossessed_location=True, line_discontinued=True, lease_state="active"
    )
    assert unit_status(facts) == "repossessed"
