{
    "name": "Leasing Collections",
    "summary": "Overdue follow-up, penalty interest, dunning and collection cases for leases",
    "version": "18.0.1.0.0",
    "category": "Accounting/Leasing",
    "website": "https://github.com/odoo-leasing/odoo-leasing",
    "author": "Odoo Leasing",
    "license": "LGPL-3",
    "depends": ["leasing_management"],
    "data": [
        "security/leasing_collections_security.xml",
        "security/ir.model.access.csv",
        "views/leasing_collections_menus.xml",
    ],
    "installable": True,
}
