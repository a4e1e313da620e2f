import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.leasing_management.tools.money import round_exact
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger

from ..tools import Instalment, aging_changes, bucket_of, contract_arrears, days_past_due, instalment_penalty

_logger = logging.getLogger(__name__)

# Contracts a cron call closes: a chunk is read, computed and written in one transaction.
CLOSE_CHUNK_SIZE = 500
# What the close writes on a contract, and on a schedule line (the ORM cache is told).
CLOSE_CONTRACT_FIELDS = [
    "days_past_due",
    "aging_bucket_id",
    "amount_in_arrears",
    "close_date",
    "close_run_id",
    "penalty_accrued",
    "penalty_due",
]
CLOSE_LINE_FIELDS = ["days_past_due", "penalty_accrued", "penalty_due"]


class LeasingContract(models.Model):
    _inherit = "leasing.contract"

    # Figures of the daily close, as of its date (close_date), from the ledger and the schedule.
    # Only the close sets them.
    days_past_due = fields.Integer(
        readonly=True,
        index=True,
        copy=False,
        aggregator="max",
        help="Days past due of the oldest instalment unpaid at the last close (0: nothing overdue).",
    )
    aging_bucket_id = fields.Many2one(
        "leasing.aging.bucket",
        string="Aging Bucket",
        readonly=True,
        index=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_aging_bucket_ids",
        help="Bucket of the lease's days past due at the last close.",
    )
    amount_in_arrears = fields.Monetary(
        string="Overdue at Close",
        readonly=True,
        copy=False,
        aggregator="sum",
        help="What was unpaid of the instalments past due at the last close.",
    )
    penalty_accrued = fields.Monetary(
        compute="_compute_penalty",
        store=True,
        aggregator="sum",
        help="Penalty interest accrued by the instalments of the lease to the last close.",
    )
    penalty_due = fields.Monetary(
        compute="_compute_penalty",
        store=True,
        aggregator="sum",
        help="Penalty interest accrued and neither invoiced nor waived.",
    )
    close_date = fields.Date(
        string="Figures as of", readonly=True, copy=False, help="Date of the last close that computed these figures."
    )
    close_run_id = fields.Many2one(
        "leasing.close.run",
        string="Last Close",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    aging_history_count = fields.Integer(compute="_compute_aging_history_count")

    @api.depends("schedule_line_ids.penalty_accrued", "schedule_line_ids.penalty_due")
    def _compute_penalty(self):
        for contract in self:
            lines = contract.schedule_line_ids
            contract.penalty_accrued = contract.currency_id.round(sum(lines.mapped("penalty_accrued")))
            contract.penalty_due = contract.currency_id.round(sum(lines.mapped("penalty_due")))

    def _compute_aging_history_count(self):
        # How often a lease the user reads changed bucket: counted whatever their rights on the
        # history itself, which is the collectors'.
        history_sudo = self.env["leasing.aging.history"].sudo()
        counts = dict(history_sudo._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"]))
        for contract in self:
            contract.aging_history_count = counts.get(contract, 0)

    @api.model
    def _read_group_aging_bucket_ids(self, buckets, domain):
        """Every bucket of the companies in use is a column of the kanban, empty or not."""
        return buckets.search([("company_id", "in", self.env.companies.ids)])

    def action_view_aging_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_aging_history")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # The daily close
    # ------------------------------------------------------------------
    @api.model
    def _cron_collections_close(self, chunk_size=CLOSE_CHUNK_SIZE, companies=None):
        """Daily: the collections close of every company, as of today, a chunk per call.

        For each lease in force (and each lease left with days past due), the close refreshes
        the overdue status of its instalments, then computes from the ledger and the schedule,
        as of the close date: the days past due of each instalment and of the lease, its aging
        bucket (a ``leasing.aging.history`` row when it changes), what is overdue, and the
        penalty interest each instalment has accrued. Nothing is incremented: every figure is
        worked out again from the invoices' payments and their dates, so a close run twice, or
        by two servers at once, gives the same figures, and the first close after days without
        one brings everything up to date.

        Each call closes one chunk of ``chunk_size`` leases of one company's run (its
        ``leasing.close.run``) and reports its progress: ``done`` the leases closed,
        ``remaining`` those left today. Odoo's cron runner commits after each call and calls
        again while some are left, so a crash loses at most the chunk under way, and the next
        call resumes where the run stopped. The leases of a chunk are locked
        (``FOR NO KEY UPDATE SKIP LOCKED``) while it is closed: several workers or servers share one
        close without closing a lease twice. A lease that cannot be closed is logged in the run
        and skipped; the others go on.

        A company is closed once a day: its run for today is resumed until done; a run of an
        earlier day left unfinished (a crash, a server down) is superseded by today's, which
        recomputes everything. ``companies`` (default: all) narrows the close (for tests and
        scripts). Return the number of leases closed by this call."""
        today = fields.Date.context_today(self)
        Run = self.env["leasing.close.run"].sudo()
        companies = companies or self.env["res.company"].sudo().search([], order="id")
        busy = False
        for company in companies:
            run = Run._daily_run(company, today)
            if not run:
                continue
            done, _retry = run._close_next_chunk(chunk_size)
            remaining = run._remaining_count()
            if not remaining:
                run._finish()
            if done:
                remaining += Run._pending_count(companies - company, today)
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                return done
            # Leases left that another worker holds: it closes them, but may not see that the
            # run is then done (its snapshot predates this worker's chunks).
            busy = busy or bool(remaining)
        if busy:
            # Look again in a minute: the call that finds nothing left finishes the run.
            cron = self.env.ref("leasing_collections.ir_cron_collections_close", raise_if_not_found=False)
            if cron:
                cron._trigger(fields.Datetime.now() + timedelta(minutes=1))
        self.env["ir.cron"]._notify_progress(done=0, remaining=0)
        return 0

    @api.model
    def _collections_close_domain(self, company):
        """The leases a close of ``company`` looks at: those in force, and those left with days
        past due by an earlier close (a lease paid off and closed since)."""
        return SQL(
            "company_id = %s AND (state = 'active' OR days_past_due > 0)",
            company.id,
        )

    def _collections_close(self, run):
        """Close these leases (locked by the caller) for ``run``: compute and write their figures
        as of the run's date. Return ``(stats, errors, retry)``: the chunk's figures, the
        leases that could not be closed ({contract: message}, logged and skipped: only marked as
        closed by the run) and those another transaction was changing (left for a later call).

        The whole chunk is closed at once; should that fail, each lease is closed on its own, in
        a savepoint, so that only the culprits are left out."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                stats, errors = self._collections_close_batch(run)
        except Exception:  # whatever the cause, find the leases it comes from below
            _logger.info("Closing %s leases at once failed: closing them one by one", len(self))
        else:
            self._collections_mark_closed(run, self.browse([contract.id for contract in errors]))
            return stats, errors, self.browse()
        stats, errors, retry = {}, {}, self.browse()
        for contract in self:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    contract_stats, contract_errors = contract._collections_close_batch(run)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                _logger.info("Lease %s: another transaction is changing it, closed by a later call", contract.name)
                retry |= contract
                continue
            except Exception as error:  # an unexpected cause: skip the lease, log the traceback
                _logger.warning("Lease %s could not be closed", contract.name, exc_info=True)
                contract_errors = {contract: f"{type(error).__name__}: {error}"}
                contract_stats = {}
            errors.update(contract_errors)
            for key, value in contract_stats.items():
                stats[key] = stats.get(key, 0) + value
        self._collections_mark_closed(run, self.browse([contract.id for contract in errors]))
        return stats, errors, retry

    def _collections_mark_closed(self, run, contracts):
        """Mark ``contracts`` as closed by ``run`` without changing their figures (they could not
        be computed): the run goes on without them."""
        if not contracts:
            return
        self.env.cr.execute(
            SQL("UPDATE leasing_contract SET close_run_id = %s WHERE id IN %s", run.id, tuple(contracts.ids))
        )
        contracts.invalidate_recordset(["close_run_id"])

    def _collections_close_batch(self, run):
        """Close these leases for ``run`` in one go: a few statements for the whole chunk.
        Return ``(stats, errors)`` (see ``_collections_close``); the leases of ``errors`` are left
        as they were."""
        close_date = run.date
        self._collections_refresh_overdue(close_date)
        self.env.flush_all()
        contracts = self._collections_read_contracts()
        lines = self._collections_read_lines(close_date)
        payments = self._collections_read_payments([line["id"] for line in lines if line["in_arrears"]])
        lines_by_contract = defaultdict(list)
        for line in lines:
            lines_by_contract[line["contract_id"]].append(line)
        Bucket = self.env["leasing.aging.bucket"]
        buckets = Bucket.search([("company_id", "in", list({row["company_id"] for row in contracts.values()}))])
        engine_buckets = {
            company.id: Bucket._engine_buckets(company_buckets)
            for company, company_buckets in buckets.grouped("company_id").items()
        }
        currencies = self.env["res.currency"].browse({row["currency_id"] for row in contracts.values()})
        roundings = {currency.id: currency._leasing_rounding() for currency in currencies}

        errors, figures = {}, {}
        for contract_id, row in contracts.items():
            try:
                figures[contract_id] = self._collections_contract_figures(
                    row,
                    lines_by_contract[contract_id],
                    payments,
                    engine_buckets.get(row["company_id"], []),
                    close_date,
                    roundings[row["currency_id"]],
                )
            except Exception as error:  # a lease the rule cannot apply to: logged, skipped
                _logger.warning("Lease %s could not be closed", row["name"], exc_info=True)
                errors[self.browse(contract_id)] = f"{type(error).__name__}: {error}"
        self._collections_write_figures(run, figures)
        self.browse(list(figures))._collections_send_reminders(run)
        return self._collections_stats(run, figures, contracts), errors

    def _collections_refresh_overdue(self, close_date):
        """The instalments of these leases past due by ``close_date`` and still open become
        overdue: leasing_management's own status, recomputed on just these lines."""
        Line = self.env["leasing.schedule.line"]
        lines = Line.search(
            [
                ("contract_id", "in", self.ids),
                ("state", "in", ("invoiced", "partial")),
                ("due_date", "<", close_date),
            ]
        )
        if lines:
            self.env.add_to_compute(Line._fields["state"], lines)
            lines.flush_recordset(["state"])

    def _collections_read_contracts(self):
        """{contract id: row} of these leases: company, currency, the plan's penalty terms and
        the figures of their last close."""
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.name, c.company_id, c.currency_id, c.start_date, c.days_past_due, c.aging_bucket_id,
                       c.close_date, p.penalty_rate_daily, p.penalty_grace_days, p.penalty_cap_pct
                  FROM leasing_contract c
                  JOIN leasing_plan p ON p.id = c.plan_id
                 WHERE c.id IN %s
                 ORDER BY c.id
                """,
                tuple(self.ids),
            )
        )
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    def _collections_read_lines(self, close_date):
        """The schedule lines of these leases the close looks at: those in arrears on
        ``close_date`` (invoiced, due before it and not paid on time: unpaid now, or paid after
        their due date), and those an earlier close left figures on, to bring them up to date.
        A line paid by its due date owes nothing, whatever the date: it is not read again."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id, contract_id, due_date, invoice_id, in_arrears,
                       COALESCE(days_past_due, 0) AS days_past_due,
                       COALESCE(penalty_accrued, 0) AS penalty_accrued
                  FROM (
                        SELECT l.*,
                               (l.invoice_id IS NOT NULL
                                AND NOT COALESCE(l.cancelled, FALSE)
                                AND l.due_date < %(date)s
                                AND NOT (l.state = 'paid'
                                         AND COALESCE(l.last_payment_date <= l.due_date, FALSE))) AS in_arrears
                          FROM leasing_schedule_line l
                         WHERE l.contract_id IN %(contracts)s
                       ) l
                 WHERE in_arrears OR COALESCE(days_past_due, 0) != 0 OR COALESCE(penalty_accrued, 0) != 0
                 ORDER BY contract_id, due_date, id
                """,
                date=close_date,
                contracts=tuple(self.ids),
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _collections_read_payments(self, line_ids):
        """{line id: (amount, payments)} from the ledger, in one statement for the chunk: the
        amount of each line's posted invoice (its receivable lines) and what paid it, as (date,
        amount) pairs: each reconciliation with a payment or a credit note, in the invoice's
        currency, dated by the payment's own date."""
        if not line_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id AS line_id, rl.id AS receivable_id, rl.amount_currency,
                       pr.id AS partial_id, pr.debit_amount_currency, cl.date
                  FROM leasing_schedule_line l
                  JOIN account_move m ON m.id = l.invoice_id AND m.state = 'posted'
                  JOIN account_move_line rl ON rl.move_id = m.id AND rl.display_type = 'payment_term'
             LEFT JOIN account_partial_reconcile pr ON pr.debit_move_id = rl.id
             LEFT JOIN account_move_line cl ON cl.id = pr.credit_move_id
                 WHERE l.id IN %s
                """,
                tuple(line_ids),
            )
        )
        amounts, paid, seen = defaultdict(float), defaultdict(list), set()
        for line_id, receivable_id, amount, partial_id, paid_amount, paid_date in self.env.cr.fetchall():
            if receivable_id not in seen:
                seen.add(receivable_id)
                amounts[line_id] += amount
            if partial_id and paid_amount:
                paid[line_id].append((paid_date, paid_amount))
        return {line_id: (amount, tuple(paid[line_id])) for line_id, amount in amounts.items()}

    @api.model
    def _collections_contract_figures(self, contract, lines, payments, buckets, close_date, rounding):
        """The close's figures of one lease, from plain data: ``contract`` its row
        (``_collections_read_contracts``), ``lines`` its rows (``_collections_read_lines``),
        ``payments`` the ledger's ({line id: (amount, payments)}), ``buckets`` its company's
        (the engine's tuples, keyed by id), ``rounding`` its currency's. The engine does
        the arithmetic; nothing here is rounded but the results, once each.

        Return a dict: ``lines`` {line id: (days past due, penalty accrued)} of the lines whose
        figures change, ``days_past_due``, ``bucket`` (id, or None), ``amount_overdue``,
        ``overdue_lines`` and ``changes`` (the engine's bucket changes since the last close, or
        since the start of a lease never closed, as dicts)."""
        instalments, line_figures, overdue_lines = [], {}, 0
        for line in lines:
            amount, paid = payments.get(line["id"], (0.0, ()))
            dpd, penalty = 0, 0.0
            if line["in_arrears"] and amount:
                instalment = Instalment(line["id"], line["due_date"], amount, paid)
                instalments.append(instalment)
                dpd = days_past_due(instalment, close_date)
                penalty = round_exact(
                    instalment_penalty(
                        amount,
                        line["due_date"],
                        paid,
                        close_date,
                        rate=contract["penalty_rate_daily"] or 0.0,
                        grace_days=contract["penalty_grace_days"] or 0,
                        cap_pct=contract["penalty_cap_pct"] or 0.0,
                    ),
                    rounding,
                )
            overdue_lines += bool(dpd)
            if (dpd, penalty) != (line["days_past_due"], line["penalty_accrued"]):
                line_figures[line["id"]] = (dpd, penalty)
        dpd, overdue = contract_arrears(instalments, close_date)
        # A lease never closed before was current on its start date: its first close finds the
        # changes of bucket since then, as the daily closes would have.
        before = contract["aging_bucket_id"] or bucket_of(0, buckets)
        since = contract["close_date"] or contract["start_date"]
        changes = aging_changes(instalments, buckets, before, since, close_date)
        return {
            "lines": line_figures,
            "days_past_due": dpd,
            "bucket": changes[-1].after if changes else before,
            "amount_overdue": round_exact(overdue, rounding),
            "overdue_lines": overdue_lines,
            "changes": [
                dict(change._asdict(), amount_overdue=round_exact(change.amount_overdue, rounding))
                for change in changes
            ],
        }

    def _collections_write_figures(self, run, figures):
        """Write the close's ``figures`` ({contract id: figures}) of these leases: the lines
        whose figures changed, then every lease of ``figures`` (its figures, its penalty totals
        from its lines, and the mark of ``run``), one statement each; then the history rows of
        the leases that changed bucket, in one create."""
        line_rows = [(line_id, *values) for row in figures.values() for line_id, values in row["lines"].items()]
        if line_rows:
            ids, dpds, penalties = zip(*line_rows)
            # The close's own figures, not an edit: the lines' write date is left alone.
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE leasing_schedule_line l
                       SET days_past_due = u.dpd,
                           penalty_accrued = u.penalty,
                           penalty_due = u.penalty - COALESCE(l.penalty_invoiced, 0) - COALESCE(l.penalty_waived, 0)
                      FROM unnest(%s::int[], %s::int[], %s::numeric[]) AS u(id, dpd, penalty)
                     WHERE l.id = u.id
                    """,
                    list(ids),
                    list(dpds),
                    list(penalties),
                )
            )
            self.env["leasing.schedule.line"].browse(ids).invalidate_recordset(CLOSE_LINE_FIELDS)
        if not figures:
            return
        contract_ids = list(figures)
        self.env.cr.execute(
            SQL(
                """
                UPDATE leasing_contract c
                   SET days_past_due = u.dpd,
                       aging_bucket_id = u.bucket,
                       amount_in_arrears = u.overdue,
                       close_date = %(date)s,
                       close_run_id = %(run)s,
                       penalty_accrued = COALESCE(s.accrued, 0),
                       penalty_due = COALESCE(s.due, 0)
                  FROM unnest(%(ids)s::int[], %(dpds)s::int[], %(buckets)s::int[], %(overdue)s::numeric[])
                       AS u(id, dpd, bucket, overdue)
             LEFT JOIN (SELECT contract_id, SUM(penalty_accrued) AS accrued, SUM(penalty_due) AS due
                          FROM leasing_schedule_line
                         WHERE contract_id = ANY(%(ids)s::int[])
                         GROUP BY contract_id) s ON s.contract_id = u.id
                 WHERE c.id = u.id
                """,
                date=run.date,
                run=run.id,
                ids=contract_ids,
                dpds=[figures[cid]["days_past_due"] for cid in contract_ids],
                buckets=[figures[cid]["bucket"] for cid in contract_ids],
                overdue=[figures[cid]["amount_overdue"] for cid in contract_ids],
            )
        )
        self.browse(contract_ids).invalidate_recordset(CLOSE_CONTRACT_FIELDS)
        history = [
            {
                "contract_id": cid,
                "run_id": run.id,
                "date": change["day"],
                "bucket_before_id": change["before"] or False,
                "bucket_after_id": change["after"] or False,
                "days_past_due": change["days_past_due"],
                "amount_overdue": change["amount_overdue"],
            }
            for cid in contract_ids
            for change in figures[cid]["changes"]
        ]
        if history:
            # The close's own record: nobody else writes the history.
            self.env["leasing.aging.history"].sudo().with_context(tracking_disable=True).create(history)

    def _collections_stats(self, run, figures, contracts):
        """The figures of a chunk for its run's log, amounts in the run's company currency at the
        close date: leases and instalments overdue, bucket changes, amount overdue and penalty."""
        company = run.company_id
        self.env.cr.execute(
            SQL(
                "SELECT id, penalty_accrued, penalty_due FROM leasing_contract WHERE id IN %s",
                tuple(figures) or (0,),
            )
        )
        penalties = {cid: (accrued or 0.0, due or 0.0) for cid, accrued, due in self.env.cr.fetchall()}
        by_currency = defaultdict(lambda: [0.0, 0.0, 0.0])
        for cid, row in figures.items():
            totals = by_currency[contracts[cid]["currency_id"]]
            totals[0] += row["amount_overdue"]
            totals[1] += penalties[cid][0]
            totals[2] += penalties[cid][1]
        amounts = [0.0, 0.0, 0.0]
        for currency_id, totals in by_currency.items():
            currency = self.env["res.currency"].browse(currency_id)
            for index, total in enumerate(totals):
                amounts[index] += currency._convert(total, company.currency_id, company, run.date)
        return {
            "overdue_contract_count": sum(1 for row in figures.values() if row["days_past_due"]),
            "overdue_line_count": sum(row["overdue_lines"] for row in figures.values()),
            "bucket_change_count": sum(len(row["changes"]) for row in figures.values()),
            "amount_overdue": amounts[0],
            "penalty_accrued": amounts[1],
            "penalty_due": amounts[2],
        }

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    reminder_count = fields.Integer(compute="_compute_reminder_count", string="Reminders")

    def _compute_reminder_count(self):
        # The reminders of a lease the user reads, counted whatever their rights on the reminders
        # themselves (the collectors').
        reminders_sudo = self.env["leasing.reminder"].sudo()
        counts = dict(reminders_sudo._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"]))
        for contract in self:
            contract.reminder_count = counts.get(contract, 0)

    def action_view_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_reminder")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _collections_send_reminders(self, run):
        """The close's step: the reminders due on the run's date for these leases, each level sent
        once per instalment and recipient (``leasing.reminder._send_due``)."""
        return self.env["leasing.reminder"]._send_due(self, run.date, run)
