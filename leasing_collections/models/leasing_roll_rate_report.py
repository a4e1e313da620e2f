from odoo import fields, models
from odoo.tools import SQL


class LeasingRollRateReport(models.Model):
    """Roll rates: for each month, the leases in force at the end of the month before, by their
    aging bucket then and at the end of the month (a lease closed during the month: the bucket
    it closed in), with their share of the leases of the bucket they came from (the rule of
    ``tools/portfolio.py``). A lease's bucket on a day is that of its last change in the aging
    history on or before that day; before any change, its company's first bucket."""

    _name = "leasing.roll.rate.report"
    _description = "Roll Rates"
    _auto = False
    _order = "date desc, company_id, bucket_from_id, bucket_to_id"
    _depends = {
        "leasing.contract": ["state", "start_date", "company_id", "payoff_date", "end_date"],
        "leasing.schedule.line": ["contract_id", "last_payment_date"],
        "leasing.aging.history": ["contract_id", "date", "bucket_after_id"],
        "leasing.aging.bucket": ["company_id", "min_days", "active"],
        "leasing.close.run": ["company_id", "date"],
    }

    date_from = fields.Date(string="From", readonly=True, help="End of the month before.")
    date = fields.Date(string="To", readonly=True, help="End of the month (the last close for the month under way).")
    company_id = fields.Many2one("res.company", readonly=True)
    bucket_from_id = fields.Many2one("leasing.aging.bucket", string="Bucket From", readonly=True)
    bucket_to_id = fields.Many2one("leasing.aging.bucket", string="Bucket To", readonly=True)
    contract_count = fields.Integer(string="Leases", readonly=True, aggregator="sum")
    from_count = fields.Integer(
        string="Leases in Bucket From", readonly=True, aggregator=None, help="The leases of the bucket at the start."
    )
    rate = fields.Float(
        string="Share (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
        help="Share of the leases of the bucket from that were in the bucket to a month later (of one month: "
        "read it by month).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH points AS (%(points)s),
            pairs AS (
                SELECT company_id, LAG(date) OVER (PARTITION BY company_id ORDER BY date) AS date_from, date
                  FROM points
            ),
            -- A closed lease left the portfolio with its last payment (or its payoff, its end);
            -- it still counts in the month it left, in the bucket it left in.
            leases AS (
                SELECT c.id, c.company_id, c.start_date,
                       CASE WHEN c.state = 'closed'
                            THEN GREATEST(COALESCE(c.payoff_date, c.end_date), paid.last_paid) END AS ended_on
                  FROM leasing_contract c
             LEFT JOIN (SELECT l.contract_id, MAX(l.last_payment_date) AS last_paid
                          FROM leasing_schedule_line l
                          JOIN leasing_contract closed ON closed.id = l.contract_id AND closed.state = 'closed'
                         GROUP BY l.contract_id) paid ON paid.contract_id = c.id
                 WHERE c.state IN ('active', 'closed') AND c.start_date IS NOT NULL
            ),
            first_buckets AS (
                SELECT DISTINCT ON (company_id) company_id, id
                  FROM leasing_aging_bucket
                 WHERE active
                 ORDER BY company_id, min_days, id
            ),
            -- Each change of bucket holds until the next one (of a later day: two changes of
            -- one day, the close run again, leave the later one).
            spans AS (
                SELECT contract_id, bucket_after_id, date AS since,
                       LEAD(date) OVER (PARTITION BY contract_id ORDER BY date, id) AS till
                  FROM leasing_aging_history
            ),
            moves AS (
                SELECT p.company_id, p.date_from, p.date,
                       COALESCE(s_from.bucket_after_id, first.id) AS bucket_from_id,
                       COALESCE(s_to.bucket_after_id, first.id) AS bucket_to_id
                  FROM pairs p
                  JOIN leases l ON l.company_id = p.company_id
                               AND l.start_date <= p.date_from
                               AND (l.ended_on IS NULL OR l.ended_on > p.date_from)
                  JOIN first_buckets first ON first.company_id = p.company_id
             LEFT JOIN spans s_from ON s_from.contract_id = l.id
                                   AND s_from.since <= p.date_from
                                   AND (s_from.till IS NULL OR s_from.till > p.date_from)
             LEFT JOIN spans s_to ON s_to.contract_id = l.id
                                 AND s_to.since <= p.date
                                 AND (s_to.till IS NULL OR s_to.till > p.date)
                 WHERE p.date_from IS NOT NULL
            )
            SELECT ROW_NUMBER() OVER (ORDER BY company_id, date, bucket_from_id, bucket_to_id) AS id,
                   company_id, date_from, date, bucket_from_id, bucket_to_id,
                   COUNT(*) AS contract_count,
                   SUM(COUNT(*)) OVER w AS from_count,
                   COUNT(*) * 100.0 / SUM(COUNT(*)) OVER w AS rate
              FROM moves
             GROUP BY company_id, date_from, date, bucket_from_id, bucket_to_id
            WINDOW w AS (PARTITION BY company_id, date, bucket_from_id)
            """,
            points=self.env["leasing.par.report"]._points_query(),
        )
