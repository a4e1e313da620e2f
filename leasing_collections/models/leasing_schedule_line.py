from odoo import api, fields, models
from odoo.tools import SQL

# The lines the daily close may read, as a condition on the table: invoiced, or left with figures
# by an earlier close. A partial index on it lets the close find them lease by lease without
# visiting every line of the schedules (60 a lease).
CLOSE_LINES = SQL("(invoice_id IS NOT NULL OR days_past_due != 0 OR penalty_accrued != 0 OR penalty_due != 0)")


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

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS leasing_schedule_line_close_idx"
                " ON leasing_schedule_line (contract_id) WHERE %s",
                CLOSE_LINES,
            )
        )
        return res

    @api.depends("penalty_accrued", "penalty_invoiced", "penalty_waived")
    def _compute_penalty_due(self):
        for line in self:
            due = line.penalty_accrued - line.penalty_invoiced - line.penalty_waived
            line.penalty_due = line.currency_id.round(due)
