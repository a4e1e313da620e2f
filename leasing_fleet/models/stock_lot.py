from odoo import fields, models

# Where a leased unit stands (see the README): computed from its stock moves, its leases and the
# requests acting on it, except `abnormal`, which a warehouse keeper sets by hand with a reason.
LEASING_STATUSES = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("abnormal", "Abnormal"),
    ("purchase_transit", "Purchase in Transit"),
    ("transfer_transit", "Transfer in Transit"),
    ("relay_transit", "Relay in Transit"),
    ("on_lease", "On Lease"),
    ("repossessed", "Repossessed"),
    ("returned", "Returned"),
    ("sold", "Sold"),
]


class StockLot(models.Model):
    _inherit = "stock.lot"

    leasing_status = fields.Selection(
        LEASING_STATUSES, string="Unit Status", readonly=True, index=True, tracking=True, copy=False
    )
    leasing_contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The lease the unit is reserved for or leased on.",
    )
