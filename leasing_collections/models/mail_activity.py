from odoo import api, fields, models
from odoo.addons.leasing_management.models.leasing_system_fields_mixin import (
    check_system_fields,
    without_system_defaults,
)
from odoo.tools import SQL

# Why the collections close warns an account manager that a lease is at risk, the most serious
# last (leasing.contract.risk_reason).
RISK_REASONS = [
    ("bucket", "Worse Aging Bucket"),
    ("rating", "Payment Rating Dropped"),
    ("repossession", "Past the Repossession Threshold"),
]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # Set by the collections close on the risk warnings it raises: at most one open warning per
    # lease and reason. Nobody else sets it.
    leasing_risk_reason = fields.Selection(RISK_REASONS, string="Risk Reason", readonly=True, copy=False)

    def init(self):
        # One open warning per lease and reason, even should two transactions raise it at once.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS mail_activity_leasing_risk_reason_uniq
                    ON mail_activity (res_model, res_id, leasing_risk_reason)
                 WHERE leasing_risk_reason IS NOT NULL AND active
                """
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        return super(MailActivity, without_system_defaults(self)).create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals])
        return super().write(vals)
