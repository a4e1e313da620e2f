"""Pure-Python engine of the collections addon: penalty interest, days past due, aging, and
the portfolio reports (PAR, roll rates).

Nothing here imports Odoo: the models call these functions with plain data (dates, amounts,
payments), and the tests load this package on its own. Modules import each other relatively.
"""

from .aging import (
    Bucket,
    BucketChange,
    Instalment,
    aging_changes,
    bucket_of,
    bucket_problems,
    contract_arrears,
    days_past_due,
)
from .exact import exact, round_half_up
from .penalty import instalment_penalty, unpaid_on
from .portfolio import (
    PAR_THRESHOLDS,
    Lease,
    PrincipalLine,
    bucket_on,
    lease_days_past_due,
    month_ends,
    outstanding_principal,
    portfolio_at_risk,
    roll_rates,
)
from .statement import StatementLine, statement_line, statement_totals
from .write_off import recovery_split

__all__ = [
    "PAR_THRESHOLDS",
    "Lease",
    "PrincipalLine",
    "bucket_on",
    "lease_days_past_due",
    "month_ends",
    "outstanding_principal",
    "portfolio_at_risk",
    "recovery_split",
    "roll_rates",
    "Bucket",
    "BucketChange",
    "Instalment",
    "StatementLine",
    "aging_changes",
    "bucket_of",
    "bucket_problems",
    "contract_arrears",
    "days_past_due",
    "exact",
    "instalment_penalty",
    "round_half_up",
    "statement_line",
    "statement_totals",
    "unpaid_on",
]
