"""What a written-off lease recovers from the lessee's payments (pure Python, no Odoo).

A lease written off still has a debtor: what the lessee pays afterwards is booked as recovery
income, never more than was written off and not yet recovered; the rest stays the lessee's
balance, for their other leases or a refund.
"""

from .exact import exact, round_half_up

__all__ = ["recovery_split"]


def recovery_split(credits, written_off, recovered, digits=2):
    """How much of each of ``credits`` (the lessee's unallocated payments on the lease's
    currency, positive amounts, in the order they settle: the oldest first) a written-off lease
    recovers: each credit in turn, as far as ``written_off - recovered`` goes.

    Return a list of amounts, one per credit, in the same order, each between 0 and its credit,
    rounded half-up to ``digits`` decimals (the inputs are amounts of money already rounded: the
    sum is exact). ``recovery_split([300, 500], 600, 100) == [300.0, 200.0]``.
    """
    if any(exact(credit) < 0 for credit in credits):
        raise ValueError("A credit to recover from is a positive amount.")
    left = max(exact(written_off) - exact(recovered), 0)
    split = []
    for credit in credits:
        part = min(exact(credit), left)
        split.append(round_half_up(part, digits))
        left -= part
    return split
