from odoo import api, fields, models


class LeasingPenaltyWaiver(models.Model):
    """Penalty interest of an instalment waived: the part not yet invoiced is simply not
    invoiced; the part already invoiced is credited back by a credit note on the penalty
    invoice. Written by ``leasing.schedule.line._leasing_waive_penalty`` alone; the line's
    ``penalty_waived`` is the sum of its waivers (a credited part counts while its credit note
    is posted)."""

    _name = "leasing.penalty.waiver"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Penalty Interest Waiver"
    _order = "date desc, id desc"
    _rec_name = "schedule_line_id"

    schedule_line_id = fields.Many2one(
        "leasing.schedule.line", string="Instalment", required=True, readonly=True, index=True, ondelete="cascade"
    )
    contract_id = fields.Many2one(
        related="schedule_line_id.contract_id", string="Lease Contract", store=True, index=True
    )
    company_id = fields.Many2one(related="schedule_line_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="schedule_line_id.currency_id")
    partner_id = fields.Many2one(related="schedule_line_id.partner_id", string="Lessee")
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    amount = fields.Monetary(string="Amount Waived", readonly=True, aggregator="sum")
    amount_credited = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Part of the waiver that was already invoiced, credited back by the credit note.",
    )
    credit_note_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    reason = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Waived By", readonly=True, default=lambda self: self.env.user)
    request_id = fields.Many2one(
        "leasing.collection.request",
        string="Collection Request",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The approved interest waiver request that waived it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingPenaltyWaiver, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
