"""Commissions of the intermediaries (dealers, agents, brokers) on a lease.

Plain inputs, plain outputs: the caller passes the rounding function of the
contract's currency.
"""

from .schedule import round_half_up

COMMISSION_BASES = ("percent", "fixed")


def commission_amount(basis, financed_amount, rate=0.0, fixed_amount=0.0, rounding=round_half_up):
    """Commission earned on a lease that finances ``financed_amount``.

    * ``percent``: ``rate`` % of the financed amount, rounded once by ``rounding``;
    * ``fixed``: ``fixed_amount`` (already in the lease's currency), rounded.

    Negative inputs are refused: a commission is never a debt of the intermediary.
    """
    if basis not in COMMISSION_BASES:
        raise ValueError(f"Unknown commission basis {basis!r}: expected one of {COMMISSION_BASES}.")
    if basis == "percent":
        if rate < 0 or rate > 100:
            raise ValueError("The commission rate must lie between 0 and 100 %.")
        if financed_amount < 0:
            raise ValueError("The financed amount cannot be negative.")
        return rounding(financed_amount * rate / 100.0)
    if fixed_amount < 0:
        raise ValueError("A fixed commission cannot be negative.")
    return rounding(fixed_amount)
