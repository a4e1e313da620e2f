from odoo import api, fields, models

from .leasing_debt_statement import STATEMENT_LINE_STATUSES


class LeasingDebtStatementLine(models.TransientModel):
    """A row of a debt statement: an instalment of the schedule, or another invoice of the lease
    (up-front, payoff, penalty), as of the statement's date."""

    _name = "leasing.debt.statement.line"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Debt Statement Line"
    _order = "statement_id, contract_id, due_date, id"

    statement_id = fields.Many2one("leasing.debt.statement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="statement_id.company_id")
    currency_id = fields.Many2one(related="statement_id.currency_id")
    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    schedule_line_id = fields.Many2one("leasing.schedule.line", readonly=True)
    label = fields.Char(string="#", readonly=True, help="The instalment's number, or the invoice.")
    due_date = fields.Date(readonly=True)
    status = fields.Selection(STATEMENT_LINE_STATUSES, readonly=True)
    amount = fields.Monetary(readonly=True)
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    amount_unpaid = fields.Monetary(string="Unpaid", readonly=True)
    last_payment_date = fields.Date(string="Paid on", readonly=True)
    days_past_due = fields.Integer(readonly=True)
    penalty_accrued = fields.Monetary(readonly=True)
    penalty_invoiced = fields.Monetary(readonly=True)
    penalty_waived = fields.Monetary(readonly=True)
    penalty_due = fields.Monetary(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        # Written by the statement's computation only (as superuser): the ledger's figures.
        self._check_system_fields(vals_list)
        return super(LeasingDebtStatementLine, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
