from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    leasing_repossessed = fields.Boolean(
        string="Repossessed Units",
        help="Units received here are repossessed: each branch has one such location.",
    )
