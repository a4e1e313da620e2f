from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    leasing_device_provider_id = fields.Many2one(
        related="company_id.leasing_device_provider_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
