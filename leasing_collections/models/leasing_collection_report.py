from odoo import fields, models
from odoo.tools import SQL


class LeasingCollectionReport(models.Model):
    """What the lessees paid on their lease invoices, one row per payment applied to an invoice
    (a reconciliation with a payment or a bank entry; credit notes and the write-off of a bad
    debt are not collections), dated
    by the payment, in the invoice's currency: what the close reads from the ledger."""

    _name = "leasing.collection.report"
    _description = "Collected on Leases"
    _auto = False
    _rec_name = "contract_id"
    _order = "date desc, id desc"
    _depends = {
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "debit_amount_currency"],
        "account.move.line": ["move_id", "date"],
        "account.move": ["state", "move_type", "currency_id", "leasing_contract_id", "leasing_move_kind"],
        "leasing.contract": ["company_id", "partner_id", "plan_id", "user_id"],
    }

    date = fields.Date(string="Payment Date", readonly=True)
    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Lessee", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, groups="account.group_account_invoice"
    )
    amount = fields.Monetary(string="Collected", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT pr.id, paid.date, c.id AS contract_id, c.partner_id, c.company_id, c.plan_id, c.user_id,
                   m.currency_id, m.id AS invoice_id,
                   pr.debit_amount_currency AS amount
              FROM account_partial_reconcile pr
              JOIN account_move_line rl ON rl.id = pr.debit_move_id
              JOIN account_move m ON m.id = rl.move_id
                                 AND m.state = 'posted'
                                 AND m.move_type = 'out_invoice'
                                 AND m.leasing_contract_id IS NOT NULL
              JOIN leasing_contract c ON c.id = m.leasing_contract_id
              JOIN account_move_line paid ON paid.id = pr.credit_move_id
              JOIN account_move pm ON pm.id = paid.move_id AND pm.move_type = 'entry' AND pm.state = 'posted'
                                  AND pm.leasing_move_kind IS DISTINCT FROM 'write_off'
            """
        )
