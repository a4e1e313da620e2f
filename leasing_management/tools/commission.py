"""Commissions of the intermediaries (dealers, agents, brokers) on a lease.

Plain inputs, plain outputs: the caller passes the rounding function of the
contract's currency.
"""

from .limits import check_amount
from .money import percent_of, round_exact, round_half_up

COMMISSION_BASES = ("percent", "fixed")


def commission_amount(basis, financed_amount, rate=0.0, fixed_amount=0.0, rounding=round_half_up):
    """Commission earned on a lease that finances ``financed_amount``.

    * ``percent``: ``rate`` % of the financed amount, computed exactly and rounded half-up once
      (``money.percent_of``);
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
        check_amount(financed_amount, "financed amount")
        return percent_of(financed_amount, rate, rounding)
    if fixed_amount < 0:
        raise ValueError("A fixed commission cannot be negative.")
    check_amount(fixed_amount, "fixed commission")
    return round_exact(fixed_amount, rounding)
