from odoo import fields, models
from odoo.tools import SQL


class LeasingCollectorPerformanceReport(models.Model):
    """What each collector did, month by month: one row per collector, team, company and month.

    - cases worked and contacts: the contact logs the collector made (a case worked is a case
      with at least one contact or promise of theirs that month);
    - promises: those the collector recorded that month, kept and broken as the close marked
      them; kept % is kept over kept and broken (the open ones are not decided yet);
    - amount recovered: the payments received on the lease of a case while the case was open
      (from its opening to its closing), for the case's collector and team; one lease has one
      open case at a time, so a payment counts once."""

    _name = "leasing.collector.performance.report"
    _description = "Collector Performance"
    _auto = False
    _order = "date desc, collector_id"
    _depends = {
        "leasing.collection.log": ["case_id", "user_id", "date", "company_id"],
        "leasing.collection.promise": ["case_id", "user_id", "made_date", "state", "amount", "company_id"],
        "leasing.collection.case": [
            "collector_id",
            "team_id",
            "company_id",
            "contract_id",
            "opened_date",
            "closed_date",
        ],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "debit_amount_currency"],
        "account.move.line": ["move_id", "date"],
        "account.move": ["state", "move_type", "leasing_contract_id"],
    }

    date = fields.Date(string="Month", readonly=True)
    collector_id = fields.Many2one("res.users", string="Collector", readonly=True)
    team_id = fields.Many2one("leasing.collection.team", string="Collection Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_count = fields.Integer(string="Cases Worked", readonly=True, aggregator="sum")
    contact_count = fields.Integer(string="Contacts", readonly=True, aggregator="sum")
    amount_recovered = fields.Monetary(string="Recovered", readonly=True, aggregator="sum")
    promise_count = fields.Integer(string="Promises Made", readonly=True, aggregator="sum")
    promised_amount = fields.Monetary(string="Amount Promised", readonly=True, aggregator="sum")
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True, aggregator="sum")
    promise_broken_count = fields.Integer(string="Promises Broken", readonly=True, aggregator="sum")
    promise_kept_pct = fields.Float(
        string="Promises Kept (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
        help="Promises kept over the promises kept or broken (those still open are not counted).",
    )

    @property
    def _table_query(self):
        collected = self.env["leasing.collection.report"]._table_query
        return SQL(
            """
            WITH events AS (
                SELECT l.user_id AS collector_id, k.team_id, l.company_id,
                       date_trunc('month', l.date)::date AS date, l.case_id,
                       1 AS contacts, 0 AS promises, 0 AS kept, 0 AS broken,
                       0.0 AS promised, 0.0 AS recovered
                  FROM leasing_collection_log l
                  JOIN leasing_collection_case k ON k.id = l.case_id
                 UNION ALL
                SELECT p.user_id, k.team_id, p.company_id,
                       date_trunc('month', p.made_date)::date, p.case_id,
                       0, 1, (p.state = 'kept')::int, (p.state = 'broken')::int,
                       p.amount, 0.0
                  FROM leasing_collection_promise p
                  JOIN leasing_collection_case k ON k.id = p.case_id
                 UNION ALL
                SELECT k.collector_id, k.team_id, k.company_id,
                       date_trunc('month', paid.date)::date, NULL,
                       0, 0, 0, 0, 0.0, paid.amount
                  FROM (%(collected)s) paid
                  JOIN leasing_collection_case k ON k.contract_id = paid.contract_id
                                                AND paid.date >= k.opened_date
                                                AND paid.date <= COALESCE(k.closed_date, paid.date)
            )
            SELECT ROW_NUMBER() OVER (ORDER BY date, company_id, collector_id, team_id) AS id,
                   date, collector_id, team_id, company_id,
                   COUNT(DISTINCT case_id) AS case_count,
                   SUM(contacts) AS contact_count,
                   SUM(recovered) AS amount_recovered,
                   SUM(promises) AS promise_count,
                   SUM(promised) AS promised_amount,
                   SUM(kept) AS promise_kept_count,
                   SUM(broken) AS promise_broken_count,
                   COALESCE(SUM(kept) * 100.0 / NULLIF(SUM(kept) + SUM(broken), 0), 0) AS promise_kept_pct
              FROM events
             GROUP BY date, collector_id, team_id, company_id
            """,
            collected=collected,
        )

    def _read_group_select(self, aggregate_spec, query):
        """The kept % of several rows (a team, a quarter) is their promises kept over their
        promises kept or broken, not a sum of percentages."""
        fname, __, __ = aggregate_spec.partition(":")
        if fname != "promise_kept_pct":
            return super()._read_group_select(aggregate_spec, query)
        kept = self._field_to_sql(self._table, "promise_kept_count", query)
        broken = self._field_to_sql(self._table, "promise_broken_count", query)
        return SQL("COALESCE(SUM(%s) * 100.0 / NULLIF(SUM(%s) + SUM(%s), 0), 0)", kept, kept, broken)
