{
    "name": "Leasing Fleet",
    "summary": "Serial-numbered leased units, dispatch requests and gate passes on stock and fleet",
    "version": "18.0.1.0.0",
    "category": "Accounting/Leasing",
    "website": "https://github.com/odoo-leasing/odoo-leasing",
    "author": "Odoo Leasing",
    "license": "LGPL-3",
    "depends": ["leasing_collections", "stock", "fleet"],
    "data": [
        "security/leasing_fleet_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_device_data.xml",
        "views/leasing_device_command_views.xml",
        "views/leasing_device_provider_views.xml",
        "views/stock_lot_lock_views.xml",
        "views/res_config_settings_views.xml",
        "views/leasing_fleet_menus.xml",
    ],
    "demo": [
        "demo/leasing_device_demo.xml",
    ],
    "installable": True,
}
