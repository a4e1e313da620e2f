from . import (
    leasing_contract,
    leasing_contract_fee,
    leasing_contract_line,
    leasing_credit_review,
    leasing_fee_type,
    leasing_plan,
    leasing_plan_fee,
    leasing_schedule_line,
    res_currency,
    res_partner,
)
