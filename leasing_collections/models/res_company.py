from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    leasing_penalty_rate_daily = fields.Float(
        string="Default Penalty Rate (% a day)",
        digits=(16, 4),
        default=0.05,
        help="Daily penalty interest rate of new financing plans: 0.05 % a day is 万分之五.",
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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Each company ages its own leases: it starts with the default buckets.
        self.env["leasing.aging.bucket"]._create_defaults(companies)
        # And the default reminder levels.
        self.env["leasing.reminder.level"]._create_defaults(companies)
        return companies
