from odoo import api, fields, models

REPAYMENT_METHODS = [
    ("annuity", "Annuity (equal instalments)"),
    ("equal_principal", "Equal Principal"),
    ("interest_only", "Interest Only (principal at the end)"),
]
PAYMENT_TIMINGS = [
    ("arrears", "In Arrears (end of period)"),
    ("advance", "In Advance (start of period)"),
]
LEASE_TYPES = [
    ("direct", "Direct Lease"),
    ("leaseback", "Sale and Leaseback"),
]
PERIOD_MONTHS = (1, 3, 6, 12)


class LeasingPlan(models.Model):
    _name = "leasing.plan"
    _description = "Financing Plan"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    repayment_method = fields.Selection(REPAYMENT_METHODS, required=True, default="annuity", tracking=True)
    payment_timing = fields.Selection(PAYMENT_TIMINGS, required=True, default="arrears", tracking=True)
    period_months = fields.Integer(
        string="Months per Period",
        required=True,
        default=1,
        tracking=True,
        help="Length of one instalment period in months: 1 (monthly), 3 (quarterly), 6 or 12.",
    )
    term = fields.Integer(
        string="Default Term", required=True, default=36, tracking=True, help="Default number of instalments."
    )
    annual_rate = fields.Float(string="Annual Rate (%)", digits=(16, 4), required=True, default=8.0, tracking=True)
    min_down_payment_pct = fields.Float(string="Minimum Down Payment (%)", digits=(16, 2))
    deposit_pct = fields.Float(string="Deposit (%)", digits=(16, 2))
    residual_pct = fields.Float(string="Residual Value (%)", digits=(16, 2))
    penalty_rate_daily = fields.Float(
        string="Penalty Rate (% a day)",
        digits=(16, 4),
        default=0.05,
        help="Penalty interest charged per day on overdue amounts, used by Collections.",
    )
    allow_direct = fields.Boolean(string="Allows Direct Lease", default=True)
    allow_leaseback = fields.Boolean(string="Allows Sale and Leaseback")
    fee_ids = fields.One2many("leasing.plan.fee", "plan_id", string="Fees", copy=True)
    early_termination_fee_pct = fields.Float(
        string="Early Termination Fee (%)",
        digits=(16, 2),
        help="Charged on the outstanding principal when a lease is paid off early.",
    )

    # Accounting: defaults from the company, per plan.
    journal_id = fields.Many2one(
        "account.journal",
        string="Invoices Journal",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'sale')]",
    )
    general_journal_id = fields.Many2one(
        "account.journal",
        string="Entries Journal",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
    purchase_journal_id = fields.Many2one(
        "account.journal",
        string="Leaseback Bills Journal",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'purchase')]",
    )
    receivable_account_id = fields.Many2one(
        "account.account",
        string="Lease Receivable Account",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Net investment in the lease: debited at commencement, credited by the principal invoiced.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        string="Assets Clearing Account",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    deposit_account_id = fields.Many2one(
        "account.account",
        string="Deposits Held Account",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    interest_account_id = fields.Many2one(
        "account.account",
        string="Interest Income Account",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Fee Income Account",
        compute="_compute_accounting",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    principal_tax_ids = fields.Many2many(
        "account.tax",
        "leasing_plan_principal_tax_rel",
        "plan_id",
        "tax_id",
        string="Taxes on Principal",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="A direct lease is often taxed on the whole rent; a sale and leaseback on the interest only.",
    )
    interest_tax_ids = fields.Many2many(
        "account.tax",
        "leasing_plan_interest_tax_rel",
        "plan_id",
        "tax_id",
        string="Taxes on Interest",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )
    fee_tax_ids = fields.Many2many(
        "account.tax",
        "leasing_plan_fee_tax_rel",
        "plan_id",
        "tax_id",
        string="Taxes on Fees",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )
    contract_ids = fields.One2many("leasing.contract", "plan_id", string="Contracts")
    contract_count = fields.Integer(compute="_compute_contract_count")
    note = fields.Html(translate=True)
    commission_ids = fields.One2many("leasing.plan.commission", "plan_id", string="Commission Rules", copy=True)
    commission_account_id = fields.Many2one(
        "account.account",
        string="Commissions Expense Account",
        compute="_compute_commission_account_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Expense account of the vendor bills for the commissions of dealers, agents and brokers.",
    )

    _sql_constraints = [
        ("term_positive", "CHECK(term >= 1)", "The default term must be at least one instalment."),
        (
            "term_bounded",
            "CHECK(term <= 600 AND term * period_months <= 600)",
            "A plan's term runs for at most 600 instalments and 50 years.",
        ),
        (
            "annual_rate_range",
            "CHECK(annual_rate >= 0 AND annual_rate <= 100)",
            "The annual rate must lie between 0 and 100 %.",
        ),
        (
            "period_months_allowed",
            "CHECK(period_months IN (1, 3, 6, 12))",
            "The period must be 1, 3, 6 or 12 months.",
        ),
        (
            "percentages_range",
            "CHECK(min_down_payment_pct >= 0 AND min_down_payment_pct < 100 "
            "AND deposit_pct >= 0 AND deposit_pct <= 100 "
            "AND residual_pct >= 0 AND residual_pct < 100)",
            "Down payment, deposit and residual percentages must lie between 0 and 100 %.",
        ),
        ("penalty_positive", "CHECK(penalty_rate_daily >= 0)", "The penalty rate cannot be negative."),
        (
            "early_termination_fee_range",
            "CHECK(early_termination_fee_pct >= 0 AND early_termination_fee_pct <= 100)",
            "The early termination fee must lie between 0 and 100 %.",
        ),
        (
            "lease_type_allowed",
            "CHECK(allow_direct OR allow_leaseback)",
            "A plan must allow at least one lease type.",
        ),
    ]

    @api.depends("company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = plan.company_id.currency_id or plan.currency_id or self.env.company.currency_id

    @api.depends("company_id")
    def _compute_accounting(self):
        for plan in self:
            company = plan.company_id
            plan.journal_id = company.leasing_journal_id
            plan.general_journal_id = company.leasing_general_journal_id
            plan.purchase_journal_id = company.leasing_purchase_journal_id
            plan.receivable_account_id = company.leasing_receivable_account_id
            plan.clearing_account_id = company.leasing_clearing_account_id
            plan.deposit_account_id = company.leasing_deposit_account_id
            plan.interest_account_id = company.leasing_interest_account_id
            plan.fee_account_id = company.leasing_fee_account_id

    def _compute_contract_count(self):
        counts = dict(self.env["leasing.contract"]._read_group([("plan_id", "in", self.ids)], ["plan_id"], ["__count"]))
        for plan in self:
            plan.contract_count = counts.get(plan, 0)

    def _allowed_lease_types(self):
        self.ensure_one()
        return [key for key, allowed in (("direct", self.allow_direct), ("leaseback", self.allow_leaseback)) if allowed]

    def action_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_contract")
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    @api.depends("company_id")
    def _compute_commission_account_id(self):
        for plan in self:
            plan.commission_account_id = plan.company_id.leasing_commission_account_id
