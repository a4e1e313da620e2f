"""Where a leased unit stands, from plain facts about it.

The models gather the facts of many units at once (a few grouped queries); this module decides.
Statuses (the keys of ``leasing_fleet.models.stock_lot.LEASING_STATUSES``):

* ``abnormal``: flagged by hand by the warehouse (damaged, documents missing, under repair...);
  it wins over everything else until it is cleared.
* ``sold``: its lease passed the ownership to the lessee and the unit is not in our stock.
* ``purchase_transit``: not in our stock yet, on a receipt from a vendor not done.
* ``transfer_transit``: on an inter-branch transfer not done, or in a transit location with the
  receiving branch's transfer waiting for it.
* ``relay_transit``: in a transit location with no transfer waiting for it: between two transfers.
* ``repossessed``: in a branch's Repossessed location.
* ``returned``: back in stock after its lease item was discontinued.
* ``reserved``: in stock, on an approved or active lease, not delivered yet.
* ``on_lease``: delivered to the lessee (at a customer location) on a lease.
* ``available``: in stock, free.

A unit that is nowhere yet (never received, no receipt waiting) has no status (None), unless a
lease already waits for it (reserved).
"""

from dataclasses import dataclass

OPEN_LEASE_STATES = ("approved", "active")


@dataclass(frozen=True)
class UnitFacts:
    """What is known of one unit.

    ``location_usage``: usage of the location the unit is at (``internal``, ``transit``,
    ``customer``, ``supplier``, ``inventory``...), None when it never moved.
    ``repossessed_location``: that location is a branch's Repossessed location.
    ``pending_receipt``: a receipt from a vendor that is not done carries the unit.
    ``pending_transfer``: an inter-branch transfer that is not done carries the unit (from a branch
    to another, to a transit location, or from a transit location to a branch).
    ``lease_state``: the state of the lease of the unit's current lease line (None without one).
    ``line_discontinued``: that lease line is discontinued.
    ``ownership_transferred``: that lease passed the ownership of its items to the lessee.
    ``abnormal``: the warehouse flagged the unit abnormal.
    """

    location_usage: str | None = None
    repossessed_location: bool = False
    pending_receipt: bool = False
    pending_transfer: bool = False
    lease_state: str | None = None
    line_discontinued: bool = False
    ownership_transferred: bool = False
    abnormal: bool = False


def unit_status(facts):
    """The status of the unit described by ``facts`` (a :class:`UnitFacts`), or None."""
    usage = facts.location_usage
    on_open_lease = facts.lease_state in OPEN_LEASE_STATES and not facts.line_discontinued
    if facts.abnormal:
        return "abnormal"
    if facts.ownership_transferred and usage not in ("internal", "transit"):
        return "sold"
    if usage == "transit":
        return "transfer_transit" if facts.pending_transfer else "relay_transit"
    if usage == "internal":
        if facts.repossessed_location:
            return "repossessed"
        if facts.pending_transfer:
            return "transfer_transit"
        if facts.line_discontinued:
            return "returned"
        return "reserved" if on_open_lease else "available"
    if usage == "customer" and facts.lease_state:
        return "on_lease"
    if facts.pending_receipt:
        return "purchase_transit"
    if on_open_lease:
        return "reserved"
    return None
