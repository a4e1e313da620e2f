import contextvars
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date, plaintext2html
from odoo.tools.misc import formatLang

from ..tools import (
    MAX_AMOUNT,
    MAX_DATE,
    MAX_MONTHS,
    MAX_TERM,
    MIN_DATE,
    apr_of_dated_flows,
    compute_schedule,
    effective_annual_rate,
    percent_of,
    periodic_rate,
)
from ..tools import apr as compute_apr
from .leasing_plan import LEASE_TYPES, PAYMENT_TIMINGS, PERIOD_MONTHS, REPAYMENT_METHODS

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("review", "Under Review"),
    ("approved", "Approved"),
    ("active", "Active"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# Terms copied from the plan; with the items, fees and amounts they make the schedule.
PLAN_TERMS = ("term", "period_months", "annual_rate", "repayment_method", "payment_timing")
SCHEDULE_FIELDS = frozenset(
    PLAN_TERMS + ("start_date", "residual_value", "down_payment", "line_ids", "fee_ids", "currency_id", "company_id")
)
# Fields that make the financial terms: free until approval, frozen from then on.
FINANCIAL_FIELDS = frozenset(PLAN_TERMS) | {
    "plan_id",
    "lease_type",
    "partner_id",
    "currency_id",
    "company_id",
    "line_ids",
    "fee_ids",
    "down_payment",
    "deposit",
    "residual_value",
}
# What the changes during the lease rewrite on an active contract, once they have rescheduled it.
RESCHEDULED_TERMS = frozenset({"term", "residual_value"})
TERMS_EDITABLE_STATES = ("draft", "review")
SCHEDULE_EDITABLE_STATES = ("draft", "review", "approved")
# States a contract can be cancelled from in a batch: not yet approved.
BATCH_CANCEL_STATES = ("draft", "review")
# Payment states of an invoice that owes nothing more.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# What the lessee is billed: customer invoices and credit notes; the lease's other documents
# (commencement and discontinue entries, the leaseback bill) are the accountants' entries.
INVOICE_MOVE_TYPES = ("out_invoice", "out_refund")
# Read from the ledger when asked (not stored): read again once entries are posted.
LEDGER_FIGURES = ["amount_due", "amount_overdue", "customer_balance", "deposit_held"]
# The lease documents whose plan settings _accounting_settings knows (commission bills have their own).
LEASE_DOCUMENTS = (
    "commencement",
    "leaseback_bill",
    "upfront",
    "installment",
    "payoff",
    "prepayment",
    "deposit_refund",
    "discontinue",
)
# The activity that tells the Leasing Managers the daily invoicing skipped a lease.
INVOICING_FAILURE_ACTIVITY = "leasing_management.mail_activity_type_invoicing_failure"
DEPOSIT_ACTIONS = [
    ("refund", "Refund it to the lessee"),
    ("apply", "Apply it to the open invoices"),
]

# Contracts whose schedule rebuild waits for the end of the contract's own create or write, which
# rebuilds them all at once: set by Python code only, for the length of that call (a batching aid
# for the items and fees created with a contract, never a permission).
_PENDING_SCHEDULES = contextvars.ContextVar("leasing_pending_schedules", default=None)


class LeasingContract(models.Model):
    _name = "leasing.contract"
    _description = "Lease Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _order = "signing_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default=lambda self: self.env._("New")
    )
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, copy=False, tracking=True, index=True, group_expand=True
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Lessee", required=True, tracking=True, index=True, check_company=True
    )
    guarantor_ids = fields.Many2many(
        "res.partner",
        "leasing_contract_guarantor_rel",
        "contract_id",
        "partner_id",
        string="Guarantors",
        check_company=True,
    )
    guarantor_count = fields.Integer(compute="_compute_guarantor_count")
    user_id = fields.Many2one("res.users", string="Account Manager", default=lambda self: self.env.user, tracking=True)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", required=True, tracking=True, check_company=True)
    lease_type = fields.Selection(
        LEASE_TYPES,
        required=True,
        compute="_compute_lease_type",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, readonly=False, precompute=True, required=True
    )
    signing_date = fields.Date(default=fields.Date.context_today, tracking=True, copy=False)
    start_date = fields.Date(
        tracking=True,
        copy=False,
        help="Commencement date: instalments fall due from it, one period apart.",
    )
    end_date = fields.Date(compute="_compute_schedule_figures", store=True, string="Last Due Date")

    # Terms, copied from the plan and changeable until approval.
    term = fields.Integer(
        string="Instalments",
        compute="_compute_plan_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    period_months = fields.Integer(
        string="Months per Period",
        compute="_compute_plan_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    annual_rate = fields.Float(
        string="Annual Rate (%)",
        digits=(16, 4),
        compute="_compute_plan_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    rate_in_force = fields.Float(
        string="Rate in Force (%)",
        digits=(16, 4),
        compute="_compute_rate_in_force",
        store=True,
        tracking=True,
        help="The annual rate the lease runs at now: the rate at signing, or the rate its balloon was "
        "extended at. Every later change (prepayment, returned item, payoff) accrues at this rate.",
    )
    repayment_method = fields.Selection(
        REPAYMENT_METHODS,
        compute="_compute_plan_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    payment_timing = fields.Selection(
        PAYMENT_TIMINGS,
        compute="_compute_plan_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )

    # What is leased and how it is paid for.
    line_ids = fields.One2many("leasing.contract.line", "contract_id", string="Leased Items", copy=True)
    fee_ids = fields.One2many(
        "leasing.contract.fee",
        "contract_id",
        string="Fees",
        compute="_compute_fee_ids",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
    )
    items_total = fields.Monetary(string="Items Price", compute="_compute_amounts", store=True)
    fees_financed = fields.Monetary(string="Financed Fees", compute="_compute_amounts", store=True)
    fees_upfront = fields.Monetary(string="Fees Paid up Front", compute="_compute_amounts", store=True)
    down_payment = fields.Monetary(
        compute="_compute_plan_amounts", store=True, readonly=False, precompute=True, tracking=True
    )
    deposit = fields.Monetary(
        string="Security Deposit",
        compute="_compute_plan_amounts",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    residual_value = fields.Monetary(
        compute="_compute_plan_amounts", store=True, readonly=False, precompute=True, tracking=True
    )
    financed_amount = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        tracking=True,
        help="Items price plus financed fees, less the down payment.",
    )

    # The schedule and what it adds up to.
    schedule_line_ids = fields.One2many("leasing.schedule.line", "contract_id", string="Rent Schedule", readonly=True)
    installment_amount = fields.Monetary(
        string="Instalment",
        compute="_compute_installment_amount",
        store=True,
        help="The regular instalment: the next one still to invoice that asks for money.",
    )
    total_interest = fields.Monetary(compute="_compute_schedule_figures", store=True)
    total_amount = fields.Monetary(
        string="Total Repaid", compute="_compute_schedule_figures", store=True, help="Instalments plus residual."
    )
    periodic_rate = fields.Float(string="Periodic Rate (%)", digits=(16, 6), compute="_compute_rates", store=True)
    effective_rate = fields.Float(
        string="Effective Annual Rate (%)", digits=(16, 4), compute="_compute_rates", store=True
    )
    apr = fields.Float(
        string="APR (%)",
        digits=(16, 4),
        compute="_compute_schedule_figures",
        store=True,
        help="Annual percentage rate disclosed at signing: the internal rate of return of the cash "
        "flows of the schedule (the amount financed less the fees paid up front, against every "
        "instalment and the residual), annualised. Kept as signed once the lease is active.",
    )
    apr_current = fields.Float(
        string="Current APR (%)",
        digits=(16, 4),
        compute="_compute_apr_current",
        help="The APR of the lease as it now stands: the rate of its real cash flows at their dates (what was "
        "disbursed, against every instalment, prepayment, payoff and returned item), annualised as the APR at "
        "signing is. Without a change during the lease, it is the APR at signing.",
    )
    outstanding_principal = fields.Monetary(
        compute="_compute_outstanding_principal",
        help="Principal of the instalments of an active contract that have not yet fallen due.",
    )

    # Credit review and approval.
    credit_review_ids = fields.One2many("leasing.credit.review", "contract_id", string="Credit Reviews", readonly=True)
    credit_review_id = fields.Many2one(
        "leasing.credit.review", compute="_compute_credit_review_id", store=True, string="Credit Review"
    )
    risk_score = fields.Integer(related="credit_review_id.risk_score")
    risk_level = fields.Selection(related="credit_review_id.risk_level")
    recommendation = fields.Selection(related="credit_review_id.recommendation")
    credit_review_state = fields.Selection(related="credit_review_id.state", string="Credit Review Status")
    review_conditions = fields.Text(related="credit_review_id.conditions")
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_date = fields.Datetime(readonly=True, copy=False)
    activated_date = fields.Date(readonly=True, copy=False)
    note = fields.Html(string="Notes")

    # Ledger.
    move_ids = fields.One2many(
        "account.move", "leasing_contract_id", string="Journal Entries and Invoices", readonly=True
    )
    invoice_count = fields.Integer(compute="_compute_move_counts", help="Customer invoices and credit notes.")
    entry_count = fields.Integer(compute="_compute_move_counts", help="The lease's other journal entries and bills.")
    commencement_move_id = fields.Many2one("account.move", string="Commencement Entry", readonly=True, copy=False)
    leaseback_bill_id = fields.Many2one("account.move", string="Leaseback Bill", readonly=True, copy=False)
    upfront_invoice_id = fields.Many2one("account.move", string="Up-front Invoice", readonly=True, copy=False)
    amount_due = fields.Monetary(
        compute="_compute_ledger_figures", help="Unpaid amount of the posted invoices of this contract."
    )
    amount_overdue = fields.Monetary(
        compute="_compute_ledger_figures", help="Unpaid amount of this contract's invoices past their due date."
    )
    customer_balance = fields.Monetary(
        compute="_compute_ledger_figures",
        help="The lessee's payments not yet allocated to any invoice: they settle the next instalments.",
    )
    deposit_held = fields.Monetary(
        compute="_compute_ledger_figures", help="Balance of the deposits-held account for this contract."
    )
    invoicing_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the daily invoicing last skipped this lease's instalments; cleared once they are invoiced.",
    )
    invoicing_error_date = fields.Date(
        readonly=True,
        copy=False,
        help="Day the daily invoicing last skipped this lease: it tries again the next day.",
    )

    # Intermediaries and their commissions.
    intermediary_ids = fields.One2many(
        "leasing.contract.intermediary", "contract_id", string="Intermediaries", copy=True
    )
    commission_ids = fields.One2many("leasing.commission", "contract_id", string="Commissions", readonly=True)
    commission_count = fields.Integer(compute="_compute_commission_count")

    # Changes during the lease and its end.
    can_extend_balloon = fields.Boolean(
        compute="_compute_can_extend_balloon", help="The contract has a residual value not yet invoiced."
    )
    payoff_date = fields.Date(readonly=True, copy=False, tracking=True, help="Date of the early payoff.")
    payoff_invoice_id = fields.Many2one(
        "account.move",
        string="Payoff Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="Settlement invoice of the early payoff; the lease closes once it and every other "
        "invoice of the lease are paid.",
    )
    deposit_refund_id = fields.Many2one(
        "account.move",
        string="Deposit Credit Note",
        readonly=True,
        copy=False,
        check_company=True,
        help="Credit note returning the security deposit to the lessee at closing.",
    )
    ownership_transferred_date = fields.Date(
        string="Ownership Transferred On",
        readonly=True,
        copy=False,
        tracking=True,
        help="Day the leased items became the lessee's property: the lease was closed, paid in full.",
    )
    schedule_settled = fields.Boolean(
        compute="_compute_schedule_settled", help="Every line of the schedule, residual value included, is paid."
    )

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A contract reference must be unique per company."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("guarantor_ids")
    def _compute_guarantor_count(self):
        for contract in self:
            contract.guarantor_count = len(contract.guarantor_ids)

    @api.depends("plan_id")
    def _compute_lease_type(self):
        for contract in self:
            allowed = contract.plan_id._allowed_lease_types() if contract.plan_id else ["direct"]
            if contract.lease_type not in allowed:
                contract.lease_type = allowed[0]

    @api.depends("plan_id", "company_id")
    def _compute_currency_id(self):
        for contract in self:
            contract.currency_id = contract.plan_id.currency_id or contract.company_id.currency_id

    @api.depends("plan_id")
    def _compute_plan_terms(self):
        for contract in self:
            plan = contract.plan_id
            if not plan:
                continue
            for field_name in PLAN_TERMS:
                contract[field_name] = plan[field_name]

    @api.depends("plan_id")
    def _compute_fee_ids(self):
        for contract in self:
            if not contract.plan_id:
                continue
            # A new plan brings its own fees: the previous plan's do not follow.
            contract.fee_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {"fee_type_id": fee.fee_type_id.id, "amount": fee.amount, "financed": fee.financed}
                )
                for fee in contract.plan_id.fee_ids
            ]

    @api.depends("line_ids.price_subtotal", "fee_ids.amount", "fee_ids.financed", "down_payment", "currency_id")
    def _compute_amounts(self):
        for contract in self:
            currency = contract.currency_id
            items = sum(contract.line_ids.mapped("price_subtotal"))
            financed_fees = sum(fee.amount for fee in contract.fee_ids if fee.financed)
            upfront_fees = sum(fee.amount for fee in contract.fee_ids if not fee.financed)
            contract.items_total = currency.round(items)
            contract.fees_financed = currency.round(financed_fees)
            contract.fees_upfront = currency.round(upfront_fees)
            contract.financed_amount = currency.round(items + financed_fees - contract.down_payment)

    @api.depends("plan_id", "line_ids.price_subtotal")
    def _compute_plan_amounts(self):
        for contract in self:
            plan = contract.plan_id
            currency = contract.currency_id
            items = sum(contract.line_ids.mapped("price_subtotal"))
            if not currency or abs(items) >= MAX_AMOUNT:
                # The bounds constraint explains what is wrong; nothing to derive meanwhile.
                contract.down_payment = contract.deposit = contract.residual_value = 0.0
                continue
            rounding = currency._leasing_rounding()
            contract.down_payment = percent_of(items, plan.min_down_payment_pct, rounding)
            contract.deposit = percent_of(items, plan.deposit_pct, rounding)
            contract.residual_value = percent_of(items, plan.residual_pct, rounding)

    @api.depends(
        "schedule_line_ids.amount",
        "schedule_line_ids.interest",
        "schedule_line_ids.due_date",
        "schedule_line_ids.cancelled",
        "fees_upfront",
        "financed_amount",
        "payoff_date",
        *PLAN_TERMS,
        "start_date",
        "residual_value",
    )
    def _compute_schedule_figures(self):
        for contract in self:
            rows = contract._figure_rows()
            currency = contract.currency_id
            contract.total_interest = currency.round(sum(row["interest"] for row in rows))
            contract.total_amount = currency.round(sum(row["amount"] for row in rows))
            # After an early payoff the lease ends on its payoff date.
            contract.end_date = max(
                filter(None, (contract.start_date and rows and rows[-1]["due_date"], contract.payoff_date)),
                default=False,
            )
            if contract.state not in ("active", "closed"):
                # Disclosed at signing and kept as signed: apr_current follows the lease's changes.
                contract.apr = contract._apr_of_rows(rows)

    # Apart from the totals and the APR, which invoicing leaves alone: only this follows the
    # invoices, so the daily invoicing does not recompute every contract's APR.
    @api.depends(
        "schedule_line_ids.amount",
        "schedule_line_ids.line_type",
        "schedule_line_ids.invoice_id",
        "schedule_line_ids.cancelled",
        "financed_amount",
        *PLAN_TERMS,
        "start_date",
        "residual_value",
    )
    def _compute_installment_amount(self):
        for contract in self:
            currency = contract.currency_id
            # The regular instalment: the next one that asks for money (in advance, an
            # interest-only lease's first instalment is zero; after a prepayment or an item
            # returned, the instalments still to invoice are the new ones).
            paying_rows = [
                row
                for row in contract._figure_rows(invoiced=True)
                if row["line_type"] == "installment" and not currency.is_zero(row["amount"])
            ]
            paying = next((row for row in paying_rows if not row["invoiced"]), paying_rows[0] if paying_rows else None)
            contract.installment_amount = paying["amount"] if paying else 0.0

    @api.depends("apr", "schedule_line_ids.amount", "schedule_line_ids.cancelled", "move_ids.state")
    def _compute_apr_current(self):
        for contract in self:
            flows = contract._real_cash_flows()
            if not flows:
                contract.apr_current = contract.apr
                continue
            try:
                contract.apr_current = apr_of_dated_flows(contract.start_date, flows, contract.period_months)
            except ValueError:
                # No rate balances these flows (fees above the interest, say): no APR to show.
                contract.apr_current = 0.0

    @api.depends("annual_rate")
    def _compute_rate_in_force(self):
        for contract in self:
            # Set by a balloon extension once the lease runs; the terms are frozen from then on.
            if contract.state not in ("active", "closed") or not contract.rate_in_force:
                contract.rate_in_force = contract.annual_rate

    @api.depends("annual_rate", "period_months")
    def _compute_rates(self):
        for contract in self:
            if contract.period_months in PERIOD_MONTHS and contract.annual_rate >= 0:
                contract.periodic_rate = periodic_rate(contract.annual_rate, contract.period_months) * 100
                contract.effective_rate = effective_annual_rate(contract.annual_rate, contract.period_months)
            else:
                contract.periodic_rate = contract.effective_rate = 0.0

    @api.depends("credit_review_ids.state")
    def _compute_credit_review_id(self):
        for contract in self:
            reviews = contract.credit_review_ids.sorted(lambda r: (r.state == "done", r.id), reverse=True)
            contract.credit_review_id = reviews[:1]

    def _compute_outstanding_principal(self):
        today = fields.Date.context_today(self)
        active = self.filtered(lambda c: c.state == "active")
        totals = {}
        if active:
            totals = dict(
                self.env["leasing.schedule.line"]._read_group(
                    [("contract_id", "in", active.ids), ("due_date", ">=", today), ("cancelled", "=", False)],
                    ["contract_id"],
                    ["principal:sum"],
                )
            )
        for contract in self:
            contract.outstanding_principal = totals.get(contract, 0.0)

    def _compute_move_counts(self):
        invoices, entries = {}, {}
        for contract, move_type, count in self.env["account.move"]._read_group(
            [("leasing_contract_id", "in", self.ids)], ["leasing_contract_id", "move_type"], ["__count"]
        ):
            counts = invoices if move_type in INVOICE_MOVE_TYPES else entries
            counts[contract] = counts.get(contract, 0) + count
        for contract in self:
            contract.invoice_count = invoices.get(contract, 0)
            contract.entry_count = entries.get(contract, 0)

    def _compute_ledger_figures(self):
        """Amounts due and overdue, customer balance and deposit held, read from the ledger with
        a few grouped reads for all the contracts, in each contract's own currency: the journal
        items' residual in their currency when it is the contract's, their company-currency
        residual converted at today's rate otherwise (a payment in another currency, say)."""
        today = fields.Date.context_today(self)
        # Figures of the user's own contracts: a Leasing User without accounting rights sees the
        # sums on the contract, not the journal items, which are read as superuser for them.
        MoveLine = self.env["account.move.line"].sudo()
        receivable = [
            ("leasing_contract_id", "in", self.ids),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            # What the lessee owes; credits (a deposit to refund, say) are their balance.
            ("amount_residual", ">", 0.0),
        ]
        residual_fields = ["amount_residual_currency:sum", "amount_residual:sum"]
        due = MoveLine._read_group(receivable, ["leasing_contract_id", "currency_id"], residual_fields)
        overdue = MoveLine._read_group(
            [*receivable, ("date_maturity", "<", today)], ["leasing_contract_id", "currency_id"], residual_fields
        )
        deposits = {
            (contract, account): balance
            for contract, account, balance in MoveLine._read_group(
                [
                    ("leasing_contract_id", "in", self.ids),
                    ("parent_state", "=", "posted"),
                    ("account_id", "in", self.plan_id.deposit_account_id.ids),
                ],
                ["leasing_contract_id", "account_id"],
                ["amount_currency:sum"],
            )
        }
        credits = []
        for company, contracts in self.grouped("company_id").items():
            partners = contracts.partner_id.commercial_partner_id
            credits += MoveLine._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0.0),
                ],
                ["partner_id", "company_id", "currency_id"],
                residual_fields,
            )

        def in_currency(contract, currency, residual_currency, residual):
            """A residual in ``contract``'s currency."""
            if currency == contract.currency_id:
                return residual_currency
            company = contract.company_id
            return company.currency_id._convert(residual, contract.currency_id, company, today)

        totals = {contract: dict.fromkeys(("due", "overdue", "balance"), 0.0) for contract in self}
        for key, groups in (("due", due), ("overdue", overdue)):
            for contract, currency, residual_currency, residual in groups:
                totals[contract][key] += in_currency(contract, currency, residual_currency, residual)
        credits_by_lessee = {}
        for partner, company, currency, residual_currency, residual in credits:
            credits_by_lessee.setdefault((partner.commercial_partner_id, company), []).append(
                (currency, residual_currency, residual)
            )
        for contract in self:
            for currency, residual_currency, residual in credits_by_lessee.get(
                (contract.partner_id.commercial_partner_id, contract.company_id), ()
            ):
                totals[contract]["balance"] -= in_currency(contract, currency, residual_currency, residual)
        for contract in self:
            currency = contract.currency_id
            figures = totals[contract]
            contract.amount_due = currency.round(figures["due"])
            contract.amount_overdue = currency.round(max(figures["overdue"], 0.0))
            contract.customer_balance = currency.round(figures["balance"])
            contract.deposit_held = currency.round(-deposits.get((contract, contract.plan_id.deposit_account_id), 0.0))

    def _compute_commission_count(self):
        counts = dict(
            self.env["leasing.commission"]._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"])
        )
        for contract in self:
            contract.commission_count = counts.get(contract, 0)

    @api.depends("schedule_line_ids.line_type", "schedule_line_ids.invoice_id", "schedule_line_ids.cancelled")
    def _compute_can_extend_balloon(self):
        for contract in self:
            contract.can_extend_balloon = bool(contract._reschedule_residual_line())

    @api.depends("schedule_line_ids.state", "schedule_line_ids.cancelled")
    def _compute_schedule_settled(self):
        for contract in self:
            contract.schedule_settled = bool(contract.schedule_line_ids) and not contract._unsettled_schedule_lines()

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("term", "period_months", "annual_rate")
    def _check_terms(self):
        for contract in self:
            if contract.term < 1:
                raise ValidationError(
                    self.env._("%(contract)s: the term must be at least one instalment.", contract=contract.name)
                )
            if contract.period_months not in PERIOD_MONTHS:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the period must be 1, 3, 6 or 12 months, not %(months)s.",
                        contract=contract.name,
                        months=contract.period_months,
                    )
                )
            if contract.annual_rate < 0 or contract.annual_rate > 100:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the annual rate must lie between 0 and 100 %%, not %(rate)s %%.",
                        contract=contract.name,
                        rate=contract.annual_rate,
                    )
                )

    @api.constrains(
        "term", "period_months", "start_date", "signing_date", "items_total", "fees_financed", "fees_upfront"
    )
    def _check_bounds(self):
        """Limits no lessor reaches, so that no input can hang the server or overflow a date:
        600 instalments, 50 years, amounts below 10**12, dates between 1900 and 2199."""
        for contract in self:
            if contract.term > MAX_TERM or contract.term * contract.period_months > MAX_MONTHS:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: a lease runs for at most %(term)s instalments and %(years)s years, not "
                        "%(count)s instalments of %(months)s months.",
                        contract=contract.name,
                        term=MAX_TERM,
                        years=MAX_MONTHS // 12,
                        count=contract.term,
                        months=contract.period_months,
                    )
                )
            for field_name in ("start_date", "signing_date"):
                day = contract[field_name]
                if day and not MIN_DATE <= day <= MAX_DATE:
                    raise ValidationError(
                        self.env._(
                            "%(contract)s: the %(field)s must lie between %(first)s and %(last)s.",
                            contract=contract.name,
                            field=contract._fields[field_name].get_description(self.env)["string"].lower(),
                            first=MIN_DATE.year,
                            last=MAX_DATE.year,
                        )
                    )
            if any(
                abs(amount) >= MAX_AMOUNT
                for amount in (contract.items_total, contract.fees_financed, contract.fees_upfront)
            ):
                raise ValidationError(
                    self.env._(
                        "%(contract)s: amounts must stay below %(limit)s.",
                        contract=contract.name,
                        limit=formatLang(self.env, MAX_AMOUNT, digits=0),
                    )
                )

    @api.constrains("down_payment", "deposit", "residual_value", "items_total", "financed_amount")
    def _check_amounts(self):
        for contract in self:
            currency = contract.currency_id
            for field_name in ("down_payment", "deposit", "residual_value"):
                if currency.compare_amounts(contract[field_name], 0.0) < 0:
                    raise ValidationError(
                        self.env._(
                            "%(contract)s: the %(field)s cannot be negative.",
                            contract=contract.name,
                            field=contract._fields[field_name].get_description(self.env)["string"].lower(),
                        )
                    )
            if contract.line_ids and currency.compare_amounts(contract.down_payment, contract.items_total) >= 0:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the down payment (%(down)s) must be lower than the price of the "
                        "leased items (%(items)s).",
                        contract=contract.name,
                        down=contract.down_payment,
                        items=contract.items_total,
                    )
                )
            if not currency.is_zero(contract.residual_value) and (
                currency.compare_amounts(contract.residual_value, contract.financed_amount) >= 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the residual value (%(residual)s) must be lower than the amount "
                        "financed (%(financed)s).",
                        contract=contract.name,
                        residual=contract.residual_value,
                        financed=contract.financed_amount,
                    )
                )

    @api.constrains("lease_type", "plan_id")
    def _check_lease_type(self):
        for contract in self:
            if contract.plan_id and contract.lease_type not in contract.plan_id._allowed_lease_types():
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the plan %(plan)s does not allow this lease type.",
                        contract=contract.name,
                        plan=contract.plan_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # A new contract is a draft: its status, reference and figures are the system's.
        self._check_system_fields(vals_list)
        self = self._without_system_defaults()
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("leasing.contract") or self.env._(
                "New"
            )
        # The items and fees created with the contracts leave their schedules to be built here,
        # once, when everything is in place.
        token = _PENDING_SCHEDULES.set(set())
        try:
            contracts = super().create(vals_list)
            pending = contracts.browse(_PENDING_SCHEDULES.get())
        finally:
            _PENDING_SCHEDULES.reset(token)
        # A contract created in force (running leases imported, the demo's) gets its schedule
        # too: it has none yet, so nothing frozen is rebuilt.
        (contracts | pending)._generate_schedule(created=contracts)
        return contracts

    def write(self, vals):
        self._check_system_fields([vals])
        self._check_terms_editable(vals)
        token = _PENDING_SCHEDULES.set(set())
        try:
            result = super().write(vals)
            pending = self.browse(_PENDING_SCHEDULES.get())
        finally:
            _PENDING_SCHEDULES.reset(token)
        if SCHEDULE_FIELDS.intersection(vals) or "plan_id" in vals:
            pending |= self
        pending._generate_schedule()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancelled(self):
        for contract in self:
            if contract.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(contract)s cannot be deleted: only draft or cancelled contracts can.",
                        contract=contract.name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute_schedule(self):
        for contract in self:
            if contract.state not in SCHEDULE_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The rent schedule of %(contract)s has been frozen since its activation.",
                        contract=contract.name,
                    )
                )
            contract._check_schedule_inputs()
        self._generate_schedule()
        return True

    def action_submit(self):
        self.check_access("write")
        for contract in self:
            if contract.state != "draft":
                raise UserError(self.env._("Only draft contracts can be submitted for review."))
            contract._check_schedule_inputs()
            contract._check_plan_minimums()
        self._write_system(
            {"state": "review", "submitted_by_id": self.env.user.id, "submitted_date": fields.Datetime.now()}
        )
        for contract in self:
            contract.message_post(body=self.env._("Submitted for credit review and approval."))
        self._schedule_approval_activities()
        return True

    def action_approve(self):
        self._check_manager()
        for contract in self:
            if contract.state != "review":
                raise UserError(
                    self.env._("%(contract)s is not under review: it cannot be approved.", contract=contract.name)
                )
            if contract.submitted_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "%(contract)s was submitted by you: another Leasing Manager must approve it.",
                        contract=contract.name,
                    )
                )
            contract._check_credit_review()
        self._write_system(
            {"state": "approved", "approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()}
        )
        self._close_approval_activities(approved=True)
        return True

    def action_activate(self):
        self._check_manager()
        for contract in self:
            if contract.state != "approved":
                raise UserError(
                    self.env._("%(contract)s must be approved before it is activated.", contract=contract.name)
                )
            if not contract.start_date:
                raise UserError(
                    self.env._("Set the start date of %(contract)s before activating it.", contract=contract.name)
                )
            contract._check_schedule_inputs()
            contract._check_credit_review()
        # What activation posts, and the instalment invoices of the schedule it freezes.
        self._check_accounting_setup("commencement", "leaseback_bill", "upfront", "installment")
        # Compute the schedule one last time; from now on it is frozen, and so is the APR
        # disclosed at signing (computed from that schedule before the state changes).
        self._generate_schedule()
        self.flush_recordset(["apr", "installment_amount", "total_interest"])
        self._write_system({"state": "active", "activated_date": fields.Date.context_today(self)})
        self._post_commencement()
        self.env["leasing.commission"]._create_for_contracts(self)
        return True

    def action_cancel(self):
        if "approved" in self.mapped("state"):
            self._check_manager()
        for contract in self:
            if contract.state not in ("draft", "review", "approved"):
                raise UserError(
                    self.env._(
                        "%(contract)s is %(state)s: only draft, reviewed or approved contracts can be cancelled.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )
        self._write_system({"state": "cancelled"})
        self._close_approval_activities()
        return True

    def action_draft(self):
        for contract in self:
            if contract.state not in ("review", "cancelled"):
                raise UserError(
                    self.env._(
                        "Only contracts under review or cancelled can be set back to draft (%(contract)s).",
                        contract=contract.name,
                    )
                )
        self._write_system({"state": "draft", "submitted_by_id": False, "submitted_date": False})
        self._close_approval_activities()
        return True

    def action_batch_cancel(self):
        """Cancel the selected draft contracts and those under review, in one write.

        Nothing is changed when any selected contract is approved or beyond: those are cancelled
        one by one by a Leasing Manager from their form (or go on to run their course). Contracts
        already cancelled are left as they are."""
        refused = self.filtered(lambda c: c.state not in BATCH_CANCEL_STATES + ("cancelled",))
        if refused:
            raise UserError(
                self.env._(
                    "Only draft contracts and contracts under review can be cancelled together. Remove these "
                    "from the selection (an approved contract is cancelled from its own form by a Leasing "
                    "Manager): %(contracts)s",
                    contracts=", ".join(f"{c.name} ({c._state_label()})" for c in refused),
                )
            )
        to_cancel = self.filtered(lambda c: c.state in BATCH_CANCEL_STATES)
        if to_cancel:
            to_cancel.action_cancel()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if to_cancel else "info",
                "message": self.env._("%(count)s lease contracts cancelled.", count=len(to_cancel)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_send_email(self):
        """Open the e-mail composer with the lease contract template (the contract PDF attached,
        in the lessee's language), as a sale order's Send by Email does."""
        self.ensure_one()
        self.check_access("read")
        if self.state == "cancelled":
            raise UserError(self.env._("%(contract)s is cancelled: there is no contract to send.", contract=self.name))
        template = self.env.ref("leasing_management.mail_template_leasing_contract", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send by Email"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "email_notification_allow_footer": True,
                "force_email": True,
                "model_description": self.env._("Lease Contract"),
            },
        }

    def action_new_credit_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Review"),
            "res_model": "leasing.credit.review",
            "view_mode": "form",
            "context": {"default_contract_id": self.id},
        }

    def action_view_credit_review(self):
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Reviews"),
            "res_model": "leasing.credit.review",
            "context": {"default_contract_id": self.id},
        }
        if len(self.credit_review_ids) == 1:
            action.update(view_mode="form", res_id=self.credit_review_ids.id)
        else:
            action.update(view_mode="list,form", domain=[("contract_id", "=", self.id)])
        return action

    def action_invoice_due(self):
        """Invoice, now, the instalments of these contracts that fall due within the horizon."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Invoicing the instalments of a lease takes invoicing rights."))
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._("%(contract)s is not active: it has no instalment to invoice.", contract=contract.name)
                )
        Line = self.env["leasing.schedule.line"]
        moves = self.env["account.move"]
        for company, contracts in self.grouped("company_id").items():
            lines = Line.search([*Line._due_domain(company), ("contract_id", "in", contracts.ids)])
            moves |= lines.with_company(company)._create_invoices()
        if not moves:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("No instalment falls due within the invoicing horizon."),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return self._action_view_moves(moves)

    def action_allocate_payments(self):
        """Apply the lessees' unallocated payments to these contracts' open invoices, oldest
        first, and say what was allocated: the amount and the invoices settled, or why nothing
        was (no open invoice, no payment or credit note to allocate)."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Allocating payments to the invoices of a lease takes invoicing rights."))
        for contract in self:
            if contract.state not in ("active", "closed"):
                raise UserError(
                    self.env._(
                        "%(contract)s is %(state)s: payments can only be allocated to active or closed contracts.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )
        invoices = self._open_invoices()
        if not invoices:
            return self._notify(self.env._("Nothing to allocate: no invoice of the lease is open."), "info")
        due_before = {invoice: invoice.amount_residual for invoice in invoices}
        self._allocate_payments()
        invoices.invalidate_recordset(["amount_residual", "payment_state"])
        self.invalidate_recordset(LEDGER_FIGURES)
        allocated = {}
        for invoice in invoices:
            allocated[invoice.currency_id] = allocated.get(invoice.currency_id, 0.0) + (
                due_before[invoice] - invoice.amount_residual
            )
        if all(currency.is_zero(amount) for currency, amount in allocated.items()):
            return self._notify(
                self.env._(
                    "Nothing to allocate: the lessee has no payment or credit note left to allocate. "
                    "Open invoices: %(count)s.",
                    count=len(invoices),
                ),
                "warning",
            )
        settled = invoices.filtered(lambda invoice: invoice.payment_state in SETTLED_PAYMENT_STATES)
        amounts = ", ".join(
            formatLang(self.env, amount, currency_obj=currency)
            for currency, amount in allocated.items()
            if not currency.is_zero(amount)
        )
        partly = len(
            invoices.filtered(
                lambda invoice: invoice.currency_id.compare_amounts(invoice.amount_residual, due_before[invoice]) < 0
            )
        ) - len(settled)
        if partly:
            message = self.env._(
                "%(amount)s allocated. Invoices settled: %(settled)s; paid in part: %(partly)s.",
                amount=amounts,
                settled=len(settled),
                partly=partly,
            )
        else:
            message = self.env._(
                "%(amount)s allocated. Invoices settled: %(settled)s.", amount=amounts, settled=len(settled)
            )
        return self._notify(message, "success")

    def _notify(self, message, kind):
        """A notification for a button of the form, which then shows the figures again."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "message": message, "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    @api.model
    def action_allocate_all_payments(self):
        """Batch allocation over every active contract of the allowed companies."""
        contracts = self.search([("state", "=", "active")])
        contracts._allocate_payments()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Payments allocated over %(count)s active contracts.", count=len(contracts)),
            },
        }

    def action_view_invoices(self):
        """The lease's customer invoices and credit notes, in Odoo's invoice list (due date,
        payment status)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action.update(
            domain=[("leasing_contract_id", "=", self.id), ("move_type", "in", INVOICE_MOVE_TYPES)],
            context={"create": False, "default_move_type": "out_invoice"},
        )
        return action

    def action_view_entries(self):
        """The lease's other journal entries (commencement, discontinued items, the leaseback
        bill), for accountants."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_journal_line")
        action.update(
            name=self.env._("Lease Entries"),
            domain=[("leasing_contract_id", "=", self.id), ("move_type", "not in", INVOICE_MOVE_TYPES)],
            context={"create": False},
        )
        return action

    def action_view_commissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_commission")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_open_payoff_wizard(self):
        self.ensure_one()
        self._check_closing_rights()
        if self.state != "active":
            raise UserError(self._payoff_not_active_message())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Early Payoff"),
            "res_model": "leasing.payoff.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_open_close_wizard(self):
        self.ensure_one()
        self._check_closing_rights()
        self._check_end_of_term()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close the Lease"),
            "res_model": "leasing.close.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_open_prepayment_wizard(self):
        return self._reschedule_open_wizard("leasing.prepayment.wizard", self.env._("Partial Prepayment"))

    def action_open_extension_wizard(self):
        return self._reschedule_open_wizard("leasing.extension.wizard", self.env._("Extend Balloon"))

    def action_open_discontinue_wizard(self):
        return self._reschedule_open_wizard("leasing.discontinue.wizard", self.env._("Discontinue Item"))

    # ------------------------------------------------------------------
    # Approval activities
    # ------------------------------------------------------------------
    def _schedule_approval_activities(self):
        """A Lease Approval activity for each Leasing Manager of the contract's company but the
        submitter, who may not approve it: whoever is free picks it up. All created at once."""
        activity_type = self.env.ref("leasing_management.mail_activity_type_lease_approval", raise_if_not_found=False)
        if not activity_type:
            return self.env["mail.activity"]
        managers = self.env.ref("leasing_management.group_leasing_manager").users.filtered(lambda user: not user.share)
        deadline = activity_type._get_date_deadline()
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": contract.id,
                "activity_type_id": activity_type.id,
                "summary": activity_type.summary,
                "date_deadline": deadline,
                "user_id": manager.id,
                # The system's, which the decision closes (activity_feedback and activity_unlink).
                "automated": True,
            }
            for contract in self
            for manager in managers
            if manager != contract.submitted_by_id and contract.company_id in manager.company_ids
        ]
        return self.env["mail.activity"].create(vals_list)

    def _close_approval_activities(self, approved=False):
        """The lease is decided (``approved``: the approver's activity is marked done) or back
        to draft or cancelled: no Lease Approval activity is left for anybody."""
        xmlid = "leasing_management.mail_activity_type_lease_approval"
        if approved:
            self.activity_feedback([xmlid], user_id=self.env.uid, feedback=self.env._("Approved."))
        self.activity_unlink([xmlid])

    # ------------------------------------------------------------------
    # Workflow: rights and checks
    # ------------------------------------------------------------------
    def _write_system(self, vals):
        """Write what only the system sets on these contracts (status, approvals, links to the
        ledger, the terms a change during the lease rewrites), for an action method that has
        checked the state and the user's rights: the user must be allowed to change them at all.
        ``write`` refuses these fields to any caller but the superuser."""
        self.check_access("write")
        return self.sudo().write(vals)

    def _check_terms_editable(self, vals):
        """Terms are free until approval; the start date until activation; nothing after."""
        changed = FINANCIAL_FIELDS.intersection(vals)
        if self.env.su:
            # The changes during the lease (prepayment, balloon extension, returned item) rewrite
            # the future schedule themselves, log the old and new terms in the chatter, and then
            # record, as the system, the number of instalments and the residual value it now has.
            changed -= RESCHEDULED_TERMS
        for contract in self:
            if changed and contract.state not in TERMS_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The financial terms of %(contract)s can no longer be changed: it is %(state)s. "
                        "(Changed: %(fields)s.)",
                        contract=contract.name,
                        state=contract._state_label(),
                        fields=", ".join(
                            sorted(contract._fields[f].get_description(self.env)["string"] for f in changed)
                        ),
                    )
                )
            if "start_date" in vals and contract.state not in SCHEDULE_EDITABLE_STATES:
                if vals["start_date"] and fields.Date.to_date(vals["start_date"]) == contract.start_date:
                    continue
                raise UserError(
                    self.env._(
                        "The start date of %(contract)s can no longer be changed: its schedule is frozen.",
                        contract=contract.name,
                    )
                )

    def _check_manager(self):
        if not self.env.user.has_group("leasing_management.group_leasing_manager"):
            raise AccessError(
                self.env._("Only a Leasing Manager can approve, activate or cancel approved lease contracts.")
            )

    def _check_items_editable(self):
        """Items and fees belong to the terms: editable until approval."""
        for contract in self:
            if contract.state not in TERMS_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The items and fees of %(contract)s can no longer be changed: it is %(state)s.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )

    def _check_intermediaries_editable(self):
        """The intermediaries earn by the terms: free until approval, frozen from then on."""
        for contract in self:
            if contract.state not in TERMS_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The intermediaries of %(contract)s can no longer be changed: it is %(state)s.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )

    def _check_reviewable(self):
        """A lease is reviewed while it is prepared: its credit reviews are created, changed,
        completed and reopened only while it is a draft or under review."""
        for contract in self:
            if contract.state not in TERMS_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The contract %(contract)s is already decided (%(state)s): its credit reviews can no "
                        "longer be changed.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )

    def _check_schedule_open(self):
        """The schedule follows the terms until activation and is frozen from then on, except for
        the changes during the lease (payoff, prepayment, extension...), whose wizards rewrite
        the future lines as the system, after their checks, and log the old and new terms in the
        chatter."""
        if self.env.su:
            return
        for contract in self:
            if contract.state not in SCHEDULE_EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "The rent schedule of %(contract)s has been frozen since its activation.",
                        contract=contract.name,
                    )
                )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _check_schedule_inputs(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Add the leased items of %(contract)s first.", contract=self.name))
        if self.currency_id.compare_amounts(self.financed_amount, 0.0) <= 0:
            raise UserError(
                self.env._("%(contract)s finances nothing: check the items and the down payment.", contract=self.name)
            )

    def _check_plan_minimums(self):
        self.ensure_one()
        minimum = percent_of(self.items_total, self.plan_id.min_down_payment_pct, self.currency_id._leasing_rounding())
        if self.currency_id.compare_amounts(self.down_payment, minimum) < 0:
            raise UserError(
                self.env._(
                    "%(contract)s: the plan %(plan)s requires a down payment of at least %(pct)s %% (%(minimum)s).",
                    contract=self.name,
                    plan=self.plan_id.display_name,
                    pct=self.plan_id.min_down_payment_pct,
                    minimum=minimum,
                )
            )

    def _check_credit_review(self):
        self.ensure_one()
        review = self.credit_review_id
        if not review or review.state != "done":
            raise UserError(self.env._("%(contract)s needs a completed credit review first.", contract=self.name))
        if review.recommendation == "reject":
            raise UserError(
                self.env._(
                    "The credit review of %(contract)s recommends rejecting it: cancel the contract or "
                    "complete a new review.",
                    contract=self.name,
                )
            )

    def _check_closing_rights(self):
        """Paying off and closing issue invoices and credit notes and end the lease: they take a
        Leasing Manager who may also invoice."""
        user = self.env.user
        if not (
            user.has_group("leasing_management.group_leasing_manager")
            and user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Paying off or closing a lease takes a Leasing Manager who also has invoicing rights.")
            )

    def _check_end_of_term(self):
        """Raise unless every contract of ``self`` is active and its whole schedule is paid."""
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "%(contract)s is %(state)s: only an active lease can be closed.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )
            unpaid = contract._unsettled_schedule_lines()
            if unpaid:
                currency = contract.currency_id
                shown = unpaid.sorted("sequence")
                details = "; ".join(
                    self.env._(
                        "#%(sequence)s due %(date)s: %(status)s, %(amount)s to pay",
                        sequence=line.sequence,
                        date=format_date(self.env, line.due_date),
                        status=dict(line._fields["state"]._description_selection(self.env))[line.state],
                        amount=formatLang(
                            self.env,
                            line.amount_residual if line.invoice_id else line.amount,
                            currency_obj=currency,
                        ),
                    )
                    for line in shown[:3]
                )
                if len(shown) > 3:
                    details = self.env._("%(details)s and %(count)s more lines", details=details, count=len(shown) - 3)
                raise UserError(
                    self.env._(
                        "%(contract)s cannot be closed until its whole schedule, residual value included, is "
                        "paid. Still unpaid: %(details)s.",
                        contract=contract.name,
                        details=details,
                    )
                )

    def _unsettled_schedule_lines(self):
        """The lines of this contract's schedule that the ledger does not show as paid: neither
        cancelled, nor of zero amount, nor invoiced by a posted invoice that owes nothing more.
        Read from the invoices themselves, not from the lines' stored status."""
        self.ensure_one()
        # The invoices' payment status, for a lease user who may not read the ledger itself.
        lines_sudo = self.sudo().schedule_line_ids
        return self.schedule_line_ids.browse(
            line.id
            for line in lines_sudo
            if not line.cancelled
            and not line.currency_id.is_zero(line.amount)
            and not (line.invoice_id.state == "posted" and line.invoice_id.payment_state in SETTLED_PAYMENT_STATES)
        )

    # ------------------------------------------------------------------
    # Rent schedule
    # ------------------------------------------------------------------
    def _schedule_rows(self, start_date=None):
        """Rows of the rent schedule from the current terms, by the pure engine (from
        ``start_date`` instead of the contract's, when given)."""
        self.ensure_one()
        return compute_schedule(
            self.financed_amount,
            self.annual_rate,
            self.term,
            self.period_months,
            self.repayment_method,
            self.payment_timing,
            start_date or self.start_date,
            residual=self.residual_value,
            rounding=self.currency_id._leasing_rounding(),
        )

    def _generate_schedule(self, created=None):
        """Rebuild the schedules of these contracts in one unlink and one insert.

        A contract gets no schedule until it has a start date and something to finance; from
        its activation on, the schedule is frozen and no rebuild touches it. The contracts
        ``created`` just now get theirs whatever their state (only the system creates one past
        approval: an import of running leases, the demo)."""
        pending = _PENDING_SCHEDULES.get()
        if pending is not None:
            # Inside a contract's own create or write, which rebuilds these at its end.
            pending.update(self.ids)
            return
        created = created or self.browse()
        contracts = self.filtered(lambda c: c.state in SCHEDULE_EDITABLE_STATES or c in created)
        vals_list = []
        for contract in contracts:
            if not contract.start_date or not contract._can_compute_schedule():
                continue
            for row in contract._schedule_rows():
                row["contract_id"] = contract.id
                row["company_id"] = contract.company_id.id
                vals_list.append(row)
        # Schedule lines are derived data: users may change the terms they come from, not the
        # lines themselves (read-only for Leasing Users), so the rebuild runs as superuser.
        lines_sudo = contracts.sudo().schedule_line_ids
        lines_sudo.unlink()
        lines_sudo.browse()._insert_rows(vals_list)

    def _figure_rows(self, invoiced=False):
        """The rows the contract's figures (instalment, totals, APR, last due date) come from:
        the schedule lines not cancelled, in order; for a contract without a start date yet, the
        rows its terms give, dated from a stand-in start (no amount depends on the date, and
        the review of a draft needs its instalment). Each row is a dict with ``sequence``,
        ``line_type``, ``due_date``, ``principal``, ``interest`` and ``amount``, and with
        ``invoiced`` when asked for it."""
        self.ensure_one()
        # schedule_line_ids come in sequence order (the line model's _order). The values are read
        # a column at a time (mapped), not a field of a record at a time: this runs for every
        # contract created.
        lines = self.schedule_line_ids
        if lines or self.start_date or not self._can_compute_schedule():
            keys = ["sequence", "line_type", "due_date", "principal", "interest", "amount"]
            columns = [lines.mapped(key) for key in keys]
            if invoiced:
                keys.append("invoiced")
                columns.append(lines.mapped(lambda line: bool(line.invoice_id)))
            return [
                dict(zip(keys, values))
                for values, cancelled in zip(zip(*columns), lines.mapped("cancelled"))
                if not cancelled
            ]
        rows = self._schedule_rows(start_date=self.signing_date or fields.Date.context_today(self))
        for row in rows:
            row["invoiced"] = False
        return rows

    def _can_compute_schedule(self):
        """Whether the terms make a schedule: something to finance, a residual below it and a
        valid term (the constraints say what is wrong when they do not)."""
        self.ensure_one()
        currency = self.currency_id
        return bool(
            currency
            and currency.compare_amounts(self.financed_amount, 0.0) > 0
            and currency.compare_amounts(self.residual_value, self.financed_amount) < 0
            and self.financed_amount < MAX_AMOUNT
            and 1 <= self.term <= MAX_TERM
            and self.period_months in PERIOD_MONTHS
            and self.term * self.period_months <= MAX_MONTHS
            and (not self.start_date or MIN_DATE <= self.start_date <= MAX_DATE)
            and 0 <= self.annual_rate <= 100
            and self.repayment_method
            and self.payment_timing
        )

    def _real_cash_flows(self):
        """The lease's cash flows as it now stands, as (date, amount) pairs in its currency, for
        an active or closed lease (an empty list otherwise): the amount financed less the fees
        paid up front, paid out at the start; every schedule line not cancelled at its due date;
        each prepayment and the payoff (without the deposit they apply, nor taxes) at their
        dates; the share of a returned item, back with the lessor, at its date."""
        self.ensure_one()
        if self.state not in ("active", "closed") or not self.start_date:
            return []
        flows = [(self.start_date, -(self.financed_amount - self.fees_upfront))]
        flows += [
            (line.due_date, line.amount)
            for line in self.schedule_line_ids
            if not line.cancelled and not self.currency_id.is_zero(line.amount)
        ]
        # The lease's own documents, for a lease user who may not read the ledger.
        moves_sudo = self.sudo().move_ids.filtered(
            lambda move: move.state == "posted" and move.leasing_move_kind in ("prepayment", "payoff", "discontinue")
        )
        deposit_account = self.plan_id.deposit_account_id
        receivable_account = self.plan_id.receivable_account_id
        for move in moves_sudo:
            if move.leasing_move_kind == "discontinue":
                amount = -sum(line.amount_currency for line in move.line_ids if line.account_id == receivable_account)
            else:
                amount = sum(
                    line.price_subtotal for line in move.invoice_line_ids if line.account_id != deposit_account
                )
            flows.append((move.invoice_date or move.date, amount))
        return flows

    def _apr_of_rows(self, rows):
        """APR of the schedule ``rows``: the lessee really receives the amount financed less the
        fees paid up front, and repays every instalment and the residual."""
        self.ensure_one()
        net = self.financed_amount - self.fees_upfront
        if not rows or self.currency_id.compare_amounts(net, 0.0) <= 0:
            return 0.0
        try:
            return compute_apr(net, rows, self.period_months, self.payment_timing)
        except ValueError:
            # No rate makes these flows balance (fees exceed the interest saved, e.g.): no APR.
            return 0.0

    # ------------------------------------------------------------------
    # Ledger
    # ------------------------------------------------------------------
    def _accounting_settings(self, document, figures=None):
        """Names of the settings of this contract's plan that its lease document ``document`` (a
        kind of ``account.move.leasing_move_kind``) posts to: its journal and the accounts of its
        lines, leaving out the lines of zero amount, which are not posted.

        ``figures`` gives the amounts the caller has computed: ``interest`` of the instalments to
        invoice; ``principal``, ``interest``, ``fee`` and ``deposit_held`` of an early payoff (its
        quote). Without them: the interest of the whole schedule, and every line of a payoff."""
        self.ensure_one()
        figures = figures or {}
        currency = self.currency_id

        def has(name, default=1.0):
            return not currency.is_zero(figures.get(name, default))

        leaseback = self.lease_type == "leaseback"
        # VAT included in the principal moves from the receivable to the clearing account.
        vat_in_principal = bool(self.plan_id.principal_tax_ids.filtered("price_include"))
        match document:
            case "installment":
                uses = {
                    "journal_id": True,
                    "receivable_account_id": True,
                    "interest_account_id": has("interest", self.total_interest),
                    "clearing_account_id": vat_in_principal,
                }
            case "commencement":
                # Under a leaseback the vendor bill carries the assets; the entry the financed fees.
                amount = self.fees_financed if leaseback else self.financed_amount
                uses = dict.fromkeys(
                    ("general_journal_id", "receivable_account_id", "clearing_account_id"), not currency.is_zero(amount)
                )
            case "leaseback_bill":
                uses = dict.fromkeys(("purchase_journal_id", "receivable_account_id"), leaseback)
            case "upfront":
                down_payment = not leaseback and not currency.is_zero(self.down_payment)
                fees = any(not fee.financed and not currency.is_zero(fee.amount) for fee in self.fee_ids)
                deposit = not currency.is_zero(self.deposit)
                uses = {
                    "journal_id": down_payment or fees or deposit,
                    "clearing_account_id": down_payment,
                    "fee_account_id": fees,
                    "deposit_account_id": deposit,
                }
            case "payoff":
                uses = {
                    "journal_id": True,
                    "receivable_account_id": has("principal"),
                    "clearing_account_id": vat_in_principal and has("principal"),
                    "interest_account_id": has("interest"),
                    "fee_account_id": has("fee"),
                    # applied on the invoice, and what is left refunded by a credit note
                    "deposit_account_id": has("deposit_held"),
                }
            case "prepayment":
                uses = {
                    "journal_id": True,
                    "receivable_account_id": True,
                    "clearing_account_id": vat_in_principal,
                    # the interest the prepaid principal accrued since the last instalment invoiced
                    "interest_account_id": has("interest"),
                }
            case "deposit_refund":
                uses = dict.fromkeys(("journal_id", "deposit_account_id"), True)
            case "discontinue":
                uses = dict.fromkeys(("general_journal_id", "clearing_account_id", "receivable_account_id"), True)
            case _:
                raise ValueError(f"Unknown lease document: {document}")
        return [name for name, used in uses.items() if used]

    def _accounting_setup_error(self, documents, figures=None):
        """Why this contract cannot post ``documents`` (kinds of lease documents, see
        ``_accounting_settings``): a message naming the settings its plan lacks, or "" when
        nothing is missing."""
        self.ensure_one()
        plan = self.plan_id
        lacking, missing = [], []
        for document in documents:
            unset = [name for name in self._accounting_settings(document, figures) if not plan[name]]
            if unset:
                lacking.append(document)
                missing += [name for name in unset if name not in missing]
        if not missing:
            return ""
        kinds = dict(self.env["account.move"]._fields["leasing_move_kind"]._description_selection(self.env))
        return self.env._(
            "%(contract)s cannot post its %(documents)s: its financing plan %(plan)s lacks %(settings)s. "
            "Set them on the plan (Accounting tab) or in the Leasing settings.",
            contract=self.name,
            documents=", ".join(kinds[document] for document in lacking),
            plan=plan.display_name,
            settings=", ".join(plan._fields[name]._description_string(self.env) for name in missing),
        )

    def _check_accounting_setup(self, *documents, figures=None):
        """Refuse to post ``documents`` of these contracts while their plans lack a setting the
        documents post to (and only those: an instalment invoice needs no deposits account).
        Without documents, every one a lease may post is checked."""
        documents = documents or LEASE_DOCUMENTS
        for contract in self:
            error = contract._accounting_setup_error(documents, figures)
            if error:
                raise UserError(error)

    def _record_invoicing_failures(self, failures):
        """The daily invoicing skipped the contracts of ``failures`` ({contract: message}): record
        why on each contract (shown on its form), log it, and give a Leasing Manager of its company
        one activity to fix it; a contract that already has an open one keeps it (its note follows
        the latest failure). The cron does not try these contracts again before tomorrow."""
        today = fields.Date.context_today(self)
        messages = {contract.id: message for contract, message in failures.items()}
        contracts = self.browse(messages)
        # The cron's own record of its failure, on fields only the system sets; the activities
        # are the system's too, whoever the cron runs as.
        contracts_sudo = contracts.sudo()
        open_activities = {
            activity.res_id: activity for activity in contracts_sudo.activity_search([INVOICING_FAILURE_ACTIVITY])
        }
        managers = (
            self.env.ref("leasing_management.group_leasing_manager")
            .sudo()
            .users.filtered(lambda user: user.active and not user.share)
        )
        for contract_sudo in contracts_sudo:
            message = messages[contract_sudo.id]
            _logger.warning(
                "Lease %s (id %s) skipped by the daily invoicing until tomorrow: %s",
                contract_sudo.name,
                contract_sudo.id,
                message,
            )
            activity = open_activities.get(contract_sudo.id)
            if activity and contract_sudo.invoicing_error != message:
                activity.note = plaintext2html(message)
            elif not activity:
                company_managers = managers.filtered(lambda user, c=contract_sudo: c.company_id in user.company_ids)
                user = contract_sudo.user_id & company_managers or company_managers[:1]
                if user:
                    contract_sudo.activity_schedule(
                        INVOICING_FAILURE_ACTIVITY,
                        summary=self.env._("Instalments not invoiced"),
                        note=plaintext2html(message),
                        user_id=user.id,
                    )
            contract_sudo.write({"invoicing_error": message, "invoicing_error_date": today})

    def _clear_invoicing_failures(self):
        """Their instalments are invoiced: clear the failures recorded on these contracts and mark
        their activities done."""
        failed_sudo = self.sudo().filtered("invoicing_error_date")
        if not failed_sudo:
            return
        # The system's record of its own failure, cleared by whoever invoiced the instalments.
        failed_sudo.write({"invoicing_error": False, "invoicing_error_date": False})
        failed_sudo.activity_feedback(
            [INVOICING_FAILURE_ACTIVITY], feedback=self.env._("The instalments due are invoiced.")
        )

    def _post_commencement(self):
        """Post what the start of each lease puts in the ledger.

        * The net investment: the amount financed debited to the lease receivable. For a direct
          lease it is credited to the assets clearing account (cleared by the supplier's bill). For
          a sale and leaseback, a vendor bill to the lessee for the assets bought from them, less
          the down payment they keep, carries it; financed fees still go through clearing.
        * One customer invoice for what is due up front: the down payment (direct leases), the
          fees not financed (fee income) and the deposit (deposits held, a liability).
        """
        entries, bills, upfronts = [], [], []
        for contract in self:
            entries.append(contract._prepare_commencement_vals())
            if contract.lease_type == "leaseback":
                bills.append(contract._prepare_leaseback_bill_vals())
            upfront = contract._prepare_upfront_invoice_vals()
            if upfront:
                upfronts.append(upfront)
        # The Leasing Manager who activates a lease need not be an accountant: the entries follow
        # from the approved terms and the accounts configured on the plan, so they are posted as
        # superuser (as stock_account posts valuation entries for warehouse users).
        moves_sudo = self.env["account.move"].sudo().create([vals for vals in entries + bills + upfronts if vals])
        moves_sudo.action_post()
        moves = moves_sudo.sudo(False)
        for move in moves_sudo:
            field_name = {
                "commencement": "commencement_move_id",
                "leaseback_bill": "leaseback_bill_id",
                "upfront": "upfront_invoice_id",
            }[move.leasing_move_kind]
            move.leasing_contract_id[field_name] = move
        self.sudo()._allocate_payments()
        return moves

    def _prepare_commencement_vals(self):
        self.ensure_one()
        plan = self.plan_id
        # Under a leaseback the vendor bill carries the assets; the entry keeps the financed fees.
        amount = self.fees_financed if self.lease_type == "leaseback" else self.financed_amount
        if self.currency_id.is_zero(amount):
            return {}
        return self._prepare_lease_entry_vals(
            "commencement",
            self.start_date,
            self.env._("%(contract)s - net investment in the lease", contract=self.name),
            amount,
            debit_account=plan.receivable_account_id,
            credit_account=plan.clearing_account_id,
        )

    def _prepare_lease_entry_vals(self, kind, date, label, amount, debit_account, credit_account):
        """A two-line journal entry of this lease on the plan's entries journal: ``amount`` (in the
        contract's currency) from ``credit_account`` to ``debit_account``, dated ``date``."""
        self.ensure_one()
        line = {"partner_id": self.partner_id.id, "currency_id": self.currency_id.id, "name": label}
        balance = self.currency_id._convert(amount, self.company_id.currency_id, self.company_id, date)
        return {
            "move_type": "entry",
            "date": date,
            "journal_id": self.plan_id.general_journal_id.id,
            "company_id": self.company_id.id,
            "ref": label,
            "leasing_contract_id": self.id,
            "leasing_move_kind": kind,
            "line_ids": [
                Command.create(dict(line, account_id=debit_account.id, amount_currency=amount, balance=balance)),
                Command.create(dict(line, account_id=credit_account.id, amount_currency=-amount, balance=-balance)),
            ],
        }

    def _prepare_leaseback_bill_vals(self):
        self.ensure_one()
        plan = self.plan_id
        lines = [
            Command.create(
                {
                    "name": self.env._("%(contract)s - purchase of %(item)s", contract=self.name, item=line.name or ""),
                    "account_id": plan.receivable_account_id.id,
                    "quantity": line.quantity,
                    "price_unit": line.price_unit,
                    "tax_ids": [Command.clear()],
                }
            )
            for line in self.line_ids
        ]
        if not self.currency_id.is_zero(self.down_payment):
            lines.append(
                Command.create(
                    {
                        "name": self.env._("%(contract)s - down payment kept by the lessee", contract=self.name),
                        "account_id": plan.receivable_account_id.id,
                        "quantity": 1.0,
                        "price_unit": -self.down_payment,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return {
            "move_type": "in_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": plan.purchase_journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": self.start_date,
            "ref": self.name,
            "invoice_origin": self.name,
            "leasing_contract_id": self.id,
            "leasing_move_kind": "leaseback_bill",
            "invoice_line_ids": lines,
        }

    def _principal_invoice_lines(self, amount, label):
        """The invoice lines that repay ``amount`` of principal: the lease receivable is credited
        with all of it, and the plan's taxes on principal apply.

        With VAT included in the rent (taxes on principal included in the price), Odoo credits a
        line's account with its amount less the VAT inside it. Two more lines, which cancel out
        in the invoice's total, then move that VAT from the lease receivable to the assets
        clearing account, where the supplier's bill left the VAT of the financed assets (the
        input VAT recovered at purchase): the receivable is credited with the full principal and
        ends at zero, the invoice asks for the schedule's amount, the VAT goes to its tax
        account, and over the lease the clearing account is cleared."""
        self.ensure_one()
        plan = self.plan_id
        taxes = plan.principal_tax_ids
        lines = [
            Command.create(
                {
                    "name": label,
                    "account_id": plan.receivable_account_id.id,
                    "quantity": 1.0,
                    "price_unit": amount,
                    "tax_ids": [Command.set(taxes.ids)],
                }
            )
        ]
        if taxes.filtered("price_include"):
            vat = self.currency_id.round(amount - self._untaxed_amount(amount, taxes))
            if not self.currency_id.is_zero(vat):
                vat_label = self.env._("%(label)s - VAT included in the principal", label=label)
                lines += [
                    Command.create(
                        {
                            "name": vat_label,
                            "account_id": account.id,
                            "quantity": 1.0,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for account, price in ((plan.receivable_account_id, vat), (plan.clearing_account_id, -vat))
                ]
        return lines

    def _untaxed_amount(self, amount, taxes):
        """The untaxed amount of an invoice line of ``amount`` with ``taxes``, as the invoice
        computes its subtotal (the account.tax engine, rounded per line)."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        base_line = AccountTax._prepare_base_line_for_taxes_computation(
            {},
            tax_ids=taxes,
            price_unit=amount,
            quantity=1.0,
            currency_id=self.currency_id,
            partner_id=self.partner_id,
        )
        AccountTax._add_tax_details_in_base_lines([base_line], self.company_id)
        AccountTax._round_base_lines_tax_details([base_line], self.company_id)
        return base_line["tax_details"]["total_excluded_currency"]

    def _clear_exchange_rounding(self, date):
        """Post, on ``date``, the exchange rounding a lease in a foreign currency leaves in its
        lease receivable once the last of its principal is credited: the commencement entry
        converts the amount financed as one amount, the invoices their principal line by line,
        so the receivable can end at zero in the lease's currency and a cent away from it in the
        company's. The entry (the company's exchange journal and accounts, as Odoo's own
        exchange differences) brings it to zero in both."""
        for contract in self:
            company = contract.company_id
            if contract.currency_id == company.currency_id:
                continue
            lines = (
                self.env["account.move.line"]
                .sudo()
                .search(
                    [
                        ("leasing_contract_id", "=", contract.id),
                        ("account_id", "=", contract.plan_id.receivable_account_id.id),
                        ("parent_state", "=", "posted"),
                    ]
                )
            )
            residue = company.currency_id.round(sum(lines.mapped("balance")))
            if not contract.currency_id.is_zero(sum(lines.mapped("amount_currency"))) or company.currency_id.is_zero(
                residue
            ):
                continue
            counterpart = (
                company.expense_currency_exchange_account_id
                if residue > 0
                else company.income_currency_exchange_account_id
            )
            label = self.env._("%(contract)s - exchange rounding of the net investment", contract=contract.name)
            line = {"partner_id": contract.partner_id.id, "name": label}
            # A lease document, which only the system tags: the calling action checked the rights.
            entry_sudo = (
                self.env["account.move"]
                .sudo()
                .create(
                    {
                        "move_type": "entry",
                        "date": date,
                        "journal_id": company.currency_exchange_journal_id.id,
                        "company_id": company.id,
                        "ref": label,
                        "leasing_contract_id": contract.id,
                        "leasing_move_kind": "exchange",
                        "line_ids": [
                            Command.create(
                                dict(
                                    line,
                                    account_id=contract.plan_id.receivable_account_id.id,
                                    currency_id=contract.currency_id.id,
                                    amount_currency=0.0,
                                    balance=-residue,
                                )
                            ),
                            Command.create(
                                dict(
                                    line,
                                    account_id=counterpart.id,
                                    currency_id=company.currency_id.id,
                                    amount_currency=residue,
                                    balance=residue,
                                )
                            ),
                        ],
                    }
                )
            )
            entry_sudo.action_post()

    def _prepare_upfront_invoice_vals(self):
        self.ensure_one()
        plan = self.plan_id
        currency = self.currency_id
        lines = []
        if self.lease_type == "direct" and not currency.is_zero(self.down_payment):
            lines.append(
                {
                    "name": self.env._("%(contract)s - down payment", contract=self.name),
                    "account_id": plan.clearing_account_id.id,
                    "price_unit": self.down_payment,
                    "tax_ids": [Command.set(plan.principal_tax_ids.ids)],
                }
            )
        for fee in self.fee_ids.filtered(lambda f: not f.financed and not currency.is_zero(f.amount)):
            lines.append(
                {
                    "name": self.env._("%(contract)s - %(fee)s", contract=self.name, fee=fee.fee_type_id.display_name),
                    "account_id": plan.fee_account_id.id,
                    "price_unit": fee.amount,
                    "tax_ids": [Command.set(plan.fee_tax_ids.ids)],
                }
            )
        if not currency.is_zero(self.deposit):
            lines.append(
                {
                    "name": self.env._("%(contract)s - security deposit", contract=self.name),
                    "account_id": plan.deposit_account_id.id,
                    "price_unit": self.deposit,
                    "tax_ids": [Command.clear()],
                }
            )
        if not lines:
            return {}
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": plan.journal_id.id,
            "currency_id": currency.id,
            "invoice_date": self.start_date,
            "invoice_date_due": self.start_date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.name,
            "ref": self.env._("%(contract)s - due at signing", contract=self.name),
            "leasing_contract_id": self.id,
            "leasing_move_kind": "upfront",
            "invoice_line_ids": [Command.create(dict(line, quantity=1.0)) for line in lines],
        }

    def _allocate_payments(self):
        """Apply each lessee's unallocated credits (payments, credit notes) to the open invoices
        of these contracts, the oldest due first (``_allocation_order``). What is left stays as the
        customer's balance.

        One search finds the open receivable lines of all the lessees; only lessees with a credit
        are reconciled, so a batch of new invoices for lessees who owe money costs one query."""
        if not self:
            return
        partners = self.partner_id.commercial_partner_id
        open_lines = self.env["account.move"]._leasing_open_receivable_lines(partners, self.company_id)
        lines_by_key = open_lines.grouped(lambda line: (line.partner_id.commercial_partner_id, line.company_id))
        for (partner, company), contracts in self.grouped(
            lambda c: (c.partner_id.commercial_partner_id, c.company_id)
        ).items():
            lines = lines_by_key.get((partner, company), open_lines.browse())
            credits = lines.filtered(lambda line: line.amount_residual < 0)
            if not credits:
                continue
            debits = lines.filtered(lambda line: line.amount_residual > 0) & lines.filtered_domain(
                [("leasing_contract_id", "in", contracts.ids)]
            )
            for debit in contracts._allocation_order(debits):
                for credit in credits:
                    if credit.reconciled:
                        continue
                    (debit + credit).reconcile()
                    if debit.reconciled:
                        break
                credits = credits.filtered(lambda line: not line.reconciled)
                if not credits:
                    break

    def _allocation_order(self, debits):
        """The open receivable lines ``debits`` of these contracts in the order payments settle
        them: the oldest due first (they come ordered by due date, date and id). A hook:
        leasing_collections may put the penalty invoices first, as its company setting says."""
        return debits

    def _open_invoices(self):
        """Posted customer invoices of these contracts that still ask for money."""
        return self.env["account.move"].search(
            [
                ("leasing_contract_id", "in", self.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "not in", SETTLED_PAYMENT_STATES),
            ]
        )

    def _prepare_deposit_refund_vals(self, amount, date):
        """A customer credit note for ``amount`` of the deposit: it debits the deposits held
        (the liability is consumed) and credits the lessee's receivable."""
        self.ensure_one()
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.plan_id.journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": date,
            "invoice_date_due": date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.name,
            "ref": self.env._("%(contract)s - security deposit returned", contract=self.name),
            "leasing_contract_id": self.id,
            "leasing_move_kind": "deposit_refund",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self.env._("%(contract)s - security deposit returned", contract=self.name),
                        "account_id": self.plan_id.deposit_account_id.id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _action_view_moves(self, moves):
        """``moves`` just issued: in the invoice list when they are all invoices or credit
        notes, in the journal entries otherwise."""
        invoices_only = all(move.move_type in INVOICE_MOVE_TYPES for move in moves)
        xmlid = "account.action_move_out_invoice_type" if invoices_only else "account.action_move_journal_line"
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(
            name=self.env._("Lease Invoices") if invoices_only else self.env._("Lease Invoices and Entries"),
            domain=[("id", "in", moves.ids)],
            context={"create": False, "default_move_type": "out_invoice"},
        )
        if len(moves) == 1:
            action.update(views=[(False, "form")], res_id=moves.id)
        return action

    # ------------------------------------------------------------------
    # Changes during the lease
    # ------------------------------------------------------------------
    def _reschedule_open_wizard(self, model, name, **context):
        self.ensure_one()
        self._reschedule_check_active()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": dict(context, default_contract_id=self.id),
        }

    def _reschedule_check_active(self):
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "%(contract)s is %(state)s: its schedule can only be changed while the lease is active.",
                        contract=contract.name,
                        state=contract._state_label(),
                    )
                )
            if any(contract.schedule_line_ids.mapped("cancelled")):
                raise UserError(
                    self.env._(
                        "The instalments left of %(contract)s were cancelled (early payoff): there is nothing "
                        "to reschedule.",
                        contract=contract.name,
                    )
                )

    def _reschedule_residual_line(self):
        """The residual line still to invoice, if any."""
        self.ensure_one()
        return self.schedule_line_ids.filtered(
            lambda line: line.line_type == "residual" and not line.invoice_id and not line.cancelled
        )[:1]

    # ------------------------------------------------------------------
    # End of the lease
    # ------------------------------------------------------------------
    def _payoff_not_active_message(self):
        return self.env._(
            "%(contract)s is %(state)s: only an active lease can be paid off early.",
            contract=self.name,
            state=self._state_label(),
        )

    def _close_paid_off(self):
        """Close the paid-off leases of ``self`` whose invoices are all paid (batch: one grouped
        read for all of them). Called when an invoice becomes paid."""
        paid_off = self.filtered(lambda c: c.state == "active" and c.payoff_invoice_id)
        if not paid_off:
            return self.browse()
        unpaid = {
            contract
            for [contract] in self.env["account.move"]._read_group(
                [
                    ("leasing_contract_id", "in", paid_off.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "not in", SETTLED_PAYMENT_STATES),
                ],
                ["leasing_contract_id"],
            )
        }
        closing = paid_off.filtered(lambda c: c not in unpaid)
        if closing:
            closing._write_system({"state": "closed"})
            closing._transfer_ownership(
                self.env._("Paid off: the payoff invoice and every other invoice of the lease are paid.")
            )
        return closing

    def _transfer_ownership(self, reason):
        """The leased items become the lessees' property: date it and say so in the chatter."""
        today = fields.Date.context_today(self)
        self._write_system({"ownership_transferred_date": today})
        for contract in self:
            items = Markup().join(
                Markup("<li>%s x %s</li>") % (formatLang(self.env, line.quantity), line.name or line.product_id.name)
                for line in contract.line_ids
            )
            contract.message_post(
                body=Markup("<p>%s</p><p>%s</p><ul>%s</ul>")
                % (
                    reason,
                    self.env._(
                        "The lease is closed. Ownership of the leased items passes to %(lessee)s on %(date)s:",
                        lessee=contract.partner_id.display_name,
                        date=format_date(self.env, today),
                    ),
                    items,
                )
            )

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    def _demo_pay_on_due_dates(self, days_early=0):
        """The demo's good payers: the lessees of these leases pay each of their posted
        invoices fallen due by today (the up-front invoice, the instalments) by a payment of what
        is left of it, dated ``days_early`` days before its due date, as a standing order would.
        The payments are posted and left to the allocation (``action_allocate_all_payments``),
        which settles the oldest invoice first: here, each invoice with its own payment."""
        today = fields.Date.context_today(self)
        invoices = self.env["account.move"].search(
            [
                ("leasing_contract_id", "in", self.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<=", today),
            ],
            order="invoice_date_due, id",
        )
        payments = self.env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoice.commercial_partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "amount": invoice.amount_residual,
                    "date": invoice.invoice_date_due - timedelta(days=days_early),
                    "memo": invoice.name,
                }
                for invoice in invoices
            ]
        )
        payments.action_post()
        return payments
