from odoo import fields, models


class LeasingDispatchDecisionWizard(models.TransientModel):
    """A Risk Approver's decision on a dispatch request whose conditions are not all met."""

    _name = "leasing.dispatch.decision.wizard"
    _description = "Dispatch Request Decision"

    request_id = fields.Many2one("leasing.dispatch.request", required=True, ondelete="cascade")
    condition_ids = fields.One2many(related="request_id.condition_ids")
    comment = fields.Text(required=True, help="Printed on the gate pass with your name.")

    def action_approve(self):
        self.ensure_one()
        self.request_id.action_approve(self.comment)
        return {"type": "ir.actions.act_window_close"}

    def action_refuse(self):
        self.ensure_one()
        self.request_id.action_refuse(self.comment)
        return {"type": "ir.actions.act_window_close"}
