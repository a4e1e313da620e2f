"""Early payoff quote of a lease (pure Python, no Odoo).

What the lessee owes to end the lease on ``payoff_date``, component by component:

* **principal**: the outstanding principal, i.e. the principal of the schedule lines not yet
  invoiced (instalments and residual value);
* **interest**: the interest accrued on it by actual days since the last instalment invoiced
  fell due (or since the start date when none was), ``principal x annual_rate / 100 x days /
  day_count``; a payoff date on or before that date accrues nothing (the instalment invoiced
  already carries the interest up to its own due date);
* **fee**: the early-termination fee, ``fee_pct / 100 x principal``;
* **unpaid_invoices**: what the invoices already issued still ask for (they stay open as they
  are; the quote only shows them);
* **taxes**: the taxes on principal, interest and fee, when the caller's tax engine has
  computed them (0 otherwise);
* **deposit**: the deposit held, applied against all of the above, never more than they add up
  to; what is left of it (**deposit_remaining**) goes back to the lessee;
* **total**: principal + interest + fee + unpaid invoices + taxes - deposit, never negative.

Every amount is rounded through ``rounding`` (the currency's), each component on its own, and
the total is the sum of the rounded components, so the parts always add up to the whole.
"""

__all__ = ["payoff_quote"]


def payoff_quote(
    outstanding_principal,
    annual_rate,
    accrual_start,
    payoff_date,
    fee_pct,
    unpaid_invoices,
    deposit_held,
    rounding,
    day_count=365,
    taxes=0.0,
):
    """Return the payoff quote as a dict.

    :param outstanding_principal: principal not yet invoiced (>= 0)
    :param annual_rate: nominal annual rate in percent (0..100)
    :param accrual_start: ``date`` from which interest accrues (last invoiced due date or start)
    :param payoff_date: ``date`` of the payoff
    :param fee_pct: early-termination fee in percent of the outstanding principal (0..100)
    :param unpaid_invoices: residual amount of the open invoices (>= 0)
    :param deposit_held: deposit held for the lessee (>= 0)
    :param rounding: callable rounding an amount to the currency's precision
    :param day_count: days in a year for the accrual (365: actual/365 fixed)
    :param taxes: taxes on principal, interest and fee computed by the caller (>= 0)
    :return: dict with ``principal``, ``days``, ``interest``, ``fee``, ``unpaid_invoices``,
        ``taxes``, ``deposit`` (applied), ``deposit_remaining`` and ``total``
    :raises ValueError: on an input out of range
    """
    for name, value in (
        ("outstanding principal", outstanding_principal),
        ("unpaid invoices", unpaid_invoices),
        ("deposit held", deposit_held),
        ("taxes", taxes),
    ):
        if value < 0:
            raise ValueError(f"The {name} cannot be negative ({value}).")
    if not 0 <= annual_rate <= 100:
        raise ValueError(f"The annual rate must lie between 0 and 100 %, not {annual_rate}.")
    if not 0 <= fee_pct <= 100:
        raise ValueError(f"The early-termination fee must lie between 0 and 100 %, not {fee_pct}.")
    if day_count <= 0:
        raise ValueError(f"The day count must be positive, not {day_count}.")

    principal = rounding(outstanding_principal)
    days = max((payoff_date - accrual_start).days, 0)
    interest = rounding(principal * annual_rate / 100 * days / day_count)
    fee = rounding(principal * fee_pct / 100)
    unpaid = rounding(unpaid_invoices)
    taxes = rounding(taxes)
    deposit = rounding(deposit_held)
    owed = rounding(principal + interest + fee + unpaid + taxes)
    applied = min(deposit, owed)
    return {
        "principal": principal,
        "days": days,
        "interest": interest,
        "fee": fee,
        "unpaid_invoices": unpaid,
        "taxes": taxes,
        "deposit": applied,
        "deposit_remaining": rounding(deposit - applied),
        "total": rounding(owed - applied),
    }
