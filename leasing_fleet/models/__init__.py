from . import leasing_contract_line, stock_lot
from . import (
    leasing_contract,
    leasing_contract_document,
    leasing_dispatch_condition,
    leasing_dispatch_request,
    leasing_gate_pass,
    leasing_plan,
    leasing_plan_document,
    stock_picking,
)
