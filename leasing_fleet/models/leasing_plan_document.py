from odoo import fields, models


class LeasingPlanDocument(models.Model):
    """A document the plan asks for before a lease's units leave the branch."""

    _name = "leasing.plan.document"
    _description = "Plan Document"
    _order = "plan_id, sequence, id"
    _check_company_auto = True

    plan_id = fields.Many2one("leasing.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Document", required=True, translate=True)
    required = fields.Boolean(
        default=True, help="A dispatch request of a lease on this plan needs this document attached to the lease."
    )
