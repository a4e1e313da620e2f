"""How the dispatch (派工) spreads collection cases across a team's collectors.

Balanced greedy: the cases are taken largest first (by their weight: 1 each when spreading by
number of cases, the amount overdue when spreading by amount), and each goes to the collector
with the least load at that moment, the load counting what they already work (their open cases,
or the amount overdue of them). Ties are broken the same way every time: a larger case before a
smaller one, then the case's key in order; a collector with less load, then fewer cases, then the
first in the order given. The same input always gives the same assignment.

Plain data in, plain data out: no Odoo.
"""

from collections import namedtuple

BY_COUNT = "count"
BY_AMOUNT = "amount"
MODES = (BY_COUNT, BY_AMOUNT)

Load = namedtuple("Load", ["count", "amount"])
Load.__doc__ = """What a collector already works: their open cases and the amount overdue of them."""


def spread(cases, members, mode=BY_COUNT, loads=None):
    """Assign ``cases`` to ``members``.

    ``cases``: ``(key, amount)`` pairs (key: any sortable identifier, amount: the amount overdue);
    ``members``: collector keys, in the order ties are broken; ``mode``: ``"count"`` (every case
    weighs 1) or ``"amount"`` (a case weighs its amount overdue); ``loads``: ``{member: Load}``,
    what each member already works (missing: nothing). Return ``{case key: member}``."""
    if mode not in MODES:
        raise ValueError(f"Unknown dispatch mode {mode!r}: use one of {MODES}.")
    members = list(members)
    if not members:
        raise ValueError("No collector to dispatch the cases to.")
    if len(set(members)) != len(members):
        raise ValueError("A collector is listed twice.")
    loads = loads or {}
    if any(amount < 0 for _key, amount in cases):
        raise ValueError("A case's amount overdue cannot be negative.")

    def weight(amount):
        return 1 if mode == BY_COUNT else amount

    # [load in the mode's unit, number of cases, position]: the smallest list takes the next case.
    state = {}
    for position, member in enumerate(members):
        load = loads.get(member, Load(0, 0.0))
        state[member] = [load.count if mode == BY_COUNT else load.amount, load.count, position]
    assignment = {}
    for key, amount in sorted(cases, key=lambda case: (-weight(case[1]), case[0])):
        member = min(members, key=lambda m: state[m])
        assignment[key] = member
        state[member][0] += weight(amount)
        state[member][1] += 1
    return assignment
