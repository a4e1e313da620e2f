from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Bounds of a plan's repossession threshold, in days past due.
REPOSSESSION_THRESHOLD_MIN, REPOSSESSION_THRESHOLD_MAX = 1, 730


class LeasingPlan(models.Model):
    _inherit = "leasing.plan"

    # The company's default rate for new plans (Settings), instead of a fixed 0.05 % a day.
    penalty_rate_daily = fields.Float(default=lambda self: self.env.company.leasing_penalty_rate_daily)
    penalty_grace_days = fields.Integer(
        help="An instalment paid in full within this many days after its due date owes no penalty interest; "
        "once they are exceeded, the penalty runs from the day after the due date.",
    )
    penalty_cap_pct = fields.Float(
        string="Penalty Cap (%)",
        digits=(16, 2),
        help="Most penalty interest an instalment may owe, in percent of its amount (0: no cap).",
    )
    # Penalty billing
    penalty_billing_day = fields.Integer(
        default=1,
        help="Day of the month (1 to 28) on which the daily close invoices the penalty interest accrued and not yet "
        "invoiced. The penalty of an instalment is also invoiced once it is paid up, at an early payoff and on demand.",
    )
    penalty_account_id = fields.Many2one(
        "account.account",
        string="Penalty Interest Income Account",
        compute="_compute_penalty_account_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Income account of the penalty interest invoices.",
    )
    penalty_tax_ids = fields.Many2many(
        "account.tax",
        "leasing_plan_penalty_tax_rel",
        "plan_id",
        "tax_id",
        string="Taxes on Penalty Interest",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )

    @api.depends("company_id")
    def _compute_penalty_account_id(self):
        for plan in self:
            plan.penalty_account_id = plan.company_id.leasing_penalty_account_id

    @api.constrains("penalty_billing_day")
    def _check_penalty_billing_day(self):
        for plan in self:
            if not 1 <= plan.penalty_billing_day <= 28:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the penalty billing day must be a day of the month from 1 to 28 (every month has "
                        "it), not %(day)s.",
                        plan=plan.display_name,
                        day=plan.penalty_billing_day,
                    )
                )

    # Risk warnings: a lease more days past due than this warns its account manager.
    repossession_threshold_days = fields.Integer(
        string="Repossession Threshold (days)",
        default=90,
        required=True,
        help="A lease more than this many days past due warns its account manager (a risk warning) that "
        "repossessing the leased items is to be considered.",
    )

    @api.constrains("penalty_rate_daily", "penalty_grace_days", "penalty_cap_pct")
    def _check_penalty_terms(self):
        for plan in self:
            if plan.penalty_rate_daily < 0:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the penalty rate cannot be negative (%(rate)s %% a day).",
                        plan=plan.display_name,
                        rate=plan.penalty_rate_daily,
                    )
                )
            if plan.penalty_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the penalty grace days cannot be negative (%(days)s).",
                        plan=plan.display_name,
                        days=plan.penalty_grace_days,
                    )
                )
            if not 0 <= plan.penalty_cap_pct <= 100:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the penalty cap must lie between 0 and 100 %% of the instalment (0: no cap), "
                        "not %(cap)s %%.",
                        plan=plan.display_name,
                        cap=plan.penalty_cap_pct,
                    )
                )

    @api.constrains("repossession_threshold_days")
    def _check_repossession_threshold_days(self):
        for plan in self:
            if not REPOSSESSION_THRESHOLD_MIN <= plan.repossession_threshold_days <= REPOSSESSION_THRESHOLD_MAX:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the repossession threshold must lie between %(min)s and %(max)s days past due, "
                        "not %(days)s.",
                        plan=plan.display_name,
                        min=REPOSSESSION_THRESHOLD_MIN,
                        max=REPOSSESSION_THRESHOLD_MAX,
                        days=plan.repossession_threshold_days,
                    )
                )
