from odoo import api, fields, models
from odoo.tools import SQL

MOVE_KINDS = [
    ("commencement", "Commencement Entry"),
    ("leaseback_bill", "Leaseback Purchase Bill"),
    ("upfront", "Up-front Invoice"),
    ("installment", "Instalment Invoice"),
    ("payoff", "Early Payoff Invoice"),
    ("prepayment", "Prepayment Invoice"),
    ("deposit_refund", "Deposit Refund"),
    ("commission", "Commission Bill"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    leasing_contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", index="btree_not_null", readonly=True, copy=False
    )
    leasing_schedule_line_id = fields.Many2one(
        "leasing.schedule.line", string="Rent Schedule Line", index="btree_not_null", readonly=True, copy=False
    )
    leasing_move_kind = fields.Selection(MOVE_KINDS, string="Lease Document", readonly=True, copy=False)

    def init(self):
        result = super().init()
        # The last guard against invoicing a schedule line twice, even from two transactions at once.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS account_move_leasing_schedule_line_uniq
                    ON account_move (leasing_schedule_line_id)
                 WHERE leasing_schedule_line_id IS NOT NULL AND state != 'cancel'
                """
            )
        )
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A lessee's unallocated payments settle their new instalment invoices at once.
        installments = posted.filtered(lambda m: m.leasing_move_kind == "installment" and m.is_invoice())
        if installments and not self.env.context.get("leasing_skip_allocation"):
            installments.leasing_contract_id._allocate_payments()
        return posted

    def _leasing_last_payment_date(self):
        """Date of the last payment reconciled with this invoice."""
        self.ensure_one()
        receivables = self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        counterparts = receivables.matched_credit_ids.credit_move_id | receivables.matched_debit_ids.debit_move_id
        return max(counterparts.mapped("date"), default=False)

    @api.model
    def _leasing_open_receivable_lines(self, partners, companies):
        """Posted, unreconciled receivable lines of these commercial partners: debits are amounts
        due, credits the customer's unallocated balance."""
        return self.env["account.move.line"].search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "in", companies.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0.0),
            ],
            order="date_maturity, date, id",
        )
