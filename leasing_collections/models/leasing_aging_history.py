from odoo import api, fields, models


class LeasingAgingHistory(models.Model):
    """A lease changing aging bucket, as the close found it: one row each time the bucket
    changes, and only then, dated the day it changed (a close after days without one dates each
    change as the daily closes would have). Written by the close alone."""

    _name = "leasing.aging.history"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Aging History"
    _order = "date desc, id desc"
    _rec_name = "contract_id"

    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    plan_id = fields.Many2one(related="contract_id.plan_id", string="Financing Plan")
    user_id = fields.Many2one(related="contract_id.user_id", string="Account Manager")
    date = fields.Date(required=True, readonly=True, index=True)
    bucket_before_id = fields.Many2one(
        "leasing.aging.bucket", string="Bucket Before", readonly=True, index=True, ondelete="restrict"
    )
    bucket_after_id = fields.Many2one(
        "leasing.aging.bucket", string="Bucket After", readonly=True, index=True, ondelete="restrict"
    )
    worsened = fields.Boolean(
        compute="_compute_worsened", store=True, help="The lease moved to a later bucket: it fell further behind."
    )
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    amount_overdue = fields.Monetary(readonly=True, aggregator=None)
    run_id = fields.Many2one("leasing.close.run", string="Close", readonly=True, ondelete="set null")

    # On the buckets named, not their days: reshaping the buckets later does not rewrite history.
    @api.depends("bucket_before_id", "bucket_after_id")
    def _compute_worsened(self):
        for row in self:
            row.worsened = row.bucket_after_id.min_days > row.bucket_before_id.min_days

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingAgingHistory, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)
