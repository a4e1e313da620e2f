from odoo import api, fields, models

# The figures the schedule engine computes; frozen once the contract is active.
FROZEN_FIELDS = frozenset(
    {"contract_id", "sequence", "line_type", "due_date", "principal", "interest", "amount", "balance"}
)


class LeasingScheduleLine(models.Model):
    _name = "leasing.schedule.line"
    _description = "Rent Schedule Line"
    _order = "contract_id, sequence, id"
    _rec_names_search = ["contract_id"]

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    contract_state = fields.Selection(related="contract_id.state", string="Contract Status")
    sequence = fields.Integer(string="#", required=True)
    line_type = fields.Selection(
        [("installment", "Instalment"), ("residual", "Residual Value")],
        string="Type",
        required=True,
        default="installment",
    )
    due_date = fields.Date(required=True, index=True)
    principal = fields.Monetary(aggregator="sum")
    interest = fields.Monetary(aggregator="sum")
    amount = fields.Monetary(aggregator="sum", help="Principal plus interest.")
    balance = fields.Monetary(string="Balance After", aggregator=None, help="Principal still owed after this line.")

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.contract_id.name} #{line.sequence}"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("leasing_schedule_rebuild"):
            self.env["leasing.contract"].browse({v.get("contract_id") for v in vals_list})._check_schedule_open()
        return super().create(vals_list)

    def write(self, vals):
        if FROZEN_FIELDS.intersection(vals):
            self.contract_id._check_schedule_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen(self):
        self.contract_id._check_schedule_open()

