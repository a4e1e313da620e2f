from odoo import fields, models
from odoo.tools import SQL


class LeasingAgingReport(models.Model):
    """The leases in force as the last close left them, one row each, to pivot by aging bucket
    against financing plan, main leased product, account manager or company."""

    _name = "leasing.aging.report"
    _description = "Aging Report"
    _auto = False
    _rec_name = "contract_id"
    _order = "days_past_due desc, contract_id desc"
    _depends = {
        "leasing.contract": [
            "state",
            "partner_id",
            "company_id",
            "currency_id",
            "plan_id",
            "user_id",
            "aging_bucket_id",
            "close_date",
            "days_past_due",
            "amount_in_arrears",
            "penalty_accrued",
            "penalty_due",
        ],
        "leasing.contract.line": ["contract_id", "product_id", "price_subtotal", "discontinued", "sequence"],
        "leasing.schedule.line": ["contract_id", "principal", "cancelled", "state", "last_payment_date"],
    }

    contract_id = fields.Many2one("leasing.contract", string="Lease Contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Lessee", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    plan_id = fields.Many2one("leasing.plan", string="Financing Plan", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    product_id = fields.Many2one(
        "product.product",
        string="Main Item",
        readonly=True,
        help="The lease's leased item of the largest amount (still leased).",
    )
    aging_bucket_id = fields.Many2one("leasing.aging.bucket", string="Aging Bucket", readonly=True)
    close_date = fields.Date(string="Figures as of", readonly=True)
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    amount_in_arrears = fields.Monetary(string="Overdue at Close", readonly=True, aggregator="sum")
    outstanding_principal = fields.Monetary(
        string="Principal Outstanding",
        readonly=True,
        aggregator="sum",
        help="Principal of the lease's instalments not repaid at the close, due or not: the base of the PAR.",
    )
    penalty_accrued = fields.Monetary(readonly=True, aggregator="sum")
    penalty_due = fields.Monetary(readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        # An instalment is repaid on the date of the payment that completed it (its last one);
        # the rule of leasing_collections/tools/portfolio.py, at the lease's close date.
        return SQL(
            """
            SELECT c.id, c.id AS contract_id, c.partner_id, c.company_id, c.currency_id, c.plan_id, c.user_id,
                   item.product_id, c.aging_bucket_id, GREATEST(c.close_date, closed.date) AS close_date,
                   COALESCE(c.days_past_due, 0) AS days_past_due,
                   COALESCE(c.amount_in_arrears, 0) AS amount_in_arrears,
                   COALESCE(principal.amount, 0) AS outstanding_principal,
                   COALESCE(c.penalty_accrued, 0) AS penalty_accrued,
                   COALESCE(c.penalty_due, 0) AS penalty_due
              FROM leasing_contract c
              -- A lease the close left alone (nothing new) has its figures as of the last close.
         LEFT JOIN LATERAL (
                   SELECT MAX(r.date) AS date FROM leasing_close_run r
                    WHERE r.company_id = c.company_id AND r.state = 'done'
                   ) closed ON TRUE
         LEFT JOIN LATERAL (
                   SELECT item.product_id
                     FROM leasing_contract_line item
                    WHERE item.contract_id = c.id
                    ORDER BY COALESCE(item.discontinued, FALSE), item.price_subtotal DESC NULLS LAST,
                             item.sequence, item.id
                    LIMIT 1
                   ) item ON TRUE
         LEFT JOIN LATERAL (
                   SELECT SUM(l.principal) AS amount
                     FROM leasing_schedule_line l
                    WHERE l.contract_id = c.id
                      AND NOT COALESCE(l.cancelled, FALSE)
                      AND NOT (l.state = 'paid'
                               AND COALESCE(l.last_payment_date, l.due_date)
                                   <= COALESCE(GREATEST(c.close_date, closed.date), CURRENT_DATE))
                   ) principal ON TRUE
             WHERE c.state = 'active'
            """
        )
