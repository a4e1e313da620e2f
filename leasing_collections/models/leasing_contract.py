import logging
from collections import defaultdict
from datetime import timedelta
from operator import itemgetter

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.leasing_management.models.leasing_contract import LEDGER_FIGURES
from odoo.addons.leasing_management.tools.money import engine_digits, from_units, round_exact
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger
from odoo.tools.misc import format_date, formatLang

from ..tools import (
    Instalment,
    aging_changes,
    bucket_of,
    contract_arrears,
    days_past_due,
    exact,
    instalment_penalty,
    recovery_split,
)
from ..tools.billing import billing_day_between
from ..tools.close import UnitInstalment, lease_figures, penalty_terms, to_units
from ..tools.rating import rating_dropped, repayment_record, window_start
from .leasing_collection_request import UNIT_REQUEST_TYPES
from .leasing_schedule_line import CLOSE_LINES, PAYMENT_COLUMNS, payment_joins
from .mail_activity import RISK_REASONS
from .res_partner import PAYMENT_RATINGS

_logger = logging.getLogger(__name__)

# Contracts a cron call closes: a chunk is read, computed and written in one transaction.
CLOSE_CHUNK_SIZE = 500
COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"
# What the close writes on a contract, and on a schedule line (the ORM cache is told).
CLOSE_CONTRACT_FIELDS = [
    "days_past_due",
    "aging_bucket_id",
    "amount_in_arrears",
    "close_date",
    "close_run_id",
    "penalty_accrued",
    "penalty_due",
    "repayment_current_days",
    "repayment_worst_days",
    "repayment_late_count",
]
CLOSE_LINE_FIELDS = ["days_past_due", "penalty_accrued", "penalty_due"]
# Where the lease's unit stands, as its collection requests leave it.
REPOSSESSION_STATES = [("none", "None"), ("requested", "Requested"), ("approved", "Approved"), ("done", "Done")]
LOCK_STATES = [
    ("unlocked", "Unlocked"),
    ("lock_requested", "Lock Requested"),
    ("locked", "Locked"),
    ("unlock_requested", "Unlock Requested"),
]
# The state of the lease that its last repossession, lock or unlock request submitted gives.
REPOSSESSION_STATE_OF = {"submitted": "requested", "approved": "approved", "done": "done"}
LOCK_STATE_OF = {
    ("lock", "submitted"): "lock_requested",
    ("lock", "approved"): "lock_requested",
    ("lock", "done"): "locked",
    ("unlock", "submitted"): "unlock_requested",
    ("unlock", "approved"): "unlock_requested",
    ("unlock", "done"): "unlocked",
}
# What the close's last step writes on a contract: its lessee's rating and its risk warning.
RISK_FIELDS = ["lessee_payment_rating", "risk_warning", "risk_reason", "risk_warning_date"]


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
        string="Last Recomputed",
        readonly=True,
        copy=False,
        help="Date of the last close that computed these figures. A close leaves alone the leases with nothing new "
        "since the previous one: their figures hold as of the company's last close (Figures as of).",
    )
    figures_date = fields.Date(
        string="Figures as of",
        compute="_compute_figures_date",
        help="The figures hold as of this date: the later of the lease's last recomputation and the company's last "
        "close done.",
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

    def init(self):
        res = super().init()
        # The leases a close looks at (_collections_close_domain), by company and by the last run
        # that closed them: a run counts its scope and what it has not closed yet through it
        # (leasing.close.run._scope_count); its chunks take the work list in its own order.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS leasing_contract_close_scope_idx
                    ON leasing_contract (company_id, close_run_id NULLS FIRST, id)
                 WHERE state = 'active' OR days_past_due > 0
                """
            )
        )
        return res

    @api.depends("schedule_line_ids.penalty_accrued", "schedule_line_ids.penalty_due")
    def _compute_penalty(self):
        for contract in self:
            lines = contract.schedule_line_ids
            contract.penalty_accrued = contract.currency_id.round(sum(lines.mapped("penalty_accrued")))
            contract.penalty_due = contract.currency_id.round(sum(lines.mapped("penalty_due")))

    @api.depends("close_date", "company_id")
    def _compute_figures_date(self):
        Run = self.env["leasing.close.run"].sudo()  # the close's log, read for its dates only
        last = dict(
            Run._read_group(
                [("company_id", "in", self.company_id.ids), ("state", "=", "done")], ["company_id"], ["date:max"]
            )
        )
        for contract in self:
            dates = [day for day in (contract.close_date, last.get(contract.company_id)) if day]
            contract.figures_date = max(dates) if contract.close_date else False

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
        # The close is the system's (a cron, or a manager's wizard that checked the group): it reads every
        # company and writes the run log, which nobody edits.
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

    @api.model
    def _collections_close_candidates(self, company, date, since):
        """A query of the ids of ``company``'s leases the close of ``date`` has to recompute,
        when the company's previous close, on ``since``, left every lease of its scope with
        its figures as of that date (None: there is no such close; every lease is recomputed).

        A lease whose figures are all zero (current, nothing in arrears, no penalty owed, no risk
        warning) stays so until one of its instalments falls due and is not paid on time, an
        instalment is unpaid again (a payment undone), a reminder before a due date falls due, or
        a late instalment leaves its lessee's 12-month record (the payment rating): the query
        looks for those, through the schedule's indexes, from the lines' side. Modules adding
        steps to the close add their own reasons here."""
        if not since or since >= date:
            return SQL("SELECT id FROM leasing_contract WHERE %s", self._collections_close_domain(company))
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(-MIN(days), 0) FROM leasing_reminder_level
                 WHERE company_id = %s AND active AND days <= 0
                """,
                company.id,
            )
        )
        before_due_days = self.env.cr.fetchone()[0]
        Bucket = self.env["leasing.aging.bucket"]
        current = bucket_of(0, Bucket._engine_buckets(Bucket.search([("company_id", "=", company.id)])))
        return SQL(
            """
            SELECT c.id FROM leasing_contract c
             WHERE c.company_id = %(company)s
               AND (c.close_date IS NULL
                    OR COALESCE(c.days_past_due, 0) != 0
                    OR COALESCE(c.amount_in_arrears, 0) != 0
                    OR COALESCE(c.penalty_due, 0) != 0
                    OR COALESCE(c.risk_warning, FALSE)
                    OR c.aging_bucket_id IS DISTINCT FROM %(current)s)
            UNION
            -- Instalments invoiced and unpaid: past due (a payment undone since), or due soon with a
            -- reminder before their due date to send.
            SELECT l.contract_id FROM leasing_schedule_line l
             WHERE l.company_id = %(company)s
               AND l.state IN ('invoiced', 'partial', 'overdue')
               AND l.invoice_id IS NOT NULL AND NOT COALESCE(l.cancelled, FALSE)
               AND (l.due_date < %(date)s
                    OR (l.due_date <= %(reminded_until)s
                        AND EXISTS (SELECT FROM leasing_reminder_level v
                                     WHERE v.company_id = %(company)s AND v.active AND v.days <= 0
                                       AND l.due_date + v.days <= %(date)s
                                       AND NOT EXISTS (SELECT FROM leasing_reminder r
                                                        WHERE r.line_id = l.id AND r.level_id = v.id))))
            UNION
            -- Instalments fallen due since the previous close and not paid by their due date.
            SELECT l.contract_id FROM leasing_schedule_line l
             WHERE l.company_id = %(company)s
               AND l.due_date >= %(since)s AND l.due_date < %(date)s
               AND l.invoice_id IS NOT NULL AND NOT COALESCE(l.cancelled, FALSE)
               AND NOT (l.state = 'paid' AND COALESCE(l.last_payment_date <= l.due_date, FALSE))
            UNION
            -- Late instalments leaving the 12-month record of the payment rating (a margin of days
            -- for the ends of months).
            SELECT l.contract_id FROM leasing_schedule_line l
             WHERE l.company_id = %(company)s
               AND l.state = 'paid' AND l.last_payment_date > l.due_date
               AND l.last_payment_date >= %(since)s - INTERVAL '12 months' - INTERVAL '3 days'
               AND l.last_payment_date <= %(date)s - INTERVAL '12 months' + INTERVAL '3 days'
            """,
            company=company.id,
            current=current or None,
            since=since,
            date=date,
            reminded_until=date + timedelta(days=before_due_days),
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
        lines, payments = self._collections_read_lines(close_date)
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
        self._collections_rate_and_warn(run, contracts, figures)
        errors.update(self.browse(list(figures))._collections_bill_penalties(run, contracts))
        self.browse(list(figures))._collections_send_reminders(run)
        self.browse(list(figures))._collections_update_cases(run)
        self.browse(list(figures))._collections_check_promises(run)
        self.browse(list(figures))._collections_propose_unlocks(run)
        return self._collections_stats(run, figures, contracts), errors

    def _collections_refresh_overdue(self, close_date):
        """The instalments of these leases past due by ``close_date`` and still open become
        overdue: leasing_management's own status, recomputed on just these lines."""
        Line = self.env["leasing.schedule.line"]
        lines = Line.search(
            [
                ("contract_id", "in", self.ids),
                # Implied by the states (an invoiced line has its invoice); said, so that the
                # lines are found through the close's partial index.
                ("invoice_id", "!=", False),
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
        """The schedule lines of these leases the close looks at, and the ledger's payments of
        those in arrears, in one statement for the chunk: ``(lines, payments)``.

        ``lines``: the lines in arrears on ``close_date`` (invoiced, due before it and not paid on
        time: unpaid now, or paid after their due date), and those an earlier close left figures
        on, to bring them up to date; a line paid by its due date owes nothing, whatever the date:
        it is not read again. ``payments``: {line id: (amount, payments)} of the lines in arrears
        (``_collections_gather_payments``)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.contract_id, l.due_date, l.invoice_id, l.in_arrears, l.days_past_due,
                       l.penalty_accrued, %(payment_columns)s
                  FROM (
                        SELECT l.id, l.contract_id, l.due_date, l.invoice_id,
                               COALESCE(l.days_past_due, 0) AS days_past_due,
                               COALESCE(l.penalty_accrued, 0) AS penalty_accrued,
                               (l.invoice_id IS NOT NULL
                                AND NOT COALESCE(l.cancelled, FALSE)
                                AND l.due_date < %(date)s
                                AND NOT (l.state = 'paid'
                                         AND COALESCE(l.last_payment_date <= l.due_date, FALSE))) AS in_arrears
                          FROM leasing_schedule_line l
                         WHERE l.contract_id IN %(contracts)s AND %(close_lines)s
                       ) l
                       %(payment_joins)s
                 WHERE l.in_arrears OR l.days_past_due != 0 OR l.penalty_accrued != 0
                 ORDER BY l.contract_id, l.due_date, l.id
                """,
                date=close_date,
                contracts=tuple(self.ids),
                close_lines=CLOSE_LINES,
                payment_columns=PAYMENT_COLUMNS,
                payment_joins=payment_joins(SQL("l.in_arrears")),
            )
        )
        rows = self.env.cr.fetchall()
        lines, last = [], None
        for line_id, contract_id, due_date, invoice_id, in_arrears, dpd, penalty, *_payment in rows:
            if line_id != last:
                last = line_id
                lines.append(
                    {
                        "id": line_id,
                        "contract_id": contract_id,
                        "due_date": due_date,
                        "invoice_id": invoice_id,
                        "in_arrears": in_arrears,
                        "days_past_due": dpd,
                        "penalty_accrued": penalty,
                    }
                )
        return lines, self._collections_gather_payments((row[0], *row[7:]) for row in rows)

    @api.model
    def _collections_gather_payments(self, rows):
        """{line id: (amount, payments)} from ``rows`` of (line id, *``PAYMENT_COLUMNS``): the
        amount of each line's posted invoice (its receivable lines) and what paid it, as (date,
        amount) pairs: each reconciliation with a payment or a credit note, in the invoice's
        currency, dated by the payment's own date. A line without a posted invoice has none."""
        amounts, paid, seen = defaultdict(float), defaultdict(list), set()
        for line_id, receivable_id, amount, partial_id, paid_amount, paid_date in rows:
            if receivable_id is None:
                continue
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
        since the start of a lease never closed, as dicts).

        Money in whole units of a currency rounded by the engine (cents, as the ledger holds
        it) goes through the engine's integer path (``tools.close.lease_figures``); anything
        else through its exact functions, one instalment at a time. Both give the same figures."""
        digits = engine_digits(rounding)
        if digits is not None:
            figures = self._collections_unit_figures(contract, lines, payments, buckets, close_date, digits)
            if figures is not None:
                return figures
        instalments, line_figures, overdue_lines = [], {}, 0
        for line in lines:
            amount, paid = payments.get(line["id"], (0.0, ()))
            dpd, penalty = 0, 0.0
            if line["in_arrears"] and amount:
                # Exact once, here: the engine's rules then work on these numbers as they are.
                amount, paid = exact(amount), tuple((day, exact(value)) for day, value in paid)
                instalment = Instalment(line["id"], line["due_date"], amount, paid)
                instalments.append(instalment)
                dpd = days_past_due(instalment, close_date)
                penalty = self._collections_penalty(contract, line["due_date"], amount, paid, close_date, rounding)
            overdue_lines += bool(dpd)
            if (dpd, penalty) != (line["days_past_due"], line["penalty_accrued"]):
                line_figures[line["id"]] = (dpd, penalty)
        dpd, overdue = contract_arrears(instalments, close_date)
        repayment = repayment_record(instalments, close_date)
        # A lease never closed before was current on its start date: its first close finds the
        # changes of bucket since then, as the daily closes would have.
        current = bucket_of(0, buckets)
        before = contract["aging_bucket_id"] or current
        since = contract["close_date"] or contract["start_date"]
        if not instalments and before == current:
            # Nothing in arrears, and current already (most leases, every night): the engine would
            # find no change, day after day.
            changes = []
        else:
            changes = aging_changes(instalments, buckets, before, since, close_date)
        return {
            "lines": line_figures,
            "days_past_due": dpd,
            "bucket": changes[-1].after if changes else before,
            "amount_overdue": round_exact(overdue, rounding),
            "overdue_lines": overdue_lines,
            "repayment": repayment,
            "changes": [
                dict(change._asdict(), amount_overdue=round_exact(change.amount_overdue, rounding))
                for change in changes
            ],
        }

    @api.model
    def _collections_unit_figures(self, contract, lines, payments, buckets, close_date, digits):
        """``_collections_contract_figures`` in whole units of 10**-``digits`` (the engine's
        ``lease_figures``), or None when an amount of the lease is not a whole number of units
        (the caller then works exactly)."""
        instalments = []
        for line in lines:
            if not line["in_arrears"]:
                continue
            amount, paid = payments.get(line["id"], (0.0, ()))
            if not amount:
                continue
            amount = to_units(amount, digits)
            if amount is None or amount < 0:
                return None
            paid_units = []
            for day, value in paid:
                value = to_units(value, digits)
                if value is None:
                    return None
                paid_units.append((day, value))
            paid_units.sort(key=itemgetter(0))
            instalments.append(UnitInstalment(line["id"], line["due_date"], amount, tuple(paid_units)))
        current = bucket_of(0, buckets)
        before = contract["aging_bucket_id"] or current
        if not instalments and before == current:
            # Nothing in arrears, and current already: no figure but zeros, no change of bucket.
            computed, dpd, overdue, changes = {}, 0, 0, []
        else:
            # The plan's terms are checked when an instalment is to bear them, as the exact path does.
            terms = instalments and penalty_terms(
                contract["penalty_rate_daily"] or 0.0,
                contract["penalty_grace_days"] or 0,
                contract["penalty_cap_pct"] or 0.0,
            )
            result = lease_figures(
                instalments, close_date, terms, buckets, before, contract["close_date"] or contract["start_date"]
            )
            computed = {key: (line_dpd, penalty) for key, line_dpd, penalty in result.lines}
            dpd, overdue, changes = result.days_past_due, result.amount_overdue, result.changes
        line_figures, overdue_lines = {}, 0
        for line in lines:
            line_dpd, penalty = computed.get(line["id"], (0, 0))
            penalty = from_units(penalty, digits)
            overdue_lines += bool(line_dpd)
            if (line_dpd, penalty) != (line["days_past_due"], line["penalty_accrued"]):
                line_figures[line["id"]] = (line_dpd, penalty)
        return {
            "lines": line_figures,
            "days_past_due": dpd,
            "bucket": changes[-1].after if changes else before,
            "amount_overdue": from_units(overdue, digits),
            "overdue_lines": overdue_lines,
            # The same rules as the lessee's record reads them (res.partner._leasing_repayment_records).
            "repayment": repayment_record(instalments, close_date),
            "changes": [
                dict(change._asdict(), amount_overdue=from_units(change.amount_overdue, digits)) for change in changes
            ],
        }

    @api.model
    def _collections_penalty(self, contract, due_date, amount, paid, as_of, rounding):
        """The penalty accrued to ``as_of`` by an instalment of ``amount`` due on ``due_date``,
        paid by ``paid`` ((date, amount) pairs), on the penalty terms of ``contract`` (its row of
        ``_collections_read_contracts``), rounded once to ``rounding``."""
        return round_exact(
            instalment_penalty(
                amount,
                due_date,
                paid,
                as_of,
                rate=contract["penalty_rate_daily"] or 0.0,
                grace_days=contract["penalty_grace_days"] or 0,
                cap_pct=contract["penalty_cap_pct"] or 0.0,
            ),
            rounding,
        )

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
                       penalty_due = COALESCE(s.due, 0),
                       repayment_current_days = u.current,
                       repayment_worst_days = u.worst,
                       repayment_late_count = u.late
                  FROM unnest(%(ids)s::int[], %(dpds)s::int[], %(buckets)s::int[], %(overdue)s::numeric[],
                              %(current)s::int[], %(worst)s::int[], %(late)s::int[])
                       AS u(id, dpd, bucket, overdue, current, worst, late)
             LEFT JOIN (SELECT contract_id, SUM(penalty_accrued) AS accrued, SUM(penalty_due) AS due
                          FROM leasing_schedule_line
                         WHERE contract_id = ANY(%(ids)s::int[]) AND %(close_lines)s
                         GROUP BY contract_id) s ON s.contract_id = u.id
                 WHERE c.id = u.id
                """,
                date=run.date,
                run=run.id,
                close_lines=CLOSE_LINES,
                ids=contract_ids,
                dpds=[figures[cid]["days_past_due"] for cid in contract_ids],
                buckets=[figures[cid]["bucket"] for cid in contract_ids],
                overdue=[figures[cid]["amount_overdue"] for cid in contract_ids],
                current=[figures[cid]["repayment"].current_days_past_due for cid in contract_ids],
                worst=[figures[cid]["repayment"].worst_days_past_due for cid in contract_ids],
                late=[figures[cid]["repayment"].late_instalments for cid in contract_ids],
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
            # The close's own record, nobody else writes the history: one statement for the
            # chunk, in the order of the changes (their ids too), the company from the lease, ``worsened``
            # from the buckets' days (its compute).
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO leasing_aging_history
                           (contract_id, company_id, run_id, date, bucket_before_id, bucket_after_id, worsened,
                            days_past_due, amount_overdue, create_uid, create_date, write_uid, write_date)
                    SELECT u.contract_id, c.company_id, %(run)s, u.day, u.before, u.after,
                           COALESCE(a.min_days, 0) > COALESCE(b.min_days, 0),
                           u.dpd, u.overdue, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM unnest(%(contracts)s::int[], %(days)s::date[], %(befores)s::int[], %(afters)s::int[],
                                  %(dpds)s::int[], %(overdues)s::numeric[])
                           WITH ORDINALITY AS u(contract_id, day, before, after, dpd, overdue, position)
                      JOIN leasing_contract c ON c.id = u.contract_id
                 LEFT JOIN leasing_aging_bucket b ON b.id = u.before
                 LEFT JOIN leasing_aging_bucket a ON a.id = u.after
                     ORDER BY u.position
                    """,
                    run=run.id,
                    uid=self.env.uid,
                    contracts=[row["contract_id"] for row in history],
                    days=[row["date"] for row in history],
                    befores=[row["bucket_before_id"] or None for row in history],
                    afters=[row["bucket_after_id"] or None for row in history],
                    dpds=[row["days_past_due"] for row in history],
                    overdues=[row["amount_overdue"] for row in history],
                )
            )

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
    # Penalty billing
    # ------------------------------------------------------------------
    def action_invoice_penalty(self):
        """Invoice now the penalty interest these leases accrued to their last close and that is
        neither invoiced nor waived: one posted penalty invoice per lease."""
        user = self.env.user
        if not (user.has_group("leasing_management.group_leasing_user") or user.has_group(COLLECTION_MANAGER)):
            raise AccessError(self.env._("Invoicing penalty interest takes a Leasing User or a Collection Manager."))
        for contract in self:
            if contract.state not in ("active", "closed"):
                raise UserError(
                    self.env._(
                        "%(contract)s is not in force: it has no penalty interest to invoice.", contract=contract.name
                    )
                )
        # The close and the other billings of these leases wait; the ledger is read once this holds.
        self._leasing_lock_for_penalty()
        self.invalidate_recordset(["close_date"])
        moves = self.env["account.move"]
        for contract in self:
            rows = contract._leasing_penalty_rows(contract._leasing_penalty_accrued_at_close(), contract.close_date)
            if not rows:
                raise UserError(
                    self.env._(
                        "Nothing to invoice: %(contract)s owes no penalty interest that is neither invoiced nor waived "
                        "as of its last close (%(date)s).",
                        contract=contract.name,
                        date=format_date(self.env, contract.close_date) if contract.close_date else self.env._("none"),
                    )
                )
            contract._check_accounting_setup("penalty")
            moves |= contract._leasing_invoice_penalties({contract: rows}, contract.close_date)
        self.invalidate_recordset(["penalty_due"])
        return self._action_view_moves(moves)

    def _leasing_waive_penalty(self, amount, reason, date=None):
        """Waive ``amount`` of this lease's penalty interest for ``reason``, instalment by
        instalment, the oldest first (see ``leasing.schedule.line._leasing_waive_penalty``):
        never more than its penalty accrued and not yet waived. Return the waivers created."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The penalty interest to waive must be more than zero."))
        self._leasing_lock_for_penalty()
        waivable = self._leasing_penalty_waivable()
        lines = self.env["leasing.schedule.line"].union(*waivable)
        total = currency.round(sum(waivable.values()))
        if currency.compare_amounts(amount, total) > 0:
            raise UserError(
                self.env._(
                    "%(contract)s owes %(waivable)s of penalty interest that can be waived: %(amount)s cannot be "
                    "waived.",
                    contract=self.name,
                    waivable=formatLang(self.env, total, currency_obj=currency),
                    amount=formatLang(self.env, amount, currency_obj=currency),
                )
            )
        waivers = self.env["leasing.penalty.waiver"]
        left = currency.round(amount)
        for line in lines.sorted(lambda line: (line.due_date, line.sequence)):
            part = min(left, waivable[line])
            if currency.compare_amounts(part, 0.0) <= 0:
                continue
            waivers |= line._leasing_waive_penalty(part, reason, date=date)
            left = currency.round(left - part)
            if currency.is_zero(left):
                break
        return waivers

    def _leasing_penalty_waivable(self):
        """{instalment: penalty interest that can be waived} of this lease: what its lines
        accrued to the last close and is not waived yet, invoiced (then credited back) or not.
        Read from the ledger whoever asks (a collector submitting a waiver reads no invoice)."""
        self.ensure_one()
        currency = self.currency_id
        lines = self.schedule_line_ids.filtered(lambda line: not currency.is_zero(line.penalty_accrued))
        ledger = self.env["account.move"]._leasing_penalty_ledger(lines.ids)
        return {
            line: currency.round(
                max(line.penalty_accrued - ledger.get(line.id, (0.0,))[0] - line.penalty_waived, 0.0)
                + max(ledger.get(line.id, (0.0,))[0], 0.0)
            )
            for line in lines
        }

    # ------------------------------------------------------------------
    # Collection requests: the units' repossession and lock, the unlock proposed by the close
    # ------------------------------------------------------------------
    collection_request_ids = fields.One2many(
        "leasing.collection.request", "contract_id", string="Collection Requests", readonly=True
    )
    repossession_state = fields.Selection(
        REPOSSESSION_STATES,
        string="Repossession",
        compute="_compute_unit_request_states",
        store=True,
        index=True,
        help="Where the lease's last repossession request stands: requested (submitted), approved, done.",
    )
    lock_state = fields.Selection(
        LOCK_STATES,
        string="Lock",
        compute="_compute_unit_request_states",
        store=True,
        index=True,
        help="The unit's lock as the lock and unlock requests leave it: a request submitted or approved is "
        "requested, a request done is in force.",
    )

    @api.depends("collection_request_ids.state", "collection_request_ids.request_type")
    def _compute_unit_request_states(self):
        """From the lease's last repossession, lock or unlock request submitted (and not refused
        or cancelled since), in the order they were submitted: one search for all the leases."""
        real_ids = [contract_id for contract_id in self._ids if isinstance(contract_id, int)]
        # Every request of the leases, whoever reads them (a collector sees only some).
        requests = (
            self.env["leasing.collection.request"]
            .sudo()
            .search(
                [
                    ("contract_id", "in", real_ids),
                    ("request_type", "in", UNIT_REQUEST_TYPES),
                    ("state", "in", ("submitted", "approved", "done")),
                ],
                order="submitted_date, id",
            )
            if real_ids
            else self.env["leasing.collection.request"]
        )
        last_repossession, last_lock = {}, {}
        for request in requests:
            key = request.contract_id.id
            if request.request_type == "repossession":
                last_repossession[key] = request
            else:
                last_lock[key] = request
        for contract in self:
            repossession = last_repossession.get(contract.id)
            contract.repossession_state = REPOSSESSION_STATE_OF[repossession.state] if repossession else "none"
            lock = last_lock.get(contract.id)
            contract.lock_state = LOCK_STATE_OF[lock.request_type, lock.state] if lock else "unlocked"

    def _leasing_lock_for_requests(self):
        """Lock these leases' rows until the end of the transaction: their requests are submitted
        and approved one transaction at a time, each seeing the others'."""
        if self:
            self.env.flush_all()
            self.env.cr.execute(
                SQL("SELECT id FROM leasing_contract WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(self.ids))
            )

    def _leasing_pending_requests(self, request_type):
        """This lease's requests of ``request_type`` submitted or approved, not carried out yet,
        whoever asks (the checks of a request look at all of them)."""
        self.ensure_one()
        return (
            self.env["leasing.collection.request"]
            .sudo()
            .search(
                [
                    ("contract_id", "=", self.id),
                    ("request_type", "=", request_type),
                    ("state", "in", ("submitted", "approved")),
                ]
            )
            .sudo(False)
        )

    def _leasing_current_lock_request(self):
        """The lock request done that put this lease's unit under its current lock."""
        self.ensure_one()
        # The lock in force, whoever asks: an unlock request lifts it.
        return (
            self.env["leasing.collection.request"]
            .sudo()
            .search(
                [("contract_id", "=", self.id), ("request_type", "=", "lock"), ("state", "=", "done")],
                order="done_date desc, id desc",
                limit=1,
            )
            .sudo(False)
        )

    def _collections_propose_unlocks(self, run):
        """The last step of the close: each of these leases that is locked and current again
        (no days past due at this close) gets a draft unlock request, proposed once per lock
        episode (the lock request done that locked it), with a to-do for its account manager,
        who submits it. A lease with an unlock request already open gets none. A few statements
        for the whole chunk; the chunk's leases are locked by the close, and a unique index on the
        proposals' lock request keeps a proposal from being made twice all the same."""
        locked = self.search([("id", "in", self.ids), ("lock_state", "=", "locked"), ("days_past_due", "=", 0)])
        if not locked:
            return self.env["leasing.collection.request"]
        # The close runs as the system and reads every request of its leases.
        Request = self.env["leasing.collection.request"].sudo()
        locks = Request.search(
            [("contract_id", "in", locked.ids), ("request_type", "=", "lock"), ("state", "=", "done")],
            order="done_date desc, id desc",
        )
        episode = {}
        for lock in locks:
            episode.setdefault(lock.contract_id, lock)
        unlocks = Request.search(
            [
                ("contract_id", "in", locked.ids),
                ("request_type", "=", "unlock"),
                "|",
                ("state", "in", ("draft", "submitted", "approved")),
                ("lock_request_id", "in", locks.ids),
            ]
        )
        covered = {unlock.contract_id for unlock in unlocks if unlock.state in ("draft", "submitted", "approved")}
        covered.update(
            unlock.contract_id
            for unlock in unlocks
            if unlock.proposed and unlock.lock_request_id == episode.get(unlock.contract_id)
        )
        to_propose = [lock for contract, lock in episode.items() if contract not in covered]
        if not to_propose:
            return Request.browse()
        proposals = Request.create([Request._leasing_propose_unlock_vals(lock, run.date) for lock in to_propose])
        proposals._leasing_notify_proposals()
        return proposals

    def _accounting_settings(self, document, figures=None):
        """The penalty invoice posts to the plan's invoices journal and penalty income account;
        a payoff that bills penalty interest, to that account too."""
        if document == "penalty":
            self.ensure_one()
            return ["journal_id", "penalty_account_id"]
        names = super()._accounting_settings(document, figures)
        if document == "payoff" and not self.currency_id.is_zero((figures or {}).get("penalty", 0.0)):
            names.append("penalty_account_id")
        return names

    def _allocation_order(self, debits):
        """Penalties before rents (the company's default): the lines of the penalty invoices
        first, oldest due first, then the others oldest due first."""
        debits = super()._allocation_order(debits)
        if self.company_id[:1].leasing_payment_order == "oldest_first":
            return debits
        return debits.sorted(lambda line: line.move_id.leasing_move_kind != "penalty")

    def _leasing_lock_for_penalty(self):
        """Lock these leases' rows until the end of the transaction: their penalty is billed or
        waived by one transaction at a time, which reads the ledger once the lock is held.

        The rows are locked by writing them (their own value, no key): another transaction that
        bills or waives waits for this one, and one that began before this one committed then
        fails (a serialization failure, retried by Odoo in a new transaction) instead of
        reading a ledger that is out of date. The close's chunks hold the same rows."""
        if self:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE leasing_contract SET penalty_due = penalty_due
                     WHERE id IN (SELECT id FROM leasing_contract WHERE id IN %s ORDER BY id FOR NO KEY UPDATE)
                    """,
                    tuple(self.ids),
                )
            )

    def _leasing_penalty_accrued_at_close(self):
        """{schedule line id: penalty accrued} of these leases' lines, as their last close found
        it."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id, penalty_accrued FROM leasing_schedule_line
                 WHERE contract_id IN %s AND COALESCE(penalty_accrued, 0) != 0
                """,
                tuple(self.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _leasing_penalty_accrued_to(self, as_of):
        """{schedule line id: penalty accrued to ``as_of``} of this lease's instalments in
        arrears, by the penalty engine from the ledger (what paid each instalment and when), as
        the close works it out."""
        self.ensure_one()
        self.env.flush_all()
        row = self._collections_read_contracts()[self.id]
        lines, payments = self._collections_read_lines(as_of)
        lines = [line for line in lines if line["in_arrears"]]
        rounding = self.currency_id._leasing_rounding()
        accrued = {}
        for line in lines:
            amount, paid = payments.get(line["id"], (0.0, ()))
            if amount:
                accrued[line["id"]] = self._collections_penalty(row, line["due_date"], amount, paid, as_of, rounding)
        return accrued

    def _leasing_penalty_rows(self, accrued, as_of, ledger=None, waived=None):
        """What to bill of this lease's penalty interest: [(schedule line, amount, first day,
        last day)] for each of its instalments whose penalty ``accrued`` ({line id: amount},
        to ``as_of``) exceeds what the ledger shows invoiced and the waivers, in the order of
        the schedule. The days run from the day after the last day billed (or the due date) to
        ``as_of``. ``ledger`` and ``waived`` (of ``_leasing_penalty_ledger`` and
        ``_leasing_penalty_waived``) may be read by the caller for a whole batch of leases."""
        self.ensure_one()
        lines = self.schedule_line_ids.filtered(lambda line: line.id in accrued)
        if not lines or not as_of:
            return []
        if ledger is None:
            ledger = self.env["account.move"]._leasing_penalty_ledger(lines.ids)
        if waived is None:
            waived = self._leasing_penalty_waived(lines.ids)
        currency = self.currency_id
        rows = []
        for line in lines.sorted(lambda line: (line.due_date, line.sequence)):
            invoiced, last_day = ledger.get(line.id, (0.0, None))
            amount = currency.round(accrued[line.id] - invoiced - waived.get(line.id, 0.0))
            if currency.compare_amounts(amount, 0.0) > 0:
                start = max(last_day or line.due_date, line.due_date) + timedelta(days=1)
                rows.append((line, amount, min(start, as_of), as_of))
        return rows

    @api.model
    def _leasing_penalty_waived(self, schedule_line_ids):
        """{schedule line id: penalty waived} from the waivers, in one statement (a credited part
        counts while its credit note is posted)."""
        if not schedule_line_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT w.schedule_line_id,
                       SUM(w.amount - w.amount_credited
                           + CASE WHEN m.state = 'posted' THEN w.amount_credited ELSE 0 END)
                  FROM leasing_penalty_waiver w
             LEFT JOIN account_move m ON m.id = w.credit_note_id
                 WHERE w.schedule_line_id IN %s
                 GROUP BY w.schedule_line_id
                """,
                tuple(schedule_line_ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _leasing_penalty_line_vals(self, rows):
        """Invoice lines (commands) of the penalty ``rows`` of this lease: one per instalment,
        on the plan's penalty income account and taxes, linked to the instalment."""
        self.ensure_one()
        plan = self.plan_id
        return [
            fields.Command.create(
                {
                    "name": line._leasing_penalty_label(start, end),
                    "account_id": plan.penalty_account_id.id,
                    "quantity": 1.0,
                    "price_unit": amount,
                    "tax_ids": [fields.Command.set(plan.penalty_tax_ids.ids)],
                    "leasing_penalty_line_id": line.id,
                }
            )
            for line, amount, start, end in rows
        ]

    def _leasing_invoice_penalties(self, rows_by_contract, as_of, invoice_date=None):
        """Create and post one penalty invoice per lease of ``rows_by_contract`` ({contract:
        rows of ``_leasing_penalty_rows``}), billing the penalty to ``as_of``, dated
        ``invoice_date`` (today by default), in the lease's currency and on its plan's invoices
        journal: one create and one post for the batch. The callers lock the leases first."""
        invoice_date = invoice_date or fields.Date.context_today(self)
        vals_list = [
            {
                "move_type": "out_invoice",
                "partner_id": contract.partner_id.id,
                "company_id": contract.company_id.id,
                "journal_id": contract.plan_id.journal_id.id,
                "currency_id": contract.currency_id.id,
                "invoice_date": invoice_date,
                "invoice_date_due": invoice_date,
                "invoice_payment_term_id": False,
                "invoice_origin": contract.name,
                "ref": self.env._("%(contract)s - penalty interest", contract=contract.name),
                "leasing_contract_id": contract.id,
                "leasing_move_kind": "penalty",
                "leasing_penalty_date": as_of,
                "invoice_line_ids": contract._leasing_penalty_line_vals(rows),
            }
            for contract, rows in rows_by_contract.items()
            if rows
        ]
        if not vals_list:
            return self.env["account.move"]
        # The lease documents are the system's: issued as superuser once the caller checked the
        # rights (the button) or runs the close.
        moves_sudo = self.env["account.move"].sudo().with_context(mail_create_nolog=True).create(vals_list)
        moves_sudo.action_post()
        return moves_sudo.sudo(False)

    def _collections_bill_penalties(self, run, contracts):
        """The close's penalty billing for these leases (locked by the close, their figures just
        written as of the run's date), in one batch: a penalty invoice for each lease with
        penalty due whose plan's billing day came since it was last billed (or, never billed,
        since its oldest instalment with penalty due fell due), or that has an instalment paid
        up with penalty due. Read from the ledger, so a billing missed (a server down that day)
        is made by the next close, once.

        Return {contract: message} of the leases whose plan cannot post a penalty invoice
        (logged in the run; their figures stand). When another transaction holds the invoices
        journal's numbering (another worker posting in it), the chunk's billing is left to the
        next close: the close itself goes on."""
        if not self:
            return {}
        close_date = run.date
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, p.penalty_billing_day,
                       EXISTS (SELECT 1 FROM leasing_schedule_line l
                                WHERE l.contract_id = c.id AND l.state = 'paid' AND l.penalty_due > 0) AS paid_up,
                       (SELECT MAX(m.leasing_penalty_date) FROM account_move m
                         WHERE m.leasing_contract_id = c.id AND m.state = 'posted' AND m.move_type = 'out_invoice'
                           AND m.payment_state != 'reversed'
                           -- Said, so that the invoices billing penalty are read through their index.
                           AND m.leasing_penalty_date IS NOT NULL) AS last_billed,
                       (SELECT MIN(l.due_date) FROM leasing_schedule_line l
                         WHERE l.contract_id = c.id AND l.penalty_due > 0) AS first_due
                  FROM leasing_contract c
                  JOIN leasing_plan p ON p.id = c.plan_id
                 WHERE c.id IN %s AND c.penalty_due > 0
                """,
                tuple(self.ids),
            )
        )
        due = [
            contract_id
            for contract_id, billing_day, paid_up, last_billed, first_due in self.env.cr.fetchall()
            if paid_up or billing_day_between(billing_day or 1, last_billed or first_due, close_date)
        ]
        if not due:
            return {}
        to_bill = self.browse(due)
        accrued = to_bill._leasing_penalty_accrued_at_close()
        # The ledger and the waivers of the whole batch, read once.
        ledger = self.env["account.move"]._leasing_penalty_ledger(list(accrued))
        waived = self._leasing_penalty_waived(list(accrued))
        rows_by_contract, errors = {}, {}
        for contract in to_bill:
            rows = contract._leasing_penalty_rows(accrued, close_date, ledger=ledger, waived=waived)
            if not rows:
                continue
            error = contract._accounting_setup_error(["penalty"])
            if error:
                errors[contract] = error
                continue
            rows_by_contract[contract] = rows
        if not rows_by_contract:
            return errors
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self._leasing_invoice_penalties(rows_by_contract, close_date, invoice_date=close_date)
                # The run's log reads the leases' penalty due once billed.
                self.env.flush_all()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info(
                "The penalty of %s leases is left to the next close: another transaction is posting in their journal",
                len(rows_by_contract),
            )
            self.env.invalidate_all()
        return errors

    # Payment rating and risk warnings
    # ------------------------------------------------------------------
    # Set by the close (_collections_rate_and_warn) as of its date; nobody else sets them.
    lessee_payment_rating = fields.Selection(
        PAYMENT_RATINGS,
        string="Lessee's Payment Rating",
        readonly=True,
        copy=False,
        help="The lessee's payment rating at the lease's last close, from the repayment record of all their leases.",
    )
    risk_warning = fields.Boolean(
        string="At Risk",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The close warned the account manager about this lease: it fell to a worse aging bucket, went past "
        "its plan's repossession threshold, or its lessee's payment rating dropped. Cleared by the first close "
        "that finds the lease current again.",
    )
    risk_reason = fields.Selection(
        RISK_REASONS, readonly=True, copy=False, help="The most serious reason the lease was found at risk for."
    )
    risk_warning_date = fields.Date(
        string="Last Risk Warning", readonly=True, copy=False, help="Close date of the last risk warning."
    )
    # The lease's own part of its lessee's repayment record (tools/rating.py), as of its last
    # recomputation (close_date): the close rates a lessee from these on the leases it leaves
    # alone, whose part holds until one of them is on a work list again.
    repayment_current_days = fields.Integer(
        string="Days Past Due (Rating)",
        readonly=True,
        copy=False,
        help="Days past due of the lease's oldest instalment unpaid at its last recomputation, as the payment "
        "rating counts them.",
    )
    repayment_worst_days = fields.Integer(
        string="Worst Days Past Due, 12 Months",
        readonly=True,
        copy=False,
        help="The most days past due an instalment of the lease reached over the 12 months to its last "
        "recomputation: part of its lessee's payment rating.",
    )
    repayment_late_count = fields.Integer(
        string="Late Instalments, 12 Months",
        readonly=True,
        copy=False,
        help="Instalments of the lease more than 5 days past due over the 12 months to its last recomputation: "
        "part of its lessee's payment rating.",
    )

    def _collections_rate_and_warn(self, run, contracts, figures):
        """The close's last step for these leases (locked), once their figures of ``run`` are
        written: rate their lessees, then raise and clear their risk warnings.

        ``contracts`` holds each lease's row as the close read it before the chunk
        (``_collections_read_contracts``: its days past due and bucket at the previous close),
        ``figures`` its new figures, its part of its lessee's repayment record among them (not
        read twice). Each lessee is rated from all their leases, whichever chunk or company they
        belong to (``res.partner._leasing_rate_lessees``). A lease past due gets
        a warning, an activity of type *Risk Warning* for its account manager, on each of these
        that happened since its previous close:

        * ``bucket``: it is in a worse aging bucket than then;
        * ``repossession``: its days past due went past its plan's repossession threshold;
        * ``rating``: its lessee's payment rating dropped;

        unless a warning for the same reason is still open on it. A lease current at the close
        (0 days past due) is not at risk: its flag is cleared and its open warnings are marked
        done. Every decision compares the previous close with this one, so a close run twice
        raises nothing twice."""
        if not figures:
            return
        ids = list(figures)
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.user_id, c.lessee_payment_rating, COALESCE(c.risk_warning, FALSE) AS risk_warning,
                       c.risk_reason, c.risk_warning_date, p.commercial_partner_id AS lessee_id,
                       pl.repossession_threshold_days AS threshold
                  FROM leasing_contract c
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN leasing_plan pl ON pl.id = c.plan_id
                 WHERE c.id IN %s
                """,
                tuple(ids),
            )
        )
        rows = {row["id"]: row for row in self.env.cr.dictfetchall()}
        lessee_ids = sorted({row["lessee_id"] for row in rows.values()})
        # Every lessee of the chunk, rated again when an earlier chunk of the run rated them
        # already: their leases that chunk closed keep their part, so it costs no more reading.
        known = {cid: figures[cid]["repayment"] for cid in ids}
        ratings = self.env["res.partner"]._leasing_rate_lessees(lessee_ids, run.date, known, run)
        self._collections_spread_ratings(run, ratings)
        bucket_ids = {contracts[cid]["aging_bucket_id"] for cid in ids} | {figures[cid]["bucket"] for cid in ids}
        self.env.cr.execute(
            SQL(
                "SELECT id, min_days FROM leasing_aging_bucket WHERE id IN %s",
                tuple(bucket_id for bucket_id in bucket_ids if bucket_id) or (0,),
            )
        )
        min_days = dict(self.env.cr.fetchall())
        severity = [reason for reason, _label in RISK_REASONS]

        warnings, cleared, updates = [], [], []
        for cid in ids:
            row, before, after = rows[cid], contracts[cid], figures[cid]
            rating, record = ratings[row["lessee_id"]]
            reasons = []
            if after["days_past_due"]:
                before_bucket = min_days.get(before["aging_bucket_id"], 0)
                if min_days.get(after["bucket"], 0) > before_bucket:
                    reasons.append("bucket")
                if rating_dropped(row["lessee_payment_rating"], rating):
                    reasons.append("rating")
                if (before["days_past_due"] or 0) <= row["threshold"] < after["days_past_due"]:
                    reasons.append("repossession")
            elif row["risk_warning"]:
                cleared.append(cid)
            # At risk from a warning until the lease is current again.
            at_risk = bool(reasons) or bool(row["risk_warning"] and after["days_past_due"])
            candidates = reasons + ([row["risk_reason"]] if at_risk and row["risk_reason"] else [])
            reason = max(candidates, key=severity.index) if candidates else None
            warned = run.date if reasons else (row["risk_warning_date"] if at_risk else None)
            values = (rating, at_risk, reason, warned)
            if values != tuple(row[name] for name in RISK_FIELDS):
                updates.append((cid, *values))
            warnings += [
                {
                    "contract_id": cid,
                    "reason": key,
                    "row": row,
                    "before": before,
                    "after": after,
                    "rating": rating,
                    "record": record,
                }
                for key in reasons
            ]
        if updates:
            ids_, ratings_, flags, reasons_, dates = zip(*updates)
            # The close's own figures, not an edit: the leases' write date is left alone.
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE leasing_contract c
                       SET lessee_payment_rating = u.rating,
                           risk_warning = u.at_risk,
                           risk_reason = u.reason,
                           risk_warning_date = u.warned
                      FROM unnest(%s::int[], %s::varchar[], %s::bool[], %s::varchar[], %s::date[])
                           AS u(id, rating, at_risk, reason, warned)
                     WHERE c.id = u.id
                    """,
                    list(ids_),
                    list(ratings_),
                    list(flags),
                    list(reasons_),
                    list(dates),
                )
            )
            self.browse(ids_).invalidate_recordset(RISK_FIELDS)
        self._collections_raise_warnings(warnings)
        self.browse(cleared)._collections_clear_warnings()

    def _collections_rating_instalments(self, as_of):
        """{lease id: [Instalment]} of these leases' instalments that may count in their lessee's
        repayment record as of ``as_of`` (tools/rating.py), from the ledger, in one statement:
        invoiced and posted, due before ``as_of``, not paid by their due date, nor paid in full
        before the 12 months; with the payments and credit notes reconciled with them."""
        if not self:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT l.contract_id, l.id, l.due_date, %(payment_columns)s
                  FROM (
                        SELECT c.id AS contract_id, l.id, l.due_date, l.invoice_id
                          FROM unnest(%(contracts)s::int[]) AS c(id)
                         CROSS JOIN LATERAL (
                                SELECT l.id, l.due_date, l.invoice_id
                                  FROM leasing_schedule_line l
                                 WHERE l.contract_id = c.id
                                   AND l.invoice_id IS NOT NULL
                                   AND NOT COALESCE(l.cancelled, FALSE)
                                   AND l.due_date < %(date)s
                                   AND NOT (l.state = 'paid'
                                            AND COALESCE(l.last_payment_date <= GREATEST(l.due_date, %(start)s), FALSE))
                                -- Lease by lease, through the index of the leases' invoiced lines
                                -- (leasing_schedule_line_close_idx), never a scan of every line
                                -- invoiced: the planner underestimates those and scans them all.
                                OFFSET 0
                               ) l
                       ) l
                       %(payment_joins)s
                """,
                contracts=self.ids,
                date=as_of,
                start=window_start(as_of),
                payment_columns=PAYMENT_COLUMNS,
                payment_joins=payment_joins(SQL("TRUE")),
            )
        )
        rows = self.env.cr.fetchall()
        payments = self._collections_gather_payments((line_id, *payment) for _contract, line_id, _due, *payment in rows)
        instalments, seen = defaultdict(list), set()
        for contract_id, line_id, due_date, *_payment in rows:
            if line_id in seen or line_id not in payments:
                continue
            seen.add(line_id)
            amount, paid = payments[line_id]
            instalments[contract_id].append(Instalment(line_id, due_date, amount, paid))
        return instalments

    def _collections_store_repayment_parts(self, batch_size=5000):
        """Work out and store the part of their lessee's repayment record of these leases that a
        close recomputed, as of that close (their ``close_date``), as the close stores it: for
        leases closed before the close kept these parts (the addon's update to 18.0.1.3.0), so
        that the next closes rate their lessees without reading them again."""
        self.env.cr.execute(
            SQL(
                "SELECT id, close_date FROM leasing_contract WHERE id IN %s AND close_date IS NOT NULL ORDER BY id",
                tuple(self.ids) or (0,),
            )
        )
        by_date = defaultdict(list)
        for contract_id, close_date in self.env.cr.fetchall():
            by_date[close_date].append(contract_id)
        for close_date, contract_ids in by_date.items():
            for start in range(0, len(contract_ids), batch_size):
                batch = contract_ids[start : start + batch_size]
                instalments = self.browse(batch)._collections_rating_instalments(close_date)
                parts = [repayment_record(instalments.get(cid, []), close_date) for cid in batch]
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE leasing_contract c
                           SET repayment_current_days = u.current,
                               repayment_worst_days = u.worst,
                               repayment_late_count = u.late
                          FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[]) AS u(id, current, worst, late)
                         WHERE c.id = u.id
                        """,
                        batch,
                        [part.current_days_past_due for part in parts],
                        [part.worst_days_past_due for part in parts],
                        [part.late_instalments for part in parts],
                    )
                )
        self.invalidate_recordset(["repayment_current_days", "repayment_worst_days", "repayment_late_count"])

    def _collections_spread_ratings(self, run, ratings):
        """Give the lessees' new ``ratings`` ({lessee id: (rating, record)}) to their other leases
        in force that ``run`` leaves alone or has closed already (a lessee's rating is of all their
        leases); these leases' own rows are written by the close's next statement, and those still
        on the run's work list keep theirs until their chunk compares it with the new one (a
        drop is a risk warning). A lease another transaction holds keeps its rating until the
        next close that rates its lessee."""
        if not ratings:
            return
        lessee_ids, values = zip(*((lessee_id, rating) for lessee_id, (rating, _record) in ratings.items()))
        with mute_logger("odoo.sql_db"):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            """
                            WITH locked AS (
                                SELECT c.id, u.rating
                                  FROM leasing_contract c
                                  JOIN res_partner p ON p.id = c.partner_id
                                  JOIN unnest(%s::int[], %s::varchar[]) AS u(lessee_id, rating)
                                       ON u.lessee_id = p.commercial_partner_id
                                 WHERE c.state = 'active' AND c.id NOT IN %s
                                   AND c.lessee_payment_rating IS DISTINCT FROM u.rating
                                   AND NOT EXISTS (SELECT FROM leasing_close_run_lease todo
                                                    WHERE todo.run_id = %s AND todo.contract_id = c.id)
                                   FOR NO KEY UPDATE OF c SKIP LOCKED
                            )
                            UPDATE leasing_contract c SET lessee_payment_rating = locked.rating
                              FROM locked WHERE c.id = locked.id
                            RETURNING c.id
                            """,
                            list(lessee_ids),
                            list(values),
                            tuple(self.ids),
                            run.id,
                        )
                    )
                    self.browse([row[0] for row in self.env.cr.fetchall()]).invalidate_recordset(
                        ["lessee_payment_rating"]
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                _logger.info("Payment ratings of other leases left to the next close: their rows are busy")

    def _collections_raise_warnings(self, warnings):
        """Raise these risk warnings (dicts: ``contract_id``, ``reason``, the lease's ``row``,
        its figures ``before`` and ``after`` the close, its lessee's ``record``): one activity of
        type *Risk Warning* each, for the lease's account manager (or, for a lease without one,
        the activity type's default user; with neither, the lease is flagged at risk only), in one
        create for the chunk. A warning whose reason is still open on the lease is not raised
        again."""
        activity_type = self.env.ref("leasing_collections.mail_activity_type_risk_warning", raise_if_not_found=False)
        if not warnings or not activity_type or not activity_type.active:
            return
        # The close's own activities: nobody else sets their reason, and it raises them for any
        # account manager, whoever runs the close.
        Activity_sudo = self.env["mail.activity"].sudo()
        contract_ids = list({warning["contract_id"] for warning in warnings})
        open_reasons = {
            (activity.res_id, activity.leasing_risk_reason)
            for activity in Activity_sudo.search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", contract_ids),
                    ("leasing_risk_reason", "!=", False),
                ],
                ["res_id", "leasing_risk_reason"],
            )
        }
        # The account managers' activeness and language, whoever runs the close.
        users = self.env["res.users"].sudo().browse({w["row"]["user_id"] for w in warnings if w["row"]["user_id"]})
        users = users.filtered("active") | activity_type.default_user_id.filtered("active")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        # Read together: the leases and buckets the texts name.
        contracts = {contract.id: contract for contract in self.browse(contract_ids)}
        bucket_ids = {w["before"]["aging_bucket_id"] for w in warnings} | {w["after"]["bucket"] for w in warnings}
        buckets = {bucket.id: bucket for bucket in self.env["leasing.aging.bucket"].browse(bucket_ids - {None})}
        vals_list = []
        for warning in warnings:
            if (warning["contract_id"], warning["reason"]) in open_reasons:
                continue
            user = users.browse(warning["row"]["user_id"]) & users or activity_type.default_user_id & users
            if not user:
                continue
            contract = contracts[warning["contract_id"]].with_context(lang=user.lang)
            summary, note = contract._collections_warning_text(warning, buckets)
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": warning["contract_id"],
                    "user_id": user.id,
                    "date_deadline": today,
                    "summary": summary,
                    "note": note,
                    "automated": True,
                    "leasing_risk_reason": warning["reason"],
                }
            )
        if vals_list:
            # A to-do in the account manager's activities, not an e-mail each.
            Activity_sudo.with_context(mail_activity_quick_update=True).create(vals_list)

    def _collections_warning_text(self, warning, buckets):
        """(summary, note) of a risk warning on this lease, in the context's language;
        ``buckets`` maps the ids of the buckets it may name to their records."""
        self.ensure_one()
        after, row = warning["after"], warning["row"]
        match warning["reason"]:
            case "bucket":
                before_bucket = buckets.get(warning["before"]["aging_bucket_id"])
                after_bucket = buckets.get(after["bucket"])
                summary = self.env._("At risk: worse aging bucket")
                note = self.env._(
                    "%(lease)s fell behind from %(before)s to %(after)s: %(days)s days past due, %(amount)s overdue.",
                    lease=self.name,
                    # A lease never closed before was current.
                    before=before_bucket.with_env(self.env).name if before_bucket else self.env._("Current"),
                    after=after_bucket.with_env(self.env).name if after_bucket else "",
                    days=after["days_past_due"],
                    amount=self.currency_id.format(after["amount_overdue"]),
                )
            case "repossession":
                summary = self.env._("At risk: past the repossession threshold")
                note = self.env._(
                    "%(lease)s is %(days)s days past due, past its plan's repossession threshold of %(threshold)s "
                    "days: consider repossessing the leased items.",
                    lease=self.name,
                    days=after["days_past_due"],
                    threshold=row["threshold"],
                )
            case _:  # "rating"
                record = warning["record"]
                summary = self.env._("At risk: payment rating dropped")
                note = self.env._(
                    "The payment rating of %(lessee)s dropped from %(before)s to %(after)s: %(current)s days past "
                    "due now, at worst %(worst)s days over the last 12 months, %(late)s late instalments.",
                    lessee=self.partner_id.commercial_partner_id.name,
                    before=row["lessee_payment_rating"],
                    after=warning["rating"],
                    current=record.current_days_past_due,
                    worst=record.worst_days_past_due,
                    late=record.late_instalments,
                )
        return summary, Markup("<p>%s</p>") % note

    def _collections_clear_warnings(self):
        """These leases are current again: mark their open risk warnings done."""
        if not self:
            return
        # The close's own activities, whoever they are assigned to.
        activities_sudo = (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids), ("leasing_risk_reason", "!=", False)])
        )
        if activities_sudo:
            activities_sudo.action_feedback(feedback=self.env._("The lease is current again."))

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

    # ------------------------------------------------------------------
    # Collection cases
    # ------------------------------------------------------------------
    collection_case_ids = fields.One2many("leasing.collection.case", "contract_id", string="Collection Cases")
    collection_case_count = fields.Integer(compute="_compute_collection_case_count", string="Cases")
    has_open_collection_case = fields.Boolean(compute="_compute_collection_case_count")

    def _compute_collection_case_count(self):
        # The cases of a lease the user reads, counted whatever their rights on the cases: a
        # collector reads only theirs, and still sees that others exist.
        cases_sudo = self.env["leasing.collection.case"].sudo()
        counts = {
            (contract.id, closed): count
            for contract, closed, count in cases_sudo._read_group(
                [("contract_id", "in", self.ids)], ["contract_id", "is_closed"], ["__count"]
            )
        }
        for contract in self:
            opened = counts.get((contract.id, False), 0)
            contract.collection_case_count = opened + counts.get((contract.id, True), 0)
            contract.has_open_collection_case = bool(opened)

    def action_view_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_collection_case")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        action["views"] = [(False, "list"), (False, "form")]
        action["view_mode"] = "list,form"
        return action

    def action_open_collection_case(self):
        """Open a collection case on these leases by hand (Collection Managers): refused on a lease
        that has one open, or that is not in force."""
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager opens a collection case by hand."))
        self.check_access("read")
        not_active = self.filtered(lambda contract: contract.state != "active")
        if not_active:
            raise UserError(
                self.env._(
                    "A collection case follows a lease in force: %(contracts)s is not.",
                    contracts=", ".join(not_active.mapped("display_name")),
                )
            )
        Case = self.env["leasing.collection.case"]
        # Every open case of these leases counts, whatever this user's record rules show.
        already = Case.sudo().search([("contract_id", "in", self.ids), ("is_closed", "=", False)])
        if already:
            raise UserError(
                self.env._(
                    "%(contracts)s already has an open collection case (%(cases)s): a lease has one open case at a "
                    "time.",
                    contracts=", ".join(already.contract_id.mapped("display_name")),
                    cases=", ".join(already.mapped("name")),
                )
            )
        cases = Case._open_for_contracts(self, fields.Date.context_today(self))
        if len(cases) != len(self):
            # Opened meanwhile by the close or another manager.
            raise UserError(self.env._("A collection case was opened on this lease meanwhile: reload it."))
        Case._sync_with_contracts(self)
        for case in cases:
            case.message_post(
                body=self.env._("Opened by hand by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        if len(cases) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "leasing.collection.case",
                "res_id": cases.id,
                "view_mode": "form",
                "target": "current",
            }
        return self.action_view_collection_cases() if len(self) == 1 else True

    def _collections_update_cases(self, run):
        """The close's step: the collection cases of these leases, a few statements for the chunk.
        A case is opened (stage New) on each lease whose days past due reach its company's
        threshold and that has no open case; the open cases get their lease's figures of the close
        and their debt class; those whose lease is current again are resolved."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM leasing_contract c
                  JOIN res_company co ON co.id = c.company_id
                 WHERE c.id IN %s
                   AND c.state = 'active'
                   AND c.days_past_due > 0
                   AND c.days_past_due >= COALESCE(co.leasing_case_threshold_days, 1)
                """,
                tuple(self.ids),
            )
        )
        Case = self.env["leasing.collection.case"]
        Case._open_for_contracts(self.browse([row[0] for row in self.env.cr.fetchall()]), run.date)
        Case._sync_with_contracts(self)
        Case._resolve_current(self, run.date)

    # ------------------------------------------------------------------
    # Promises to pay (field work)
    # ------------------------------------------------------------------
    def _collections_check_promises(self, run):
        """A step of the close for these leases: their open promises to pay, kept or broken as
        of the run's date (see ``leasing.collection.promise._collections_check``)."""
        self.env["leasing.collection.promise"]._collections_check(self, run.date)

    # ------------------------------------------------------------------
    # Settlement and write-off (the collection requests that end a lease)
    # ------------------------------------------------------------------
    state = fields.Selection(
        selection_add=[("written_off", "Written Off"), ("cancelled",)],
        # Without collections a written-off lease is over as a closed one is: nothing more is
        # invoiced on it, and its ledger stays as it was posted.
        ondelete={"written_off": lambda contracts: contracts.write({"state": "closed"})},
    )
    written_off_date = fields.Date(
        string="Written Off On", readonly=True, copy=False, tracking=True, help="Date of the write-off entry."
    )
    write_off_move_id = fields.Many2one(
        "account.move",
        string="Write-off Entry",
        readonly=True,
        copy=False,
        check_company=True,
        help="The journal entry that moved the lease's unpaid receivable to the bad debt expense account.",
    )
    amount_written_off = fields.Monetary(
        string="Written Off",
        compute="_compute_write_off_figures",
        help="The receivable of the lease written off as a bad debt (posted write-off entries).",
    )
    amount_recovered = fields.Monetary(
        string="Recovered",
        compute="_compute_write_off_figures",
        help="What the lessee paid on the lease after it was written off, booked as recovery income.",
    )
    settlement_request_id = fields.Many2one(
        "leasing.collection.request",
        string="Settlement",
        compute="_compute_settlement_request_id",
        help="The settlement request done on this lease: its certificate can be printed.",
    )

    def _compute_write_off_figures(self):
        # The figures of a lease the user reads, from journal items they may not read (a
        # collector, a leasing user without accounting rights): read as superuser.
        MoveLine = self.env["account.move.line"].sudo()
        figures = {}
        for kind, sign in (("write_off", -1.0), ("recovery", 1.0)):
            for contract, amount in MoveLine._read_group(
                [
                    ("leasing_contract_id", "in", self.ids),
                    ("parent_state", "=", "posted"),
                    ("move_id.leasing_move_kind", "=", kind),
                    ("account_id.account_type", "=", "asset_receivable"),
                ],
                ["leasing_contract_id"],
                ["amount_currency:sum"],
            ):
                figures[contract, kind] = sign * amount
        for contract in self:
            contract.amount_written_off = contract.currency_id.round(figures.get((contract, "write_off"), 0.0))
            contract.amount_recovered = contract.currency_id.round(figures.get((contract, "recovery"), 0.0))

    def _compute_settlement_request_id(self):
        # The request of a lease the user reads, whatever their rights on the requests.
        requests_sudo = self.env["leasing.collection.request"].sudo()
        done = dict(
            requests_sudo._read_group(
                [("contract_id", "in", self.ids), ("request_type", "=", "settlement"), ("state", "=", "done")],
                ["contract_id"],
                ["id:max"],
            )
        )
        for contract in self:
            contract.settlement_request_id = done.get(contract, False)

    def action_print_settlement_certificate(self):
        self.ensure_one()
        if not self.settlement_request_id:
            raise UserError(
                self.env._(
                    "%(contract)s has no settlement done: the certificate is issued once the settlement invoice "
                    "is paid and the lease closed.",
                    contract=self.name,
                )
            )
        return self.settlement_request_id.action_print_settlement_certificate()

    def action_allocate_payments(self):
        """On a written-off lease, the lessee's unallocated payments are recoveries: booked as
        recovery income (see ``_leasing_book_recoveries``), as far as the amount written off goes."""
        written_off = self.filtered(lambda contract: contract.state == "written_off")
        if not written_off:
            return super().action_allocate_payments()
        if written_off != self:
            raise UserError(
                self.env._(
                    "Allocate the payments of the written-off leases apart from the others: on them, a payment is a "
                    "recovery of a bad debt."
                )
            )
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Allocating payments to the invoices of a lease takes invoicing rights."))
        recovered_before = {contract: contract.amount_recovered for contract in self}
        recoveries = self._leasing_book_recoveries()
        if not recoveries:
            return self._notify(
                self.env._("Nothing to recover: the lessee has no payment left to allocate, or the debt is recovered."),
                "info",
            )
        self.invalidate_recordset(["amount_recovered", *LEDGER_FIGURES])
        return self._notify(
            self.env._(
                "%(amount)s recovered on the written-off lease: booked as recovery income.",
                amount=", ".join(
                    formatLang(
                        self.env,
                        contract.amount_recovered - recovered_before[contract],
                        currency_obj=contract.currency_id,
                    )
                    for contract in recoveries.leasing_contract_id
                ),
            ),
            "success",
        )

    @api.model
    def action_allocate_all_payments(self):
        result = super().action_allocate_all_payments()
        # What is left of the lessees' payments once their leases in force took theirs.
        self.search([("state", "=", "written_off")])._leasing_book_recoveries()
        return result

    def _allocate_payments(self):
        result = super()._allocate_payments()
        self.filtered(lambda contract: contract.state == "written_off")._leasing_book_recoveries()
        return result

    def _close_paid_off(self):
        """A lease settled by an approved settlement request closes as a paid-off one does: the
        request is then done and its certificate ready."""
        closing = super()._close_paid_off()
        if closing:
            # The requests follow from the ledger (the settlement invoice paid), whoever paid it.
            self.env["leasing.collection.request"].sudo().search(
                [("contract_id", "in", closing.ids), ("request_type", "=", "settlement"), ("state", "=", "approved")]
            )._leasing_settlement_done()
        return closing

    def _leasing_settlement_error(self, settlement_date):
        """Why this lease cannot be settled on ``settlement_date``, or False: the early payoff's
        own reasons (``leasing.payoff.wizard._payoff_error``), and a date before the last payment
        the lease received."""
        self.ensure_one()
        if not settlement_date:
            return self.env._("Set the settlement date.")
        if self.state != "active":
            return self.env._(
                "%(contract)s is %(state)s: only an active lease can be settled.",
                contract=self.name,
                state=self._state_label(),
            )
        last_payment = self._leasing_last_payment_date()
        if last_payment and settlement_date < last_payment:
            return self.env._(
                "The settlement date %(date)s comes before the last payment received on %(contract)s, on "
                "%(payment)s: choose %(payment)s or a later date.",
                date=format_date(self.env, settlement_date),
                contract=self.name,
                payment=format_date(self.env, last_payment),
            )
        # The payoff's checks, as superuser: its wizard is the Leasing Managers', and nothing is
        # written by asking.
        wizard_sudo = (
            self.env["leasing.payoff.wizard"].sudo().new({"contract_id": self.id, "payoff_date": settlement_date})
        )
        return wizard_sudo._payoff_error()

    def _leasing_last_payment_date(self):
        """The date of the last payment or credit note applied to this lease's invoices."""
        self.ensure_one()
        # Read from the ledger for a collector or a Collection Manager without accounting rights.
        MoveLine = self.env["account.move.line"].sudo()
        receivables = MoveLine.search(
            [
                ("leasing_contract_id", "=", self.id),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "=", "out_invoice"),
                ("account_id.account_type", "=", "asset_receivable"),
            ]
        )
        counterparts = receivables.matched_credit_ids.credit_move_id.filtered(
            lambda line: line.move_id.leasing_move_kind != "write_off"
        )
        return max(counterparts.mapped("date"), default=False)

    def _leasing_write_off_error(self, write_off_date):
        """Why this lease cannot be written off on ``write_off_date``, or False."""
        self.ensure_one()
        currency = self.currency_id
        if self.state != "active":
            return self.env._(
                "%(contract)s is %(state)s: only an active lease can be written off.",
                contract=self.name,
                state=self._state_label(),
            )
        if not write_off_date:
            return self.env._("Set the date of the write-off entry.")
        if write_off_date > fields.Date.context_today(self):
            return self.env._(
                "The write-off date %(date)s lies ahead: a debt is written off on a day that has come.",
                date=format_date(self.env, write_off_date),
            )
        self.invalidate_recordset(["amount_due", "penalty_due"])
        if currency.compare_amounts(self.amount_due, 0.0) <= 0 and currency.compare_amounts(self.penalty_due, 0.0) <= 0:
            return self.env._(
                "%(contract)s owes nothing: no invoice of it is unpaid and no penalty interest is due. There is "
                "nothing to write off.",
                contract=self.name,
            )
        # The entry settles the invoices: it cannot come before the last of them.
        last_invoice = max(self._leasing_open_receivables().mapped("date"), default=False)
        if last_invoice and write_off_date < last_invoice:
            return self.env._(
                "The write-off date %(date)s comes before %(invoice_date)s, the date of the last unpaid invoice of "
                "%(contract)s: choose %(invoice_date)s or a later date.",
                date=format_date(self.env, write_off_date),
                invoice_date=format_date(self.env, last_invoice),
                contract=self.name,
            )
        return False

    def _leasing_open_receivables(self):
        """The open receivable journal items of these leases' documents (what the lessee owes on
        them: rents, fees, penalty interest)."""
        # The ledger, for the system's write-off (the caller checked the request's approval).
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("leasing_contract_id", "in", self.ids),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0.0),
                ],
                order="date_maturity, date, id",
            )
        )

    def _leasing_write_off(self, write_off_date, reason):
        """Write this lease off as a bad debt on ``write_off_date``; return the write-off entry.

        The lessee's unallocated payments settle its invoices first, and its penalty interest
        accrued to the day before and not yet invoiced is billed (so that it is written off with
        the rest, and never billed afterwards). Then one posted entry on the plan's entries journal
        credits each open receivable item of the lease with its residual and debits the company's
        bad debt expense account with their sum; each pair is reconciled, so the invoices show as
        settled by the write-off. The instalments not yet invoiced are cancelled, the lease is
        written off and its open collection case moves to the Written Off stage."""
        self.ensure_one()
        error = self._leasing_write_off_error(write_off_date)
        if error:
            raise UserError(error)
        company = self.company_id
        if not company.leasing_bad_debt_account_id:
            raise UserError(
                self.env._(
                    "%(company)s has no bad debt expense account: set it in the Leasing settings (Collections).",
                    company=company.name,
                )
            )
        if not self.plan_id.general_journal_id:
            raise UserError(self._accounting_setup_error(["discontinue"]) or self.env._("Set the entries journal."))
        # The close and the billings of the lease wait while it is written off.
        self._leasing_lock_for_penalty()
        # The lease's documents are the system's, posted after the request was approved.
        self_sudo = self.sudo()
        self_sudo._allocate_payments()
        # The write-off settles the instalments on its date, as a payment that day would: the
        # penalty runs to the day before (the close then finds every day billed).
        penalty_to = write_off_date - timedelta(days=1)
        rows = self._leasing_penalty_rows(self._leasing_penalty_accrued_to(penalty_to), penalty_to)
        if rows:
            self._check_accounting_setup("penalty")
            self_sudo._leasing_invoice_penalties({self_sudo: rows}, penalty_to, invoice_date=write_off_date)
        receivables = self._leasing_open_receivables()
        if not receivables:
            raise UserError(
                self.env._(
                    "%(contract)s owes nothing once the lessee's payments are allocated: there is nothing to write "
                    "off.",
                    contract=self.name,
                )
            )
        label = self.env._("%(contract)s - bad debt written off", contract=self.name)
        credits = [
            fields.Command.create(
                {
                    "name": self.env._("%(label)s: %(document)s", label=label, document=line.move_id.name),
                    "account_id": line.account_id.id,
                    "partner_id": line.partner_id.id,
                    "currency_id": line.currency_id.id,
                    "amount_currency": -line.amount_residual_currency,
                    "balance": -line.amount_residual,
                }
            )
            for line in receivables
        ]
        debits = [
            fields.Command.create(
                {
                    "name": label,
                    "account_id": company.leasing_bad_debt_account_id.id,
                    "partner_id": self.partner_id.id,
                    "currency_id": currency.id,
                    "amount_currency": currency.round(sum(lines.mapped("amount_residual_currency"))),
                    "balance": company.currency_id.round(sum(lines.mapped("amount_residual"))),
                }
            )
            for currency, lines in receivables.grouped("currency_id").items()
        ]
        # Before the entry settles the invoices: a paid-off lease whose last invoice it settles
        # must not close as paid.
        future = self.schedule_line_ids.filtered(lambda line: not line.cancelled and not line.invoice_id)
        future.sudo().write({"cancelled": True})
        # The approver of the request (a Collection Manager) need not edit leases: the state and
        # the ledger's links are the system's, written once the request is approved.
        self_sudo.write({"state": "written_off", "written_off_date": write_off_date})
        move_sudo = (
            self.env["account.move"]
            .sudo()
            .with_context(mail_create_nolog=True)
            .create(
                {
                    "move_type": "entry",
                    "date": write_off_date,
                    "journal_id": self.plan_id.general_journal_id.id,
                    "company_id": company.id,
                    "ref": label,
                    "narration": reason,
                    "leasing_contract_id": self.id,
                    "leasing_move_kind": "write_off",
                    "line_ids": debits + credits,
                }
            )
        )
        move_sudo.action_post()
        written = move_sudo.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        for receivable, counterpart in zip(receivables, written.sorted("id"), strict=True):
            (receivable + counterpart).reconcile()
        self_sudo.write({"write_off_move_id": move_sudo.id})
        self.invalidate_recordset(["amount_written_off", *LEDGER_FIGURES])
        self._leasing_write_off_case(write_off_date)
        # Logged by the approver, who may read the lease without editing it.
        self_sudo.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "Written off on %(date)s: %(amount)s of unpaid receivable moved to bad debts by %(entry)s; "
                    "%(count)s instalments not yet invoiced cancelled.",
                    date=format_date(self.env, write_off_date),
                    amount=formatLang(self.env, self.amount_written_off, currency_obj=self.currency_id),
                    entry=move_sudo.name,
                    count=len(future),
                ),
                reason or "",
            )
        )
        return move_sudo.sudo(False)

    def _leasing_write_off_case(self, write_off_date):
        """The open collection case of these leases goes to the Written Off stage, and is over."""
        stage = self.env["leasing.collection.stage"]._by_key("written_off")
        # The cases follow the lease: moved as the system, whoever approved the write-off.
        cases_sudo = (
            self.env["leasing.collection.case"]
            .sudo()
            .search([("contract_id", "in", self.ids), ("is_closed", "=", False)])
        )
        if cases_sudo and stage:
            cases_sudo.write({"stage_id": stage.id, "closed_date": write_off_date})
        return cases_sudo

    def _leasing_book_recoveries(self):
        """Book, for these written-off leases, the lessees' unallocated payments as recoveries:
        for each lease, one posted entry on its plan's entries journal debits the lessee's
        receivable and credits the company's recovery income account, reconciled with the
        payments (oldest first), never more than written off and not yet recovered
        (``tools.write_off.recovery_split``); what is left stays the lessee's balance.
        Return the recovery entries."""
        written_off = self.filtered(lambda contract: contract.state == "written_off")
        if not written_off:
            return self.env["account.move"]
        # The ledger's entries of the system, for whoever allocates (the caller checked the rights).
        Move = self.env["account.move"].sudo()
        open_lines = Move._leasing_open_receivable_lines(
            written_off.partner_id.commercial_partner_id, written_off.company_id
        ).filtered(lambda line: line.amount_residual < 0)
        if not open_lines:
            return self.env["account.move"]
        today = fields.Date.context_today(self)
        credits_by_key = open_lines.grouped(lambda line: (line.partner_id.commercial_partner_id, line.company_id))
        written_off.invalidate_recordset(["amount_written_off", "amount_recovered"])
        plans = []
        used = set()
        for contract in written_off.sorted(lambda c: (c.written_off_date or today, c.id)):
            company = contract.company_id
            if not company.leasing_recovery_account_id:
                continue
            credits = credits_by_key.get((contract.partner_id.commercial_partner_id, company), open_lines.browse())
            credits = credits.filtered(
                lambda line, c=contract: line.currency_id == c.currency_id and line.id not in used
            )
            split = recovery_split(
                [-line.amount_residual_currency for line in credits],
                contract.amount_written_off,
                contract.amount_recovered,
                contract.currency_id.decimal_places,
            )
            parts = [(line, amount) for line, amount in zip(credits, split, strict=True) if amount > 0]
            if parts:
                used.update(line.id for line, _amount in parts)
                plans.append((contract, parts))
        if not plans:
            return self.env["account.move"]
        vals_list = []
        for contract, parts in plans:
            label = self.env._("%(contract)s - bad debt recovered", contract=contract.name)
            lines, total_balance = [], 0.0
            for credit, amount in parts:
                # The payment's own rate: the part recovered of it, in the company's currency.
                whole = -credit.amount_residual_currency
                balance = (
                    -credit.amount_residual
                    if contract.currency_id.compare_amounts(amount, whole) == 0
                    else credit.company_currency_id.round(-credit.amount_residual * amount / whole)
                )
                lines.append(
                    fields.Command.create(
                        {
                            "name": self.env._("%(label)s: %(payment)s", label=label, payment=credit.move_id.name),
                            "account_id": credit.account_id.id,
                            "partner_id": credit.partner_id.id,
                            "currency_id": credit.currency_id.id,
                            "amount_currency": amount,
                            "balance": balance,
                        }
                    )
                )
                total_balance += balance
            lines.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": contract.company_id.leasing_recovery_account_id.id,
                        "partner_id": contract.partner_id.id,
                        "currency_id": contract.currency_id.id,
                        "amount_currency": -contract.currency_id.round(sum(amount for _credit, amount in parts)),
                        "balance": -contract.company_id.currency_id.round(total_balance),
                    }
                )
            )
            vals_list.append(
                {
                    "move_type": "entry",
                    "date": today,
                    "journal_id": contract.plan_id.general_journal_id.id,
                    "company_id": contract.company_id.id,
                    "ref": label,
                    "leasing_contract_id": contract.id,
                    "leasing_move_kind": "recovery",
                    "line_ids": lines,
                }
            )
        moves_sudo = Move.with_context(mail_create_nolog=True).create(vals_list)
        moves_sudo.action_post()
        for move_sudo, (contract, parts) in zip(moves_sudo, plans, strict=True):
            debits = move_sudo.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
            for debit, (credit, _amount) in zip(debits.sorted("id"), parts, strict=True):
                (debit + credit).reconcile()
            # Logged by whoever allocates, who may not edit the lease.
            contract.sudo().message_post(
                body=self.env._(
                    "%(amount)s paid by the lessee after the write-off, booked as recovery income by %(entry)s.",
                    amount=formatLang(
                        self.env, sum(amount for _credit, amount in parts), currency_obj=contract.currency_id
                    ),
                    entry=move_sudo.name,
                )
            )
        written_off.invalidate_recordset(["amount_recovered", *LEDGER_FIGURES])
        return moves_sudo.sudo(False)
