from odoo import api, fields, models

REQUEST_TYPES = [
    ("waiver", "Interest Waiver"),
    ("repossession", "Repossession"),
    ("lock", "Lock"),
    ("unlock", "Unlock"),
    ("settlement", "Settlement"),
    ("write_off", "Write-off"),
]
REQUEST_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("refused", "Refused"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# Requests carried out on the leased units: approval leaves them waiting for ``_execute()``, which
# leasing_fleet extends; without it a to-do goes to the account manager, who marks them done.
UNIT_REQUEST_TYPES = ("repossession", "lock", "unlock")


class LeasingCollectionRequest(models.Model):
    """An exceptional measure on a lease in arrears, asked by one person and approved by another:
    waiving penalty interest, towing the unit back, locking or unlocking it, settling the lease,
    writing its debt off.

    States: draft -> submitted -> approved / refused -> done, or cancelled. Approval calls
    ``_execute()``, which does what the request's type means (``_execute_<type>``); a module acting
    on the units (leasing_fleet) overrides the unit types' methods."""

    _name = "leasing.collection.request"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Collection Request"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    request_type = fields.Selection(REQUEST_TYPES, string="Type", required=True, tracking=True, index=True)
    state = fields.Selection(
        REQUEST_STATES, string="Status", required=True, readonly=True, default="draft", tracking=True, index=True
    )
    case_id = fields.Many2one(
        "leasing.collection.case", string="Collection Case", index="btree_not_null", check_company=True
    )
    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, index=True, check_company=True, tracking=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True, index=True)
    reason = fields.Text(tracking=True)
    amount = fields.Monetary(
        tracking=True,
        help="Waiver: the penalty interest waived. Settlement and write-off: computed when approved.",
    )
    date = fields.Date(
        default=fields.Date.context_today,
        tracking=True,
        help="Settlement: the payoff date. Write-off: the date of the journal entry.",
    )
    submitted_by_id = fields.Many2one("res.users", string="Submitted By", readonly=True)
    submitted_date = fields.Datetime(readonly=True)
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True)
    approved_date = fields.Datetime(readonly=True)
    refusal_reason = fields.Text(readonly=True)
    done_date = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        Contract = self.env["leasing.contract"]
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("contract_id"):
                company = Contract.browse(vals["contract_id"]).company_id
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("leasing.collection.request") or "/"
                )
        return super(LeasingCollectionRequest, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    def _execute(self):
        """Carry out these approved requests: each by its type's ``_execute_<type>`` method."""
        for request in self:
            getattr(request, f"_execute_{request.request_type}")()
