from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.risk import credit_score, risk_level, suggested_recommendation

RECOMMENDATIONS = [
    ("approve", "Approve"),
    ("approve_conditions", "Approve with Conditions"),
    ("reject", "Reject"),
]


class LeasingCreditReview(models.Model):
    _name = "leasing.credit.review"
    _description = "Credit Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True, check_company=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True)
    financed_amount = fields.Monetary(related="contract_id.financed_amount")
    state = fields.Selection(
        [("draft", "In Progress"), ("done", "Completed")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        group_expand=True,
    )
    reviewer_id = fields.Many2one("res.users", string="Reviewer", default=lambda self: self.env.user, tracking=True)
    review_date = fields.Date(default=fields.Date.context_today)

    # What the investigation found.
    identity_verified = fields.Boolean(tracking=True)
    identity_notes = fields.Text(string="Identity Findings")
    years_in_business = fields.Integer()
    business_notes = fields.Text(string="Business Findings")
    monthly_income = fields.Monetary(help="Net monthly income (or operating cash flow) of the lessee.")
    total_assets = fields.Monetary(string="Assets")
    total_liabilities = fields.Monetary(string="Liabilities")
    assets_notes = fields.Text(string="Assets and Liabilities Findings")
    existing_debt_monthly = fields.Monetary(
        string="Existing Debt Payments (monthly)", help="What the lessee already pays each month on other debts."
    )
    existing_debt_notes = fields.Text(string="Existing Debts Findings")
    guarantor_count = fields.Integer(related="contract_id.guarantor_count")
    guarantor_notes = fields.Text(string="Guarantors Findings")
    documents_received = fields.Boolean(
        string="Supporting Documents Received",
        help="Identity papers, statements, titles and guarantees are attached to this review.",
    )

    # The verdict.
    monthly_installment = fields.Monetary(
        string="Monthly Instalment",
        compute="_compute_monthly_installment",
        help="The new contract's instalment, per month.",
    )
    debt_service_ratio = fields.Float(
        string="Debt Service Ratio (%)", compute="_compute_risk", store=True, digits=(16, 1)
    )
    risk_score = fields.Integer(compute="_compute_risk", store=True, aggregator="avg")
    risk_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")], compute="_compute_risk", store=True
    )
    recommendation = fields.Selection(
        RECOMMENDATIONS, compute="_compute_recommendation", store=True, readonly=False, tracking=True
    )
    conditions = fields.Text(help="Conditions attached to an approval (extra guarantor, higher deposit...).")
    conclusion = fields.Html()

    @api.depends("contract_id.name", "review_date")
    def _compute_name(self):
        for review in self:
            review.name = self.env._("Review of %(contract)s", contract=review.contract_id.name or "")

    @api.depends("contract_id.installment_amount", "contract_id.period_months")
    def _compute_monthly_installment(self):
        for review in self:
            months = review.contract_id.period_months or 1
            review.monthly_installment = review.currency_id.round(review.contract_id.installment_amount / months)

    @api.depends(
        "identity_verified",
        "years_in_business",
        "monthly_income",
        "existing_debt_monthly",
        "total_assets",
        "total_liabilities",
        "contract_id.financed_amount",
        "contract_id.installment_amount",
        "contract_id.guarantor_ids",
        "documents_received",
    )
    def _compute_risk(self):
        for review in self:
            if review.state == "done":
                # A completed review keeps the figures it was completed on, whatever the lease
                # becomes: it changes only once reopened.
                continue
            installment = review.contract_id.installment_amount / (review.contract_id.period_months or 1)
            score = credit_score(
                identity_verified=review.identity_verified,
                years_in_business=review.years_in_business,
                monthly_income=review.monthly_income,
                monthly_debt=review.existing_debt_monthly,
                monthly_installment=installment,
                assets=review.total_assets,
                liabilities=review.total_liabilities,
                financed=review.contract_id.financed_amount,
                guarantors=len(review.contract_id.guarantor_ids),
                documents=review.documents_received,
            )
            review.risk_score = score
            review.risk_level = risk_level(score)
            review.debt_service_ratio = (
                (review.existing_debt_monthly + installment) / review.monthly_income * 100
                if review.monthly_income > 0
                else 0.0
            )

    @api.depends("risk_score")
    def _compute_recommendation(self):
        for review in self:
            if review.state == "draft" or not review.recommendation:
                review.recommendation = suggested_recommendation(review.risk_score)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        if not self.env.su:
            contracts = self.env["leasing.contract"].browse({vals.get("contract_id") for vals in vals_list} - {None})
            # Reviewing a lease is part of preparing it: the user must be allowed to change it.
            contracts.check_access("write")
            contracts._check_reviewable()
        return super(LeasingCreditReview, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        if not self.env.su:
            if "contract_id" in vals:
                raise UserError(self.env._("A credit review belongs to the lease it was made for: start a new one."))
            for review in self:
                if review.state == "done":
                    raise UserError(
                        self.env._("%(review)s is completed: reopen it to change its findings.", review=review.name)
                    )
            self.contract_id._check_reviewable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        self.contract_id.filtered(lambda c: c.state != "cancelled")._check_reviewable()

    def action_done(self):
        self.contract_id._check_reviewable()
        for review in self:
            if review.state != "draft":
                raise UserError(self.env._("%(review)s is already completed.", review=review.name))
            if not review.recommendation:
                raise UserError(self.env._("Give a recommendation before completing %(review)s.", review=review.name))
        self._write_system({"state": "done"})
        return True

    def action_reopen(self):
        self.contract_id._check_reviewable()
        self._write_system({"state": "draft"})
        return True

    def _write_system(self, vals):
        """Write the status for an action that has checked it: ``write`` refuses it to others."""
        self.check_access("write")
        return self.sudo().write(vals)
