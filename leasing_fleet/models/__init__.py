from . import (
    leasing_collection_request,
    leasing_contract_line,
    leasing_device_command,
    leasing_device_provider,
    res_company,
    res_config_settings,
    stock_lot,
)
