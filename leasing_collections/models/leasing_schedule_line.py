from odoo import api, fields, models


class LeasingScheduleLine(models.Model):
    _inherit = "leasing.schedule.line"

    # Set by the daily close (leasing.contract._cron_collections_close), as of its date, from the
    # ledger: the invoice's payments and their dates. Nobody else sets them.
    days_past_due = fields.Integer(
        readonly=True,
        index=True,
        copy=False,
        aggregator="max",
        help="Close date less the due date while the instalment is unpaid, 0 otherwise (as of the last close).",
    )
    penalty_accrued = fields.Monetary(
        readonly=True,
        copy=False,
        aggregator="sum",
        help="Penalty interest on the unpaid amount of each day past the due date, to the last close: "
        "unpaid amount x daily rate, grace and cap of the plan, rounded once.",
    )
    penalty_invoiced = fields.Monetary(
        readonly=True, copy=False, aggregator="sum", help="Part of the penalty accrued already invoiced to the lessee."
    )
    penalty_waived = fields.Monetary(
        readonly=True, copy=False, aggregator="sum", help="Part of the penalty accrued that was waived."
    )
    penalty_due = fields.Monetary(
        compute="_compute_penalty_due",
        store=True,
        aggregator="sum",
        help="Penalty accrued, less invoiced, less waived.",
    )

    # To find the late instalments by their lease's bucket and plan.
    aging_bucket_id = fields.Many2one(related="contract_id.aging_bucket_id", string="Lease's Aging Bucket")
    plan_id = fields.Many2one(related="contract_id.plan_id", string="Financing Plan")

    @api.depends("penalty_accrued", "penalty_invoiced", "penalty_waived")
    def _compute_penalty_due(self):
        for line in self:
            due = line.penalty_accrued - line.penalty_invoiced - line.penalty_waived
            line.penalty_due = line.currency_id.round(due)
