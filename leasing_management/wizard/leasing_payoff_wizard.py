from odoo import api, fields, models
from odoo.exceptions import UserError


class LeasingPayoffWizard(models.TransientModel):
    _name = "leasing.payoff.wizard"
    _description = "Early Payoff of a Lease"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    annual_rate = fields.Float(related="contract_id.annual_rate")
    early_termination_fee_pct = fields.Float(related="contract_id.plan_id.early_termination_fee_pct")
    payoff_date = fields.Date(required=True, default=fields.Date.context_today)

    accrual_start = fields.Date(string="Interest From", compute="_compute_quote")
    accrual_days = fields.Integer(string="Days of Interest", compute="_compute_quote")
    outstanding_principal = fields.Monetary(
        compute="_compute_quote", help="Principal of the schedule lines not yet invoiced."
    )
    accrued_interest = fields.Monetary(
        string="Interest Accrued",
        compute="_compute_quote",
        help="Outstanding principal x annual rate x days since the last instalment invoiced fell due / 365.",
    )
    early_termination_fee = fields.Monetary(compute="_compute_quote")
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_quote")
    unpaid_invoices = fields.Monetary(
        compute="_compute_quote", help="Still due on the invoices already issued; they stay open as they are."
    )
    deposit_applied = fields.Monetary(string="Deposit Held, Applied", compute="_compute_quote")
    deposit_remaining = fields.Monetary(
        string="Deposit to Refund", compute="_compute_quote", help="The part of the deposit above everything owed."
    )
    amount_total = fields.Monetary(string="Total to Pay", compute="_compute_quote")
    warning = fields.Char(compute="_compute_quote")

    @api.depends("contract_id", "payoff_date")
    def _compute_quote(self):
        for wizard in self:
            contract = wizard.contract_id
            error = contract._payoff_error(wizard.payoff_date) if contract else False
            quote = {}
            if contract and wizard.payoff_date and contract._payoff_future_lines():
                quote = contract._payoff_quote(wizard.payoff_date)
            wizard.warning = error
            wizard.accrual_start = quote.get("accrual_start", False)
            wizard.accrual_days = quote.get("days", 0)
            wizard.outstanding_principal = quote.get("principal", 0.0)
            wizard.accrued_interest = quote.get("interest", 0.0)
            wizard.early_termination_fee = quote.get("fee", 0.0)
            wizard.amount_tax = quote.get("taxes", 0.0)
            wizard.unpaid_invoices = quote.get("unpaid_invoices", 0.0)
            wizard.deposit_applied = quote.get("deposit", 0.0)
            wizard.deposit_remaining = quote.get("deposit_remaining", 0.0)
            wizard.amount_total = quote.get("total", 0.0)

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._check_closing_rights()
        error = self.contract_id._payoff_error(self.payoff_date)
        if error:
            raise UserError(error)
        invoice = self.contract_id._do_payoff(self.payoff_date)
        return self.contract_id._action_view_moves(invoice)
