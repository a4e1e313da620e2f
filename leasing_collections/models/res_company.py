from odoo import api, fields, models
from odoo.exceptions import ValidationError

PAYMENT_ORDERS = [
    ("penalty_first", "Penalties before rents"),
    ("oldest_first", "Oldest due first"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    leasing_penalty_rate_daily = fields.Float(
        string="Default Penalty Rate (% a day)",
        digits=(16, 4),
        default=0.05,
        help="Daily penalty interest rate of new financing plans: 0.05 % a day is 万分之五.",
    )
    # ------------------------------------------------------------------
    # Penalty billing
    # ------------------------------------------------------------------
    leasing_penalty_account_id = fields.Many2one(
        "account.account",
        string="Penalty Interest Income Account",
        help="Income account of the penalty interest invoices of new financing plans.",
    )
    leasing_payment_order = fields.Selection(
        PAYMENT_ORDERS,
        string="Payment Order",
        default="penalty_first",
        required=True,
        help="What a lessee's payments settle first when they are allocated to the open invoices of their leases: "
        "the penalty interest invoices, then the others oldest due first; or every invoice oldest due first.",
    )

    # ------------------------------------------------------------------
    # Legal costs billed to the lessee
    # ------------------------------------------------------------------
    leasing_legal_cost_account_id = fields.Many2one(
        "account.account",
        string="Legal Costs Recovered Account",
        help="Income account of the invoices that bill a legal file's costs to the lessee.",
    )

    # ------------------------------------------------------------------
    # Write-off and recoveries
    # ------------------------------------------------------------------
    leasing_bad_debt_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        help="Debited with the unpaid receivable of a lease written off (a write-off request approved).",
    )
    leasing_recovery_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Recovery Income Account",
        help="Credited with what a lessee pays on a lease after it was written off.",
    )

    # ------------------------------------------------------------------
    # Collection requests: approval limits
    # ------------------------------------------------------------------
    leasing_waiver_approval_limit = fields.Monetary(
        string="Waiver Approval Limit",
        currency_field="currency_id",
        help="Interest waivers above this amount need a Leasing Manager's approval (0: no limit). "
        "Every write-off needs one.",
    )

    @api.constrains("leasing_penalty_rate_daily")
    def _check_leasing_penalty_rate_daily(self):
        for company in self:
            if company.leasing_penalty_rate_daily < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the default penalty rate cannot be negative (%(rate)s %% a day).",
                        company=company.name,
                        rate=company.leasing_penalty_rate_daily,
                    )
                )

    @api.constrains("leasing_waiver_approval_limit")
    def _check_leasing_waiver_approval_limit(self):
        for company in self:
            if company.currency_id.compare_amounts(company.leasing_waiver_approval_limit, 0.0) < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the waiver approval limit cannot be negative (0 means no limit).",
                        company=company.name,
                    )
                )

    def _leasing_request_approval_limits(self):
        """{request type: amount above which a Leasing Manager approves} (tools/approval.py)."""
        self.ensure_one()
        return {"waiver": self.leasing_waiver_approval_limit}

    @api.constrains("leasing_penalty_rate_daily")
    def _check_leasing_penalty_rate_daily(self):
        for company in self:
            if company.leasing_penalty_rate_daily < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the default penalty rate cannot be negative (%(rate)s %% a day).",
                        company=company.name,
                        rate=company.leasing_penalty_rate_daily,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Each company ages its own leases: it starts with the default buckets.
        self.env["leasing.aging.bucket"]._create_defaults(companies)
        # And the default reminder levels.
        self.env["leasing.reminder.level"]._create_defaults(companies)
        return companies

    @api.model
    def _leasing_setup_penalty_accounts(self):
        """At install (and update): the companies that already have a chart of accounts get the
        penalty interest income account, and their plans with it; companies that load a chart
        later get it from leasing_management's chart template hook."""
        self.search([("chart_template", "!=", False)], order="parent_path")._leasing_setup_accounting()

    def _leasing_setup_accounting(self):
        """The leasing accounts, and the income account of the penalty interest with them:
        created for a company that has a chart of accounts and no such account set yet."""
        result = super()._leasing_setup_accounting()
        for company in self.filtered(lambda c: c.chart_template and not c.leasing_penalty_account_id):
            Account = self.env["account.account"].with_company(company)
            code_length = company._leasing_account_code_length()
            code = Account._search_new_account_code("4470".ljust(code_length, "0"), cache={})
            account = Account.create(
                {
                    "name": self.env._("Penalty Interest Income"),
                    "code": code,
                    "account_type": "income",
                    "company_ids": [fields.Command.set(company.ids)],
                }
            )
            company.leasing_penalty_account_id = account
            # The plans the company had before (collections installed on a running database),
            # whoever loads the chart: the set-up of the company's own defaults.
            plans = (
                self.env["leasing.plan"]
                .sudo()
                .with_context(active_test=False)
                .search([("company_id", "=", company.id), ("penalty_account_id", "=", False)])
            )
            plans.penalty_account_id = account
        self._leasing_setup_write_off_accounts()
        self._leasing_setup_legal_cost_account()
        return result

    def _leasing_setup_legal_cost_account(self):
        """The income account of the legal costs billed to lessees, for the companies that have a
        chart of accounts and no such account set yet."""
        for company in self.filtered(lambda c: c.chart_template and not c.leasing_legal_cost_account_id):
            Account = self.env["account.account"].with_company(company)
            code = Account._search_new_account_code("4490".ljust(company._leasing_account_code_length(), "0"), cache={})
            company.leasing_legal_cost_account_id = Account.create(
                {
                    "name": self.env._("Legal Costs Recovered"),
                    "code": code,
                    "account_type": "income_other",
                    "company_ids": [fields.Command.set(company.ids)],
                }
            )

    def _leasing_setup_write_off_accounts(self):
        """The bad debt expense and recovery income accounts of the write-offs, created for the
        companies that have a chart of accounts and lack them (codes 6470... and 4480..., the next
        free ones)."""
        for company in self.filtered("chart_template"):
            Account = self.env["account.account"].with_company(company)
            code_length = company._leasing_account_code_length()
            vals = {}
            for field_name, start, account_type, name in (
                ("leasing_bad_debt_account_id", "6470", "expense", self.env._("Lease Bad Debts Written Off")),
                ("leasing_recovery_account_id", "4480", "income_other", self.env._("Lease Bad Debts Recovered")),
            ):
                if company[field_name]:
                    continue
                vals[field_name] = Account.create(
                    {
                        "name": name,
                        "code": Account._search_new_account_code(start.ljust(code_length, "0"), cache={}),
                        "account_type": account_type,
                        "company_ids": [fields.Command.set(company.ids)],
                    }
                ).id
            if vals:
                company.write(vals)
