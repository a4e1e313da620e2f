"""Pure-Python engine of the collections addon: penalty interest, days past due and aging.

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
from .statement import StatementLine, statement_line, statement_totals

__all__ = [
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
