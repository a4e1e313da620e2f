from odoo import api, fields, models
from odoo.exceptions import UserError

CONDITIONS = [
    ("lease_approved", "Lease approved or active"),
    ("contract_signed", "Contract signed (signing date and signed contract attached)"),
    ("upfront_paid", "Down payment and deposit invoices paid"),
    ("documents", "The plan's required documents attached"),
    ("no_overdue", "No overdue on the lessee's other leases"),
    ("credit_review", "Completed credit review not recommending rejection"),
]
# Until the request is decided, its conditions are read from the lease as it is now.
LIVE_STATES = ("draft", "submitted", "to_approve")


class LeasingDispatchCondition(models.Model):
    """A condition of a dispatch request: met or not, and the requester's reason when not."""

    _name = "leasing.dispatch.condition"
    _description = "Dispatch Condition"
    _inherit = ["leasing.system.fields.mixin"]
    _order = "request_id, sequence, id"
    _check_company_auto = True

    request_id = fields.Many2one("leasing.dispatch.request", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Selection(CONDITIONS, string="Condition", required=True, readonly=True)
    name = fields.Char(string="Label", compute="_compute_name")
    met = fields.Boolean(
        compute="_compute_met", help="Read from the lease until the request is decided, as decided afterwards."
    )
    detail = fields.Char(string="What Is Missing", compute="_compute_met")
    unmet_reason = fields.Text(
        string="Reason", help="Why the units may leave although this condition is not met (by the requester)."
    )
    decided_met = fields.Boolean(readonly=True, copy=False)
    decided_detail = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("code_uniq", "unique(request_id, code)", "A dispatch request checks each condition once."),
    ]

    def _compute_name(self):
        labels = dict(self._fields["code"]._description_selection(self.env))
        for line in self:
            line.name = labels.get(line.code, "")

    @api.depends("request_id.state", "decided_met", "decided_detail")
    def _compute_met(self):
        live = self.filtered(lambda line: line.request_id.state in LIVE_STATES and line.request_id.id)
        evaluations = live.request_id._evaluate_conditions() if live else {}
        for line in self:
            if line in live:
                line.met, line.detail = evaluations[line.request_id][line.code]
            else:
                line.met, line.detail = line.decided_met, line.decided_detail

    def write(self, vals):
        self._check_system_fields([vals])
        if not self.env.su and set(vals) - {"unmet_reason"}:
            raise UserError(self.env._("Only the reason of a dispatch condition can be changed."))
        if not self.env.su:
            for line in self:
                if line.request_id.state != "draft":
                    raise UserError(
                        self.env._(
                            "%(request)s is submitted: the reasons of its conditions can no longer change.",
                            request=line.request_id.name,
                        )
                    )
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("A dispatch request has its own conditions: they are not added by hand."))
        return super().create(vals_list)

    def _snapshot(self, evaluation):
        """Keep the conditions as the request is decided on: ``evaluation`` is {code: (met, detail)}."""
        for line in self:
            met, detail = evaluation[line.code]
            # What was decided on is the system's record, refused to users on write.
            line.sudo().write({"decided_met": met, "decided_detail": detail})
