from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import PAR_THRESHOLDS

# The ratio fields, each with the amount it divides by the outstanding principal.
RATIO_AMOUNTS = {f"par{days}_ratio": f"par{days}_amount" for days in PAR_THRESHOLDS}


class LeasingParReport(models.Model):
    """Portfolio at risk at each month end: the outstanding principal of the leases more than
    30, 60 and 90 days past due over the outstanding principal of every lease, per company and
    currency, worked out from the schedules and the ledger's payment dates (the rules of
    ``tools/portfolio.py``). The months run from the first lease's start to the company's last
    close; the month of the last close stops on its date."""

    _name = "leasing.par.report"
    _description = "Portfolio at Risk"
    _auto = False
    _order = "date desc, company_id, currency_id"
    _depends = {
        "leasing.contract": ["state", "start_date", "company_id", "currency_id", "payoff_date"],
        "leasing.schedule.line": [
            "contract_id",
            "due_date",
            "principal",
            "cancelled",
            "invoice_id",
            "state",
            "last_payment_date",
        ],
        "leasing.close.run": ["company_id", "date"],
    }

    date = fields.Date(
        string="As of", readonly=True, help="The month end, or the date of the last close for the month under way."
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    outstanding = fields.Monetary(
        string="Principal Outstanding",
        readonly=True,
        aggregator="sum",
        help="Principal of the instalments not repaid that day, due or not, of every lease started.",
    )
    par30_amount = fields.Monetary(
        string="PAR 30",
        readonly=True,
        aggregator="sum",
        help="Principal outstanding of the leases over 30 days past due.",
    )
    par60_amount = fields.Monetary(
        string="PAR 60",
        readonly=True,
        aggregator="sum",
        help="Principal outstanding of the leases over 60 days past due.",
    )
    par90_amount = fields.Monetary(
        string="PAR 90",
        readonly=True,
        aggregator="sum",
        help="Principal outstanding of the leases over 90 days past due.",
    )
    par30_count = fields.Integer(string="Leases over 30 Days", readonly=True, aggregator="sum")
    par60_count = fields.Integer(string="Leases over 60 Days", readonly=True, aggregator="sum")
    par90_count = fields.Integer(string="Leases over 90 Days", readonly=True, aggregator="sum")
    par30_ratio = fields.Float(
        string="PAR 30 (%)", digits=(16, 2), readonly=True, aggregator="sum", help="PAR 30 / principal outstanding."
    )
    par60_ratio = fields.Float(
        string="PAR 60 (%)", digits=(16, 2), readonly=True, aggregator="sum", help="PAR 60 / principal outstanding."
    )
    par90_ratio = fields.Float(
        string="PAR 90 (%)", digits=(16, 2), readonly=True, aggregator="sum", help="PAR 90 / principal outstanding."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH points AS (%(points)s),
            -- The principal outstanding moves on two days of each instalment: it starts counting
            -- on its lease's start date and stops on the day it is repaid.
            moves AS (
                SELECT c.company_id, c.currency_id, c.start_date, %(repaid_on)s AS repaid_on,
                       SUM(l.principal) AS principal
                  FROM leasing_schedule_line l
                  JOIN leasing_contract c ON c.id = l.contract_id
                 WHERE %(counted)s
                 GROUP BY c.company_id, c.currency_id, c.start_date, 4
            ),
            events AS (
                SELECT company_id, currency_id, day, SUM(amount) AS amount
                  FROM (SELECT company_id, currency_id, start_date AS day, principal AS amount FROM moves
                         UNION ALL
                        SELECT company_id, currency_id, GREATEST(repaid_on, start_date), -principal
                          FROM moves
                         WHERE repaid_on IS NOT NULL) e
                 GROUP BY company_id, currency_id, day
            ),
            outstanding AS (
                SELECT p.company_id, e.currency_id, p.date, SUM(e.amount) AS amount
                  FROM points p
                  JOIN events e ON e.company_id = p.company_id AND e.day <= p.date
                 GROUP BY p.company_id, e.currency_id, p.date
            ),
            -- The instalments that can be past due on some day: billed and not repaid by their
            -- due date.
            late_lines AS (
                SELECT l.contract_id, c.company_id, c.currency_id, l.due_date, %(repaid_on)s AS repaid_on
                  FROM leasing_schedule_line l
                  JOIN leasing_contract c ON c.id = l.contract_id
                 WHERE %(counted)s AND %(billed)s
                   AND NOT (l.state = 'paid' AND COALESCE(l.last_payment_date, l.due_date) <= l.due_date)
            ),
            -- Days past due of the leases in arrears at each date: of their oldest billed
            -- instalment due before it and not repaid on it.
            arrears AS (
                SELECT ll.contract_id, ll.company_id, ll.currency_id, p.date,
                       p.date - MIN(ll.due_date) AS days_past_due
                  FROM late_lines ll
                  JOIN points p ON p.company_id = ll.company_id
                               AND ll.due_date < p.date
                               AND (ll.repaid_on IS NULL OR ll.repaid_on > p.date)
                 GROUP BY ll.contract_id, ll.company_id, ll.currency_id, p.date
                HAVING p.date - MIN(ll.due_date) > %(lowest)s
            ),
            -- The principal of those leases, by the day it stops counting.
            lease_moves AS (
                SELECT l.contract_id, %(repaid_on)s AS repaid_on, SUM(l.principal) AS principal
                  FROM leasing_schedule_line l
                  JOIN leasing_contract c ON c.id = l.contract_id
                 WHERE l.contract_id IN (SELECT contract_id FROM arrears) AND %(counted)s
                 GROUP BY l.contract_id, 2
            ),
            at_risk AS (
                SELECT a.company_id, a.currency_id, a.date, a.days_past_due, SUM(m.principal) AS amount
                  FROM arrears a
                  JOIN lease_moves m ON m.contract_id = a.contract_id AND (m.repaid_on IS NULL OR m.repaid_on > a.date)
                 GROUP BY a.contract_id, a.company_id, a.currency_id, a.date, a.days_past_due
            )
            SELECT ROW_NUMBER() OVER (ORDER BY o.company_id, o.currency_id, o.date) AS id,
                   o.date, o.company_id, o.currency_id, o.amount AS outstanding,
                   %(columns)s
              FROM outstanding o
         LEFT JOIN at_risk r ON r.company_id = o.company_id AND r.currency_id = o.currency_id AND r.date = o.date
             GROUP BY o.company_id, o.currency_id, o.date, o.amount
            """,
            points=self._points_query(),
            repaid_on=self._repaid_on_sql(),
            counted=SQL(
                "c.state IN ('active', 'closed') AND c.start_date IS NOT NULL "
                "AND (NOT COALESCE(l.cancelled, FALSE) OR c.payoff_date IS NOT NULL)"
            ),
            billed=SQL(
                "l.invoice_id IS NOT NULL AND NOT COALESCE(l.cancelled, FALSE) "
                "AND l.state IN ('invoiced', 'partial', 'overdue', 'paid')"
            ),
            lowest=min(PAR_THRESHOLDS),
            columns=SQL(", ").join(
                SQL(
                    """COALESCE(SUM(r.amount) FILTER (WHERE r.days_past_due > %(days)s), 0) AS %(amount)s,
                       COUNT(r.amount) FILTER (WHERE r.days_past_due > %(days)s) AS %(count)s,
                       CASE WHEN o.amount != 0
                            THEN COALESCE(SUM(r.amount) FILTER (WHERE r.days_past_due > %(days)s), 0) * 100 / o.amount
                            ELSE 0 END AS %(ratio)s""",
                    days=days,
                    amount=SQL.identifier(f"par{days}_amount"),
                    count=SQL.identifier(f"par{days}_count"),
                    ratio=SQL.identifier(f"par{days}_ratio"),
                )
                for days in PAR_THRESHOLDS
            ),
        )

    @api.model
    def _points_query(self):
        """The dates of the monthly reports, per company: each month end from the month of its
        first lease's start up to its last close, and the date of that close for its month."""
        return SQL(
            """
            SELECT runs.company_id,
                   LEAST((month.start + INTERVAL '1 month' - INTERVAL '1 day')::date, runs.last_close) AS date
              FROM (SELECT company_id, MAX(date) AS last_close FROM leasing_close_run GROUP BY company_id) runs
              JOIN (SELECT company_id, MIN(start_date) AS first_start
                      FROM leasing_contract
                     WHERE state IN ('active', 'closed') AND start_date IS NOT NULL
                     GROUP BY company_id) leases ON leases.company_id = runs.company_id
             CROSS JOIN LATERAL generate_series(
                   date_trunc('month', leases.first_start::timestamp),
                   date_trunc('month', runs.last_close::timestamp),
                   INTERVAL '1 month'
                   ) AS month(start)
            """
        )

    @api.model
    def _repaid_on_sql(self):
        """The day an instalment (``l``, of the lease ``c``) is repaid in full: the date of the
        payment that completed it (its last one; its due date for one paid without a payment, of
        nothing), the payoff's date for one a payoff cancelled; NULL while it is not."""
        return SQL(
            """CASE WHEN COALESCE(l.cancelled, FALSE) THEN c.payoff_date
                    WHEN l.state = 'paid' THEN COALESCE(l.last_payment_date, l.due_date) END"""
        )

    def _read_group_select(self, aggregate_spec, query):
        """A ratio of several rows (several companies, a quarter's months) is their PAR amount
        over their outstanding principal, not a sum of ratios."""
        fname, __, __ = aggregate_spec.partition(":")
        if fname not in RATIO_AMOUNTS:
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "COALESCE(SUM(%s) * 100 / NULLIF(SUM(%s), 0), 0)",
            self._field_to_sql(self._table, RATIO_AMOUNTS[fname], query),
            self._field_to_sql(self._table, "outstanding", query),
        )
