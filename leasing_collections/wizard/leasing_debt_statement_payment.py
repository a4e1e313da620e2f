from odoo import fields, models


class LeasingDebtStatementPayment(models.TransientModel):
    """A payment or credit note the ledger had matched with a lease's invoices by the date of a
    debt statement, and the part of it applied to that lease."""

    _name = "leasing.debt.statement.payment"
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
