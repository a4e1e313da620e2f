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
        # Dispatch requests and gate passes.
        "data/ir_sequence_data.xml",
        "report/leasing_gate_pass_report.xml",
        "views/leasing_dispatch_request_views.xml",
        "views/leasing_gate_pass_views.xml",
        "views/leasing_dispatch_inherit_views.xml",
        "views/gate_pass_templates.xml",
        "views/leasing_dispatch_menus.xml",
    ],
    "demo": [
        "demo/leasing_dispatch_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["leasing_fleet/static/tests/tours/*.js"],
    },
    "installable": True,
}
