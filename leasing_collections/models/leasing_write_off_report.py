from odoo import fields, models
from odoo.tools import SQL


class LeasingWriteOffReport(models.Model):
    """The bad debts written off and what was recovered on them afterwards, as the ledger holds
    them: one row per receivable item of a posted write-off entry (the unpaid receivable moved
    to bad debts) or recovery entry (a payment received on a written-off lease), dated by the
    entry, in its currency, with the signs of the lease's own figures (``amount_written_off``,
    ``amount_recovered``)."""

    _name = "leasing.write.off.report"
    _description = "Write-offs and Recoveries"
    _auto = False
    _rec_name = "contract_id"
    _order = "date desc, id desc"
    _depends = {
        "account.move.line": ["move_id", "date", "account_id", "amount_currency", "currency_id", "parent_state"],
        "account.move": ["state", "leasing_contract_id", "leasing_move_kind"],
        "leasing.contract": ["company_id", "partner_id", "plan_id", "user_id"],
    }

    date = fields.Date(readonly=True)
    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Lessee", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    kind = fields.Selection([("write_off", "Write-off"), ("recovery", "Recovery")], readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True, groups="account.group_account_invoice")
    amount_written_off = fields.Monetary(string="Written Off", readonly=True, aggregator="sum")
    amount_recovered = fields.Monetary(string="Recovered", readonly=True, aggregator="sum")
    amount_net = fields.Monetary(string="Net Loss", readonly=True, aggregator="sum", help="Written off less recovered.")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT aml.id, aml.date, c.id AS contract_id, c.partner_id, c.company_id, c.plan_id, c.user_id,
                   aml.currency_id, m.leasing_move_kind AS kind, m.id AS move_id,
                   CASE WHEN m.leasing_move_kind = 'write_off' THEN -aml.amount_currency ELSE 0 END
                       AS amount_written_off,
                   CASE WHEN m.leasing_move_kind = 'recovery' THEN aml.amount_currency ELSE 0 END
                       AS amount_recovered,
                   -aml.amount_currency AS amount_net
              FROM account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
                                 AND m.state = 'posted'
                                 AND m.leasing_move_kind IN ('write_off', 'recovery')
              JOIN leasing_contract c ON c.id = m.leasing_contract_id
              JOIN account_account a ON a.id = aml.account_id AND a.account_type = 'asset_receivable'
            """
        )
