from odoo import api, fields, models


class LeasingPlanFee(models.Model):
    _name = "leasing.plan.fee"
    _description = "Financing Plan Fee"
    _order = "sequence, id"

    plan_id = fields.Many2one("leasing.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    fee_type_id = fields.Many2one("leasing.fee.type", string="Fee Type", required=True, ondelete="restrict")
    financed = fields.Boolean(compute="_compute_financed", store=True, readonly=False, precompute=True)
    amount = fields.Monetary(string="Default Amount", currency_field="currency_id")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A plan fee cannot be negative."),
    ]

    @api.depends("fee_type_id")
    def _compute_financed(self):
        for fee in self:
            fee.financed = fee.fee_type_id.financed
