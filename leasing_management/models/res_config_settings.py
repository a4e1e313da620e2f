from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    leasing_journal_id = fields.Many2one(related="company_id.leasing_journal_id", readonly=False)
    leasing_general_journal_id = fields.Many2one(related="company_id.leasing_general_journal_id", readonly=False)
    leasing_purchase_journal_id = fields.Many2one(related="company_id.leasing_purchase_journal_id", readonly=False)
    leasing_receivable_account_id = fields.Many2one(related="company_id.leasing_receivable_account_id", readonly=False)
    leasing_clearing_account_id = fields.Many2one(related="company_id.leasing_clearing_account_id", readonly=False)
    leasing_deposit_account_id = fields.Many2one(related="company_id.leasing_deposit_account_id", readonly=False)
    leasing_interest_account_id = fields.Many2one(related="company_id.leasing_interest_account_id", readonly=False)
    leasing_fee_account_id = fields.Many2one(related="company_id.leasing_fee_account_id", readonly=False)
    leasing_commission_account_id = fields.Many2one(related="company_id.leasing_commission_account_id", readonly=False)
    leasing_invoice_horizon_days = fields.Integer(related="company_id.leasing_invoice_horizon_days", readonly=False)
