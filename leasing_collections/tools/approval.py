"""Who may approve a collection request: the four-eyes rule and the approval limits.

A request is approved by a Collection Manager who did not submit it. Some requests need more:
every write-off, and a request whose amount is above its company's limit for its type (a
waiver above ``leasing_waiver_approval_limit``), need a Leasing Manager. A limit of 0 (or
none) means no limit.

Plain data in, plain data out: the caller passes the approver's groups as the names below and
the currency's comparison of amounts (``currency.compare_amounts``).
"""

COLLECTION_MANAGER = "collection_manager"
LEASING_MANAGER = "leasing_manager"

# The types every approval of which needs a Leasing Manager, whatever the amount.
ALWAYS_LEASING_MANAGER = frozenset({"write_off"})

# Why an approver may not approve (None: they may).
NOT_MANAGER = "not_manager"
OWN_REQUEST = "own_request"
NEEDS_LEASING_MANAGER = "needs_leasing_manager"


def required_approver(request_type, amount, limits, compare):
    """The group the approver of a request of ``request_type`` for ``amount`` needs:
    LEASING_MANAGER for the types of ALWAYS_LEASING_MANAGER and when ``amount`` is above the
    limit of the type in ``limits`` ({type: limit}; a missing, None or 0 limit is no limit),
    COLLECTION_MANAGER otherwise. ``compare(a, b)`` is -1, 0 or 1 as a is below, equal to or
    above b."""
    if request_type in ALWAYS_LEASING_MANAGER:
        return LEASING_MANAGER
    limit = limits.get(request_type) or 0.0
    if limit > 0 and compare(amount or 0.0, limit) > 0:
        return LEASING_MANAGER
    return COLLECTION_MANAGER


def approval_refusal(request_type, amount, *, submitter_id, approver_id, approver_groups, limits, compare):
    """Why the user ``approver_id``, member of ``approver_groups`` (a set of COLLECTION_MANAGER
    and LEASING_MANAGER), may not approve the request of ``request_type`` for ``amount``
    submitted by ``submitter_id``: NOT_MANAGER, OWN_REQUEST or NEEDS_LEASING_MANAGER, checked in
    that order; None when they may."""
    if COLLECTION_MANAGER not in approver_groups and LEASING_MANAGER not in approver_groups:
        return NOT_MANAGER
    if submitter_id and approver_id == submitter_id:
        return OWN_REQUEST
    needed = required_approver(request_type, amount, limits, compare)
    if needed == LEASING_MANAGER and LEASING_MANAGER not in approver_groups:
        return NEEDS_LEASING_MANAGER
    return None
