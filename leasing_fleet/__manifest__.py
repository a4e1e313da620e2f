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
        "views/leasing_fleet_menus.xml",
    ],
    "installable": True,
}
