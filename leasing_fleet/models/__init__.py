from . import leasing_contract_line, stock_lot
