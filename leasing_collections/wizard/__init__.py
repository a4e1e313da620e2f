from . import (
    leasing_aging_bucket_wizard,
    leasing_close_run_wizard,
    leasing_debt_statement,
    leasing_debt_statement_line,
    leasing_debt_statement_payment,
    leasing_payoff_wizard,
)
from . import leasing_collection_request_refuse
