from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    leasing_device_provider_id = fields.Many2one(
        "leasing.device.provider",
        string="Device Lock Provider",
        domain="[('company_id', '=', id)]",
        help="How the lock and unlock commands of approved collection requests reach the units. Without one, "
        "a to-do asks the account manager to do it by hand.",
    )
