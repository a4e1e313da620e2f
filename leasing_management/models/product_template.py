from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    leasing_ok = fields.Boolean(
        string="Can be Leased",
        help="Offered as an item on lease contracts and quick quotes.",
    )
