from odoo import api, fields, models


class LeasingCollectionRequestRefuse(models.TransientModel):
    """Why submitted collection requests are refused: the reason is required, and goes on each
    request and in its chatter."""

    _name = "leasing.collection.request.refuse"
    _description = "Refuse Collection Requests"

    request_ids = fields.Many2many(
        "leasing.collection.request", "leasing_collection_request_refuse_rel", "wizard_id", "request_id", required=True
    )
    company_id = fields.Many2one("res.company", compute="_compute_company_id", store=True)
    reason = fields.Text(string="Refusal Reason", required=True)

    @api.depends("request_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.request_ids[:1].company_id

    def action_refuse(self):
        self.ensure_one()
        self.request_ids._action_refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
