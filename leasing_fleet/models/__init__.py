from . import (
    leasing_collection_request,
    leasing_contract,
    leasing_contract_line,
    leasing_unit_followup,
    leasing_unit_request,
    stock_location,
    stock_lot,
    stock_move,
    stock_move_line,
    stock_picking,
    stock_warehouse,
)
