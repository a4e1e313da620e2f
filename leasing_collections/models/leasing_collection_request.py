from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

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
    # Settlement: the early payoff quote on the request's date, as the settlement invoice bills it.
    settlement_invoice_id = fields.Many2one(
        "account.move",
        string="Settlement Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="The early payoff invoice the settlement issued: the lease closes, and the request is done, once it "
        "and every other invoice of the lease are paid.",
    )
    # The invoice's number, for those who read the request and not the ledger (its certificate).
    settlement_invoice_name = fields.Char(related="settlement_invoice_id.name", string="Settlement Invoice Number")
    settlement_principal = fields.Monetary(string="Outstanding Principal", readonly=True, copy=False)
    settlement_interest = fields.Monetary(string="Interest Accrued", readonly=True, copy=False)
    settlement_fee = fields.Monetary(string="Early Termination Fee", readonly=True, copy=False)
    settlement_penalty = fields.Monetary(
        string="Penalty Interest", readonly=True, copy=False, help="Penalty interest not yet invoiced, to the date."
    )
    settlement_taxes = fields.Monetary(string="Taxes", readonly=True, copy=False)
    settlement_unpaid_invoices = fields.Monetary(
        string="Unpaid Invoices",
        readonly=True,
        copy=False,
        help="Rents, fees and penalty interest already invoiced and unpaid on the settlement date.",
    )
    settlement_deposit = fields.Monetary(
        string="Less Deposit Held", readonly=True, copy=False, help="The security deposit applied (negative)."
    )
    # Write-off: the entry that moved the unpaid receivable to bad debts.
    write_off_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True, copy=False, check_company=True
    )

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

    def action_print_settlement_certificate(self):
        """The settlement certificate of these done settlements (PDF, in the lessee's language)."""
        for request in self:
            if request.request_type != "settlement" or request.state != "done":
                raise UserError(
                    self.env._(
                        "%(request)s is not a settlement done: its certificate is issued once the settlement invoice "
                        "is paid and the lease closed.",
                        request=request.name,
                    )
                )
        return self.env.ref("leasing_collections.action_report_leasing_settlement_certificate").report_action(self)

    # ------------------------------------------------------------------
    # Settlement and write-off
    # ------------------------------------------------------------------
    def _leasing_certificate_statement(self):
        """The settlement certificate's statement, in the language of the report's context."""
        self.ensure_one()
        return self.env._(
            "%(company)s certifies that the lease contract %(contract)s with %(lessee)s was settled in full on "
            "%(date)s: every amount below is paid, the lease is closed and nothing more is owed under it.",
            company=self.company_id.name,
            contract=self.contract_id.name,
            lessee=self.partner_id.name,
            date=format_date(self.env, self.date),
        )

    def _leasing_certificate_ownership(self):
        self.ensure_one()
        return self.env._(
            "Ownership of the leased items passed to %(lessee)s on %(date)s.",
            lessee=self.partner_id.name,
            date=format_date(self.env, self.contract_id.ownership_transferred_date),
        )

    def _leasing_request_error(self):
        """Why this settlement or write-off cannot be carried out as it stands, or False."""
        self.ensure_one()
        if self.request_type == "settlement":
            return self.contract_id._leasing_settlement_error(self.date)
        if self.request_type == "write_off":
            return self.contract_id._leasing_write_off_error(self.date)
        return False

    def _execute_settlement(self):
        """Settle the lease on the request's date: leasing_management's early payoff, its quote
        (the penalty interest of the late instalments included) and its settlement invoice, by the
        payoff's own code. The request's amount is the quote's total to pay; the request is done
        when the lease closes (``leasing.contract._close_paid_off``). Return whether it is done."""
        self.ensure_one()
        error = self._leasing_request_error()
        if error:
            raise UserError(error)
        contract = self.contract_id
        # The approval of the request is the check: its approver (a Collection Manager) need not
        # be a Leasing Manager who invoices. The payoff runs as the system, from the lease and the
        # approved date; the lease is locked first so the quote recorded is the one invoiced.
        contract._leasing_lock_for_penalty()
        wizard_sudo = (
            self.env["leasing.payoff.wizard"].sudo().create({"contract_id": contract.id, "payoff_date": self.date})
        )
        quote = wizard_sudo._quote()
        invoice = wizard_sudo._do_payoff()
        # The request's figures are the system's, written once the payoff is made.
        self.sudo().write(
            {
                "amount": quote["total"],
                "settlement_invoice_id": invoice.id,
                "settlement_principal": quote["principal"],
                "settlement_interest": quote["interest"],
                "settlement_fee": quote["fee"],
                "settlement_penalty": quote["penalty"],
                "settlement_taxes": quote["taxes"],
                "settlement_unpaid_invoices": quote["unpaid_invoices"],
                "settlement_deposit": -quote["deposit"],
            }
        )
        # Everything was paid already (the deposit covered it): the lease closed at once.
        if contract.state == "closed" and self.state == "approved":
            self._leasing_settlement_done()
        # Carried out once the lease closes, not by the approval.
        return self.state == "done"

    def _leasing_settlement_done(self):
        """These approved settlements are done: their lease closed, the settlement invoice paid."""
        requests = self.filtered(lambda request: request.state == "approved")
        if not requests:
            return
        # Set by the ledger (the last invoice paid), whoever paid it.
        requests.sudo().write({"state": "done", "done_date": fields.Datetime.now()})
        for request in requests:
            request.sudo().message_post(
                body=self.env._(
                    "The settlement invoice %(invoice)s is paid and %(contract)s is closed: the settlement certificate "
                    "is ready.",
                    invoice=request.settlement_invoice_id.name or "",
                    contract=request.contract_id.name,
                )
            )

    def _execute_write_off(self):
        """Write the lease's unpaid receivable off to bad debts on the request's date (see
        ``leasing.contract._leasing_write_off``): the request's amount is what was written off,
        and the request is done (return True)."""
        self.ensure_one()
        contract = self.contract_id
        move = contract._leasing_write_off(self.date, self.reason)
        contract.invalidate_recordset(["amount_written_off"])
        # The request's figures and state are the system's, written once the entry is posted.
        self.sudo().write(
            {
                "amount": contract.amount_written_off,
                "write_off_move_id": move.id,
                "state": "done",
                "done_date": fields.Datetime.now(),
            }
        )
        return True
