from . import (
    test_contract_schedule,
    test_contract_validation,
    test_contract_workflow,
    test_credit_review,
    test_partner,
    test_quote_wizard,
    test_security,
    test_translations,
)
