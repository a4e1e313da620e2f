from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .leasing_system_fields_mixin import check_system_fields, without_system_defaults

MOVE_KINDS = [
    ("commencement", "Commencement Entry"),
    ("leaseback_bill", "Leaseback Purchase Bill"),
    ("upfront", "Up-front Invoice"),
    ("installment", "Instalment Invoice"),
    ("payoff", "Early Payoff Invoice"),
    ("prepayment", "Prepayment Invoice"),
    ("deposit_refund", "Deposit Refund"),
    ("commission", "Commission Bill"),
    ("discontinue", "Discontinued Item Entry"),
    ("exchange", "Exchange Rounding Entry"),
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

    # The lease, schedule line and kind of a lease document are the system's: set when the lease
    # posts it, never by hand (they drive the status of the schedule and of the lease).
    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        moves = super(AccountMove, without_system_defaults(self)).create(vals_list)
        moves._leasing_log_origin()
        return moves

    def write(self, vals):
        check_system_fields(self, [vals])
        return super().write(vals)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A lessee's unallocated payments settle their new instalment invoices at once.
        installments = posted.filtered(lambda m: m.leasing_move_kind == "installment" and m.is_invoice())
        if installments:
            installments.leasing_contract_id._allocate_payments()
        return posted

    def _leasing_log_origin(self):
        """Say in the chatter of each lease document which lease it belongs to and why, with a
        link to the lease. The documents of a batch (the daily invoicing creates hundreds) get
        their notes in one insert, with what the batch has already read."""
        documents = self.filtered(lambda move: move.leasing_contract_id and move.leasing_move_kind)
        if not documents:
            return
        bodies = {}
        for move in documents:
            bodies[move.id] = Markup("<p>%s</p>") % move._leasing_origin_note()
        documents._message_log_batch(bodies=bodies)

    def _leasing_origin_note(self):
        """What this lease document is, with a link to its lease."""
        self.ensure_one()
        lease = self.leasing_contract_id._get_html_link(title=self.leasing_contract_id.name)
        kind = self.leasing_move_kind
        if kind == "installment" and self.leasing_schedule_line_id.line_type == "residual":
            return self.env._("Residual value of %(lease)s", lease=lease)
        if kind == "installment":
            return self.env._(
                "Instalment %(sequence)s of %(lease)s", sequence=self.leasing_schedule_line_id.sequence, lease=lease
            )
        if kind == "commencement":
            return self.env._("Commencement of %(lease)s: the net investment in the lease", lease=lease)
        if kind == "leaseback_bill":
            return self.env._("Purchase of the assets leased back under %(lease)s", lease=lease)
        if kind == "upfront":
            return self.env._("Due at the signing of %(lease)s", lease=lease)
        if kind == "payoff":
            return self.env._("Early payoff of %(lease)s", lease=lease)
        if kind == "prepayment":
            return self.env._("Partial prepayment of %(lease)s", lease=lease)
        if kind == "deposit_refund":
            return self.env._("Security deposit of %(lease)s returned", lease=lease)
        if kind == "discontinue":
            return self.env._("Item discontinued from %(lease)s", lease=lease)
        return self.env._("Document of %(lease)s", lease=lease)

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

    # ==================================================================
    # Early payoff
    # ==================================================================
    def _invoice_paid_hook(self):
        """A paid-off lease closes when its last invoice is paid. Odoo calls this hook on the
        invoices that have just become paid, by a reconciliation or when posted at zero, in one
        batch."""
        result = super()._invoice_paid_hook()
        self._leasing_close_paid_off()
        return result

    def _leasing_close_paid_off(self):
        """Close the paid-off leases of these invoices once all their invoices are paid."""
        # The payment is often registered by an accountant without leasing rights; the closing
        # follows from the ledger alone, so the leases are read and closed as superuser.
        contracts_sudo = self.sudo().leasing_contract_id.filtered(lambda c: c.state == "active" and c.payoff_invoice_id)
        if contracts_sudo:
            contracts_sudo._close_paid_off()

    # ==================================================================
    # Commissions
    # ==================================================================
    def button_cancel(self):
        result = super().button_cancel()
        self.filtered(lambda m: m.state == "cancel")._leasing_release_commissions()
        return result

    def unlink(self):
        # Before the bills go: a billed commission keeps its bill until it is released.
        self._leasing_release_commissions()
        return super().unlink()

    def _leasing_release_commissions(self):
        """The commissions of cancelled or deleted commission bills can be billed again."""
        bills = self.filtered(lambda m: m.leasing_move_kind == "commission")
        if bills:
            self.env["leasing.commission"].search([("bill_id", "in", bills.ids)])._release_from_bills()
