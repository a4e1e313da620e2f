from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    leasing_penalty_rate_daily = fields.Float(related="company_id.leasing_penalty_rate_daily", readonly=False)
