from odoo import fields, models


class LeasingContractLine(models.Model):
    _inherit = "leasing.contract.line"

    # One line per unit: a lease of three excavators has three lines, each with its serial number.
    lot_id = fields.Many2one(
        "stock.lot",
        string="Unit",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('product_id', '=', product_id)]",
        help="The serial-numbered unit leased on this line.",
    )
