import logging

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, format_date, mute_logger

_logger = logging.getLogger(__name__)

RUN_STATES = [("running", "Running"), ("done", "Done"), ("superseded", "Superseded")]
RUN_ORIGINS = [("daily", "Daily Close"), ("manual", "Run by Hand")]
# The figures of a run: the sums of its chunks'.
RUN_FIGURES = [
    "contract_count",
    "overdue_contract_count",
    "overdue_line_count",
    "bucket_change_count",
    "amount_overdue",
    "penalty_accrued",
    "penalty_due",
]


class LeasingCloseRun(models.Model):
    """One collections close of a company for a date: the log of the daily cron, or of a close
    run by hand. Its chunks hold what each transaction closed; its errors the leases skipped.
    The close writes it as the system; everybody else reads it."""

    _name = "leasing.close.run"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Collections Close"
    _order = "date desc, id desc"

    date = fields.Date(string="Close Date", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(RUN_STATES, required=True, readonly=True, default="running", index=True, string="Status")
    origin = fields.Selection(RUN_ORIGINS, required=True, readonly=True, default="daily")
    user_id = fields.Many2one("res.users", string="Run by", readonly=True)
    started = fields.Datetime(readonly=True)
    ended = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", compute="_compute_duration", digits=(16, 1))
    unchanged_count = fields.Integer(
        string="Leases Unchanged",
        readonly=True,
        help="Leases in force with nothing new since the company's previous close: current then and now, no "
        "instalment fallen due or paid late since, nothing owed, no reminder or rating due. Their figures "
        "stand as they are and the close does not read them again.",
    )
    chunk_ids = fields.One2many("leasing.close.run.chunk", "run_id", string="Chunk Log", readonly=True)
    error_ids = fields.One2many("leasing.close.run.error", "run_id", string="Leases Skipped", readonly=True)
    # Sums of the chunks (never stored on the run: several workers write chunks of one run at
    # once, and none of them writes the run itself but to finish it).
    chunk_count = fields.Integer(string="Chunks", compute="_compute_figures")
    error_count = fields.Integer(string="Errors", compute="_compute_figures")
    contract_count = fields.Integer(string="Leases", compute="_compute_figures")
    overdue_contract_count = fields.Integer(string="Leases Overdue", compute="_compute_figures")
    overdue_line_count = fields.Integer(string="Instalments Overdue", compute="_compute_figures")
    bucket_change_count = fields.Integer(string="Bucket Changes", compute="_compute_figures")
    amount_overdue = fields.Monetary(compute="_compute_figures", help="In the company's currency at the close date.")
    penalty_accrued = fields.Monetary(compute="_compute_figures", help="In the company's currency at the close date.")
    penalty_due = fields.Monetary(compute="_compute_figures", help="In the company's currency at the close date.")

    def init(self):
        # One daily run under way per company and day, even from two servers at once.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS leasing_close_run_daily_running_uniq
                    ON leasing_close_run (company_id, date)
                 WHERE state = 'running' AND origin = 'daily'
                """
            )
        )

    @api.depends("date", "company_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "Close of %(date)s (%(company)s)",
                date=format_date(self.env, run.date) if run.date else "",
                company=run.company_id.name or "",
            )

    @api.depends("started", "ended")
    def _compute_duration(self):
        for run in self:
            run.duration = (run.ended - run.started).total_seconds() if run.started and run.ended else 0.0

    def _compute_figures(self):
        Chunk = self.env["leasing.close.run.chunk"]
        sums = {
            run: values
            for run, *values in Chunk._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count", *(f"{name}:sum" for name in RUN_FIGURES)]
            )
        }
        errors = dict(
            self.env["leasing.close.run.error"]._read_group([("run_id", "in", self.ids)], ["run_id"], ["__count"])
        )
        for run in self:
            values = sums.get(run, [0] * (len(RUN_FIGURES) + 1))
            run.chunk_count = values[0]
            for name, value in zip(RUN_FIGURES, values[1:]):
                run[name] = value
            run.error_count = errors.get(run, 0)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingCloseRun, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Running a close (as the system: the callers checked the rights)
    # ------------------------------------------------------------------
    @api.model
    def _daily_run(self, company, date):
        """The daily run of ``company`` for ``date`` to work on: the one under way, or a new one
        when the company has leases to close and no close for that date is done or under way.
        Runs of earlier days left unfinished are superseded by the new one. False when there is
        nothing to do."""
        run = self.search(
            [("company_id", "=", company.id), ("date", "=", date), ("state", "=", "running"), ("origin", "=", "daily")],
            limit=1,
        )
        if run:
            return run
        if self.search_count(
            [("company_id", "=", company.id), ("date", "=", date), ("state", "in", ("running", "done"))]
        ):
            return False
        if not self._scope_count(company):
            return False
        stale = self.search([("company_id", "=", company.id), ("state", "=", "running"), ("date", "<", date)])
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                stale.write({"state": "superseded", "ended": fields.Datetime.now()})
                run = self.create(
                    {"company_id": company.id, "date": date, "origin": "daily", "started": fields.Datetime.now()}
                )
                run._plan_leases()
        except (IntegrityError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            # Another server started (or finished) today's run first: it is its run.
            _logger.info("The close of %s for %s was started by another transaction", company.name, date)
            return False
        return run

    @api.model
    def _create_manual(self, company, date):
        """A run of ``company``'s close for ``date``, run by hand by the current user."""
        run = self.create(
            {
                "company_id": company.id,
                "date": date,
                "origin": "manual",
                "user_id": self.env.uid,
                "started": fields.Datetime.now(),
            }
        )
        run._plan_leases()
        return run

    @api.model
    def _scope_count(self, company, run=None):
        """Leases of ``company`` a close looks at (and has not closed yet, given its ``run``)."""
        Contract = self.env["leasing.contract"]
        Contract.flush_model(["company_id", "state", "days_past_due", "close_run_id"])
        condition = Contract._collections_close_domain(company)
        if run:
            condition = SQL("%s AND close_run_id IS DISTINCT FROM %s", condition, run.id)
        self.env.cr.execute(SQL("SELECT count(*) FROM leasing_contract WHERE %s", condition))
        return self.env.cr.fetchone()[0]

    def _remaining_count(self):
        """Leases this run has not closed yet."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT count(*) FROM leasing_close_run_lease WHERE run_id = %s", self.id))
        return self.env.cr.fetchone()[0]

    def _plan_leases(self):
        """Write this new run's work list: the leases of its scope that have something new since
        the company's previous close (``leasing.contract._collections_close_candidates``). The
        others, current then and with nothing fallen due, paid late, owed or to remind since, keep
        their figures, which the run would compute again to the same values: the run counts them
        and leaves them alone. Without a previous close, or for a date before it, the run
        recomputes every lease of its scope."""
        self.ensure_one()
        Contract = self.env["leasing.contract"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT MAX(date) FROM leasing_close_run
                 WHERE company_id = %s AND state = 'done' AND date < %s AND id != %s
                """,
                self.company_id.id,
                self.date,
                self.id,
            )
        )
        since = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO leasing_close_run_lease (run_id, contract_id, lessee_id)
                SELECT %s, c.id, (SELECT p.commercial_partner_id FROM res_partner p WHERE p.id = c.partner_id)
                  FROM leasing_contract c
                 WHERE %s AND c.id IN (%s)
                ON CONFLICT DO NOTHING
                """,
                self.id,
                Contract._collections_close_domain(self.company_id),
                Contract._collections_close_candidates(self.company_id, self.date, since),
            )
        )
        planned = self.env.cr.rowcount
        # A system figure of the run, written once, by its creator.
        self.sudo().write({"unchanged_count": self._scope_count(self.company_id) - planned})

    @api.model
    def _pending_count(self, companies, date):
        """Leases of ``companies`` the daily close of ``date`` has still to close."""
        pending = 0
        for company in companies:
            runs = self.search(
                [("company_id", "=", company.id), ("date", "=", date), ("state", "in", ("running", "done"))]
            )
            if "done" in runs.mapped("state"):
                continue
            daily = runs.filtered(lambda run: run.origin == "daily")[:1]
            pending += daily._remaining_count() if daily else self._scope_count(company)
        return pending

    def _lock_next_chunk(self, size):
        """Lock, for this transaction, up to ``size`` leases this run has not closed yet, skipping
        those another transaction holds (closing them in another worker, or changing them).

        ``FOR NO KEY UPDATE``: the lock ``FOR UPDATE`` takes, less the key, so that the lease's
        invoices and payments, whose rows reference the lease, are not held up by the close.

        Odoo's transactions are REPEATABLE READ: a lease another worker closed and committed
        after this transaction began cannot be locked (a serialization failure, for the whole
        statement). One statement locks the chunk; only when it meets such a lease are the
        candidates locked one by one, each in its own savepoint, to skip just those."""
        self.ensure_one()
        Contract = self.env["leasing.contract"]
        Contract.flush_model(["company_id", "state", "days_past_due", "close_run_id"])
        domain = Contract._collections_close_domain(self.company_id)
        with mute_logger("odoo.sql_db"):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            """
                            SELECT c.id FROM leasing_contract c
                              JOIN leasing_close_run_lease todo ON todo.contract_id = c.id AND todo.run_id = %s
                             WHERE %s AND c.close_run_id IS DISTINCT FROM %s
                             ORDER BY todo.lessee_id, todo.contract_id LIMIT %s
                               FOR NO KEY UPDATE OF c SKIP LOCKED
                            """,
                            self.id,
                            domain,
                            self.id,
                            size,
                        )
                    )
                    return Contract.browse([row[0] for row in self.env.cr.fetchall()])
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                _logger.info("%s: leases closed by another transaction meanwhile, locked one by one", self.display_name)
            self.env.cr.execute(
                SQL(
                    """
                    SELECT c.id FROM leasing_contract c
                      JOIN leasing_close_run_lease todo ON todo.contract_id = c.id AND todo.run_id = %s
                     WHERE %s AND c.close_run_id IS DISTINCT FROM %s
                     ORDER BY todo.lessee_id, todo.contract_id LIMIT %s
                    """,
                    self.id,
                    domain,
                    self.id,
                    size,
                )
            )
            locked = []
            for (contract_id,) in self.env.cr.fetchall():
                try:
                    with self.env.cr.savepoint(flush=False):
                        self.env.cr.execute(
                            SQL(
                                """
                                SELECT id FROM leasing_contract
                                 WHERE id = %s AND close_run_id IS DISTINCT FROM %s
                                   FOR NO KEY UPDATE SKIP LOCKED
                                """,
                                contract_id,
                                self.id,
                            )
                        )
                        locked += [row[0] for row in self.env.cr.fetchall()]
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    _logger.info("Lease %s closed by another transaction meanwhile", contract_id)
        return Contract.browse(locked)

    def _close_next_chunk(self, size):
        """Close the next chunk of this run's leases and log it (its figures, the leases skipped
        on an error). Return ``(handled, retry)``: the number of leases it handled (closed,
        skipped on an error, or left to a later transaction because another one was changing
        them; 0: nothing left this transaction may lock) and of those left to a later one."""
        self.ensure_one()
        contracts = self._lock_next_chunk(size)
        if not contracts:
            return 0, 0
        started = fields.Datetime.now()
        stats, errors, retry = contracts._collections_close(self)
        # Off the work list, in the transaction that closed them: a crash before the commit
        # leaves them on it.
        self.env.cr.execute(
            SQL(
                "DELETE FROM leasing_close_run_lease WHERE run_id = %s AND contract_id IN %s",
                self.id,
                tuple((contracts - retry).ids) or (0,),
            )
        )
        chunk = self.env["leasing.close.run.chunk"].create(
            {
                "run_id": self.id,
                "started": started,
                "ended": fields.Datetime.now(),
                "contract_count": len(contracts) - len(retry),
                "retry_count": len(retry),
                **{name: stats.get(name, 0) for name in RUN_FIGURES if name != "contract_count"},
            }
        )
        if errors:
            self.env["leasing.close.run.error"].create(
                [
                    {"run_id": self.id, "chunk_id": chunk.id, "contract_id": contract.id, "message": message}
                    for contract, message in errors.items()
                ]
            )
        return len(contracts), len(retry)

    def _finish(self):
        """This run has closed all its leases: it is done (unless another worker, which closed
        the last chunk at the same time, marks it done itself)."""
        self.ensure_one()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM leasing_close_run WHERE id = %s AND state = 'running' FOR NO KEY UPDATE NOWAIT",
                        self.id,
                    )
                )
                if self.env.cr.fetchone():
                    self.write({"state": "done", "ended": fields.Datetime.now()})
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("%s is finished by another transaction", self.display_name)

    def _run_all(self, size):
        """Close every lease of this run now, chunk after chunk, in the current transaction (the
        close run by hand), and finish it. Another transaction holding some of its leases (the
        daily close at work on them) stops it: nothing is saved."""
        self.ensure_one()
        while True:
            handled, retry = self._close_next_chunk(size)
            # The leases another transaction was changing come back in the next chunk: they
            # cannot be closed in this transaction, whose snapshot predates that change.
            if handled == retry:
                break
        if self._remaining_count():
            raise UserError(
                self.env._(
                    "Another close is at work on the leases of %(company)s: run this one again once it is done.",
                    company=self.company_id.name,
                )
            )
        self._finish()
        return self
