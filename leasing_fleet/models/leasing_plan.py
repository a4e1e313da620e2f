from odoo import fields, models


class LeasingPlan(models.Model):
    _inherit = "leasing.plan"

    document_ids = fields.One2many(
        "leasing.plan.document",
        "plan_id",
        string="Required Documents",
        copy=True,
        help="The documents a lease on this plan must have attached before its units are dispatched.",
    )
