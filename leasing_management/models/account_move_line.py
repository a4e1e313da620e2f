from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    leasing_contract_id = fields.Many2one(
        related="move_id.leasing_contract_id", store=True, index="btree_not_null", string="Lease Contract"
    )
