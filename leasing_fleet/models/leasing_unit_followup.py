from odoo import api, fields, models

FOLLOWUP_STATES = [
    ("searching", "Searching"),
    ("located", "Located"),
    ("towing", "Towing"),
    ("in_storage", "In Storage"),
    ("released", "Released"),
    ("sold", "Sold"),
]
FOLLOWUP_REASONS = [
    ("not_paying", "Lessee Not Paying"),
    ("unit_missing", "Unit Missing"),
    ("lessee_missing", "Lessee Missing"),
    ("other", "Other"),
]


class LeasingUnitFollowup(models.Model):
    """The follow-up register (跟进登记) of a unit being chased: a row per event, with where the
    chase stands after it. The unit shows the state and reason of its last row."""

    _name = "leasing.unit.followup"
    _inherit = ["mail.thread"]
    _description = "Unit Follow-up"
    _order = "date desc, id desc"
    _check_company_auto = True

    lot_id = fields.Many2one(
        "stock.lot", string="Unit", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="lot_id.company_id", store=True, index=True, precompute=True)
    product_id = fields.Many2one(related="lot_id.product_id")
    contract_id = fields.Many2one(related="lot_id.leasing_contract_id", string="Lease Contract")
    partner_id = fields.Many2one(related="lot_id.leasing_partner_id", string="Lessee")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, tracking=True)
    state = fields.Selection(FOLLOWUP_STATES, required=True, default="searching", tracking=True)
    reason = fields.Selection(FOLLOWUP_REASONS, required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", required=True, default=lambda self: self.env.user, tracking=True
    )
    notes = fields.Text()

    @api.depends("lot_id", "date", "state")
    def _compute_display_name(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for followup in self:
            followup.display_name = f"{followup.lot_id.name or ''} - {states.get(followup.state, '')}"
