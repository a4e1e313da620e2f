from odoo import api, fields, models


class LeasingDebtStatementPayment(models.TransientModel):
    """A payment or credit note the ledger had matched with a lease's invoices by the date of a
    debt statement, and the part of it applied to that lease."""

    _name = "leasing.debt.statement.payment"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Debt Statement Payment"
    _order = "statement_id, date, id"

    statement_id = fields.Many2one("leasing.debt.statement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="statement_id.company_id")
    currency_id = fields.Many2one(related="statement_id.currency_id")
    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    date = fields.Date(readonly=True)
    reference = fields.Char(readonly=True)
    kind = fields.Selection([("payment", "Payment"), ("refund", "Credit Note")], readonly=True)
    amount = fields.Monetary(string="Applied", readonly=True, help="The part of it that paid the lease's invoices.")

    @api.model_create_multi
    def create(self, vals_list):
        # Written by the statement's computation only (as superuser): the ledger's figures.
        self._check_system_fields(vals_list)
        return super(LeasingDebtStatementPayment, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
