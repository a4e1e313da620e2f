from . import (
    test_batch_cancel,
    test_closing,
    test_commissions,
    test_contract_report,
    test_contract_schedule,
    test_contract_validation,
    test_contract_workflow,
    test_credit_review,
    test_partner,
    test_payoff,
    test_quote_wizard,
    test_report,
    test_reschedule,
    test_security,
    test_security_rpc,
    test_translations,
)
from . import test_billing
