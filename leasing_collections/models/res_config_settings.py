from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    leasing_penalty_rate_daily = fields.Float(related="company_id.leasing_penalty_rate_daily", readonly=False)
    # Penalty billing
    leasing_penalty_account_id = fields.Many2one(related="company_id.leasing_penalty_account_id", readonly=False)
    leasing_payment_order = fields.Selection(related="company_id.leasing_payment_order", readonly=False)
    # Legal costs billed to the lessee
    leasing_legal_cost_account_id = fields.Many2one(related="company_id.leasing_legal_cost_account_id", readonly=False)
    # Write-off and recoveries
    leasing_bad_debt_account_id = fields.Many2one(related="company_id.leasing_bad_debt_account_id", readonly=False)
    leasing_recovery_account_id = fields.Many2one(related="company_id.leasing_recovery_account_id", readonly=False)
    # Collection requests
    leasing_waiver_approval_limit = fields.Monetary(
        related="company_id.leasing_waiver_approval_limit", currency_field="currency_id", readonly=False
    )
