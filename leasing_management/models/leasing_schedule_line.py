import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

# Columns written by _insert_rows, in the order of the engine's rows.
ROW_COLUMNS = (
    "contract_id",
    "company_id",
    "sequence",
    "line_type",
    "due_date",
    "principal",
    "interest",
    "amount",
    "balance",
)
LINE_STATES = [
    ("planned", "Planned"),
    ("invoiced", "Invoiced"),
    ("partial", "Partially Paid"),
    ("paid", "Paid"),
    ("overdue", "Overdue"),
    ("cancelled", "Cancelled"),
]
# The figures the schedule engine computes; frozen once the contract is active.
FROZEN_FIELDS = frozenset(
    {"contract_id", "sequence", "line_type", "due_date", "principal", "interest", "amount", "balance"}
)


class LeasingScheduleLine(models.Model):
    _name = "leasing.schedule.line"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Rent Schedule Line"
    _order = "contract_id, sequence, id"
    _rec_names_search = ["contract_id"]

    contract_id = fields.Many2one("leasing.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    # Computed rather than related: the ORM then rounds nothing more when the engine's
    # already-rounded amounts are inserted, which keeps bulk schedule creation fast.
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    contract_state = fields.Selection(related="contract_id.state", string="Contract Status")
    sequence = fields.Integer(string="#", required=True)
    line_type = fields.Selection(
        [("installment", "Instalment"), ("residual", "Residual Value")],
        string="Type",
        required=True,
        default="installment",
    )
    due_date = fields.Date(required=True, index=True)
    principal = fields.Monetary(aggregator="sum")
    interest = fields.Monetary(aggregator="sum")
    amount = fields.Monetary(aggregator="sum", help="Principal plus interest.")
    balance = fields.Monetary(string="Balance After", aggregator=None, help="Principal still owed after this line.")

    # Billing: the line's invoice and how it is paid.
    invoice_ids = fields.One2many(
        "account.move", "leasing_schedule_line_id", string="Invoices", groups="account.group_account_invoice"
    )
    invoice_id = fields.Many2one(
        "account.move", compute="_compute_invoice_id", store=True, index="btree_not_null", string="Invoice"
    )
    cancelled = fields.Boolean(readonly=True, copy=False, help="Cancelled by an early payoff or a reschedule.")
    state = fields.Selection(
        LINE_STATES, compute="_compute_payment", store=True, index=True, default="planned", string="Status"
    )
    amount_invoiced = fields.Monetary(
        compute="_compute_payment", store=True, aggregator="sum", help="Invoice total, taxes included."
    )
    amount_paid = fields.Monetary(compute="_compute_payment", store=True, aggregator="sum")
    amount_residual = fields.Monetary(string="Amount Due", compute="_compute_payment", store=True, aggregator="sum")
    last_payment_date = fields.Date(compute="_compute_payment", store=True)

    @api.depends("contract_id.currency_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.contract_id.currency_id

    @api.depends("invoice_ids.state")
    def _compute_invoice_id(self):
        for line in self:
            line.invoice_id = line.invoice_ids.filtered(lambda move: move.state != "cancel")[:1]

    # Not on "amount": the amounts never change once inserted (a rebuild inserts new lines, whose
    # status _insert_rows sets), and depending on them would recompute every new line.
    @api.depends(
        "cancelled",
        "invoice_id.state",
        "invoice_id.payment_state",
        "invoice_id.amount_total",
        "invoice_id.amount_residual",
    )
    def _compute_payment(self):
        """Follow the invoice: planned until invoiced, then invoiced, partially paid or paid, and
        overdue once past due and not fully paid (the daily invoicing refreshes that)."""
        today = fields.Date.context_today(self)
        for line in self:
            invoice = line.invoice_id if line.invoice_id.state == "posted" else self.env["account.move"]
            line.amount_invoiced = invoice.amount_total
            line.amount_residual = invoice.amount_residual
            line.amount_paid = invoice.amount_total - invoice.amount_residual
            line.last_payment_date = invoice._leasing_last_payment_date() if invoice else False
            if line.cancelled:
                line.state = "cancelled"
            elif not invoice:
                line.state = "paid" if line.currency_id.is_zero(line.amount) else "planned"
            elif invoice.payment_state in ("paid", "in_payment", "reversed"):
                line.state = "paid"
            elif line.due_date < today:
                line.state = "overdue"
            else:
                line.state = "partial" if invoice.payment_state == "partial" else "invoiced"

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.contract_id.name} #{line.sequence}"

    # Schedule lines are the system's: built from the terms by the engine, their status and
    # amounts paid following the invoices. The access rules let nobody write them; the code does,
    # as superuser, after its own checks.
    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        self.env["leasing.contract"].browse({v.get("contract_id") for v in vals_list})._check_schedule_open()
        return super(LeasingScheduleLine, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        if FROZEN_FIELDS.intersection(vals):
            self.contract_id._check_schedule_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen(self):
        self.contract_id._check_schedule_open()

    @api.model
    def _insert_rows(self, rows):
        """Insert the engine's ``rows`` (dicts holding every key of ROW_COLUMNS) in one statement.

        This is the schedule's hot path: ``create`` converts and caches every value of every line
        through the ORM (about a tenth of a millisecond a line), which is most of the cost of a
        contract of 60 instalments. The amounts are already rounded by the currency, so they go
        straight to the table; the ORM is then told what was created, so that the contracts'
        stored totals are recomputed, and record rules are checked on the new lines."""
        if not rows:
            return self.browse()
        self.check_access("create")
        columns = {name: [row[name] for row in rows] for name in ROW_COLUMNS}
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO leasing_schedule_line (
                    contract_id, company_id, sequence, line_type, due_date,
                    principal, interest, amount, balance, state,
                    create_uid, create_date, write_uid, write_date)
                SELECT u.*, CASE WHEN u.amount = 0 THEN 'paid' ELSE 'planned' END,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(contract)s::int[], %(company)s::int[], %(sequence)s::int[],
                              %(line_type)s::varchar[], %(due_date)s::date[],
                              %(principal)s::numeric[], %(interest)s::numeric[],
                              %(amount)s::numeric[], %(balance)s::numeric[])
                       AS u(contract_id, company_id, sequence, line_type, due_date,
                            principal, interest, amount, balance)
                RETURNING id
                """,
                uid=self.env.uid,
                now=self.env.cr.now(),
                contract=columns["contract_id"],
                company=columns["company_id"],
                sequence=columns["sequence"],
                line_type=columns["line_type"],
                due_date=columns["due_date"],
                principal=columns["principal"],
                interest=columns["interest"],
                amount=columns["amount"],
                balance=columns["balance"],
            )
        )
        lines = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.env["leasing.contract"].browse(set(columns["contract_id"])).invalidate_recordset(["schedule_line_ids"])
        lines.modified(ROW_COLUMNS, create=True)
        lines.check_access("create")
        return lines

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    def _lock_for_invoicing(self):
        """Lines of ``self`` still to invoice, locked for this transaction. Skipped: the lines
        already invoiced, and those another transaction (a manual invoicing, a payoff) holds or
        has changed since this one began: it is invoicing them.

        A changed row cannot be locked: Odoo's transactions are REPEATABLE READ, and locking a row
        changed by a transaction committed after this one's snapshot raises a serialization
        failure, for the whole statement. One statement locks every line; only when it meets such
        a change are the lines locked one by one, each in its own savepoint, to skip just those
        (as res.partner's ``_increase_rank`` gives up on rows another transaction holds)."""
        if not self:
            return self
        self.flush_recordset(["invoice_id", "cancelled", "state"])
        with mute_logger("odoo.sql_db"):
            try:
                with self.env.cr.savepoint(flush=False):
                    locked_ids = self._lock_rows(self.ids)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                locked_ids = []
                for line_id in self.ids:
                    try:
                        with self.env.cr.savepoint(flush=False):
                            locked_ids += self._lock_rows([line_id])
                    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                        _logger.info("Schedule line %s changed by another transaction: not invoiced here", line_id)
        locked = self.browse(locked_ids)
        locked.invalidate_recordset(["invoice_ids", "invoice_id", "state"])
        return locked

    def _lock_rows(self, ids):
        """Lock the rows ``ids`` still to invoice and free; return their ids."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM leasing_schedule_line
                 WHERE id IN %s AND invoice_id IS NULL AND NOT COALESCE(cancelled, FALSE) AND state != 'paid'
                 ORDER BY id
                   FOR UPDATE SKIP LOCKED
                """,
                tuple(ids),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _prepare_invoice_vals(self):
        """Values of this line's customer invoice: principal and interest on their own lines,
        with the plan's accounts and taxes, dated as the schedule."""
        self.ensure_one()
        contract = self.contract_id
        plan = contract.plan_id
        currency = contract.currency_id
        label = self.env._(
            "%(contract)s - instalment %(sequence)s/%(term)s",
            contract=contract.name,
            sequence=self.sequence,
            term=contract.term,
        )
        if self.line_type == "residual":
            label = self.env._("%(contract)s - residual value", contract=contract.name)
        invoice_lines = []
        if not currency.is_zero(self.principal):
            invoice_lines += contract._principal_invoice_lines(
                self.principal, self.env._("Principal: %(label)s", label=label)
            )
        if not currency.is_zero(self.interest):
            invoice_lines.append(
                Command.create(
                    {
                        "name": self.env._("Interest: %(label)s", label=label),
                        "account_id": plan.interest_account_id.id,
                        "quantity": 1.0,
                        "price_unit": self.interest,
                        "tax_ids": [Command.set(plan.interest_tax_ids.ids)],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": contract.partner_id.id,
            "company_id": contract.company_id.id,
            "journal_id": plan.journal_id.id,
            "currency_id": currency.id,
            "invoice_date": self.due_date,
            "invoice_date_due": self.due_date,
            "invoice_payment_term_id": False,
            "invoice_origin": contract.name,
            "ref": label,
            "leasing_contract_id": contract.id,
            "leasing_schedule_line_id": self.id,
            "leasing_move_kind": "installment",
            "invoice_line_ids": invoice_lines,
        }

    def _create_invoices(self):
        """Invoice these lines now (the contract's button): lock them, refuse when a contract's
        plan lacks a setting the invoices post to, then create and post them all."""
        lines = self._lock_for_invoicing()
        if not lines:
            return self.env["account.move"]
        for contract, contract_lines in lines.grouped("contract_id").items():
            interest = sum(contract_lines.mapped("interest"))
            contract._check_accounting_setup("installment", figures={"interest": interest})
        return lines._post_invoices()

    def _post_invoices(self):
        """Create the invoices of these locked lines in one call and post them in one call;
        posting lets the lessees' unallocated payments settle them. Their contracts' invoicing
        failures, if any, are over."""
        # The invoices carry their lease and schedule line, which only the system sets: they are
        # created as superuser, for the cron or for a user whose invoicing rights were checked.
        moves_sudo = (
            self.env["account.move"]
            .sudo()
            # Generated documents: no "created" log nor follower subscription per invoice.
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create([line._prepare_invoice_vals() for line in self])
        )
        moves_sudo.action_post()
        self.contract_id._clear_invoicing_failures()
        return moves_sudo.sudo(False)

    def _cron_create_invoices(self):
        """The daily invoicing of these lines (of one company): as ``_create_invoices``, but a
        contract that cannot be invoiced, or another transaction at work on the same rows, does
        not stop the others.

        The contracts whose plan lacks a setting are set aside first, cheaply; the others are
        invoiced in one batch. Should the batch still fail (a tax misconfigured, a lock date,
        another transaction...), it is rolled back and each contract is invoiced in its own
        savepoint, so that only the culprits are set aside.

        Return ``(invoices, skipped, retry, failures)``: the invoices posted; the lines another
        transaction holds or has changed (it is invoicing them); the lines of contracts whose
        invoicing met another transaction (to try again in a new one); ``{contract: message}`` of
        the contracts that could not be invoiced."""
        lines = self._lock_for_invoicing()
        skipped, retry, failures = self - lines, self.browse(), {}
        for contract, contract_lines in lines.grouped("contract_id").items():
            interest = sum(contract_lines.mapped("interest"))
            error = contract._accounting_setup_error(["installment"], figures={"interest": interest})
            if error:
                failures[contract] = error
        lines = lines.filtered(lambda line: line.contract_id not in failures)
        moves = self.env["account.move"]
        if not lines:
            return moves, skipped, retry, failures
        # The savepoint flushes on leaving: an error may come from there, after the block.
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                batch_moves = lines._post_invoices()
        except Exception:  # whatever the cause, find the contracts it comes from below
            _logger.info("Invoicing %s schedule lines at once failed: invoicing them contract by contract", len(lines))
        else:
            return batch_moves, skipped, retry, failures
        for contract, contract_lines in lines.grouped("contract_id").items():
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    contract_moves = contract_lines._post_invoices()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                _logger.info("Lease %s: another transaction is at work on it, invoiced later", contract.name)
                retry |= contract_lines
            except UserError as error:
                failures[contract] = str(error)
            except Exception as error:  # an unexpected cause: skip the contract, log the traceback
                _logger.warning("Lease %s could not be invoiced", contract.name, exc_info=True)
                failures[contract] = f"{type(error).__name__}: {error}"
            else:
                moves |= contract_moves
        return moves, skipped, retry, failures

    @api.model
    def _due_domain(self, companies):
        """Schedule lines of active contracts to invoice now: due within each company's horizon."""
        today = fields.Date.context_today(self)
        per_company = [
            [
                ("company_id", "=", company.id),
                ("due_date", "<=", fields.Date.add(today, days=company.leasing_invoice_horizon_days)),
            ]
            for company in companies
        ]
        return expression.AND(
            [
                [("contract_id.state", "=", "active"), ("invoice_id", "=", False), ("state", "=", "planned")],
                expression.OR(per_company) if per_company else [(0, "=", 1)],
            ]
        )

    @api.model
    def _cron_due_domain(self, companies):
        """The due lines the daily invoicing invoices: those of ``_due_domain`` less the leases it
        skipped today (tried again tomorrow; the contract's button tries them at once)."""
        today = fields.Date.context_today(self)
        return expression.AND(
            [
                self._due_domain(companies),
                [
                    "|",
                    ("contract_id.invoicing_error_date", "=", False),
                    ("contract_id.invoicing_error_date", "<", today),
                ],
            ]
        )

    @api.model
    def _cron_invoice_due_lines(self, batch_size=200):
        """Daily: invoice the instalments falling due within the horizon, a batch per call.

        Each call invoices one batch and reports its progress: ``done`` the invoices made,
        ``remaining`` the lines left to invoice. Odoo's cron runner commits after each call and
        calls again while work remains and the call made some, so a crash loses at most the
        current batch and a new run resumes where the last one stopped.

        Nothing one lease or one other transaction does stops the others:

        * a lease that cannot be invoiced (its plan lacks an account, a tax fails...) is skipped,
          its failure recorded on it with an activity for a Leasing Manager, and left out of the
          rest of the day's run; it is tried again the next day;
        * lines another transaction holds or has just changed are skipped: it is invoicing them.
          Lines are locked and re-checked before invoicing, and a unique index forbids a second
          live invoice per line, so two runs at once (or a run and a manual invoicing) never
          invoice a line twice. A lease whose invoicing met another transaction is tried again
          by the next call, in a new transaction.

        A batch with nothing left to invoice once those are set aside is followed, in the same
        call, by the next one: ``done`` is zero only when nothing is left, which ends the run."""
        self._cron_refresh_overdue()
        companies = self.env["res.company"].search([])
        domain = self._cron_due_domain(companies)
        moves = self.env["account.move"]
        # Lines not to look at again in this call: held by another transaction, or to try again
        # in the next call's transaction.
        skipped = retry = self.browse()
        while True:
            lines = self.search(
                expression.AND([domain, [("id", "not in", (skipped | retry).ids)]]),
                order="due_date, id",
                limit=batch_size,
            )
            failures = {}
            for company, company_lines in lines.grouped("company_id").items():
                batch_moves, batch_skipped, batch_retry, batch_failures = company_lines.with_company(
                    company
                )._cron_create_invoices()
                moves |= batch_moves
                skipped |= batch_skipped
                retry |= batch_retry
                failures.update(batch_failures)
            if failures:
                # Out of the domain from now on: their failure is dated today.
                self.env["leasing.contract"]._record_invoicing_failures(failures)
            if moves or len(lines) < batch_size:
                break
        if len(lines) == batch_size:
            remaining = self.search_count(expression.AND([domain, [("id", "not in", skipped.ids)]]))
        else:
            remaining = len(retry)
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)
        return moves

    @api.model
    def _cron_refresh_overdue(self):
        """Lines whose due date has passed while their invoice is open become overdue."""
        today = fields.Date.context_today(self)
        lines = self.search([("state", "in", ("invoiced", "partial")), ("due_date", "<", today)])
        if not lines:
            return lines
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.env.add_to_compute(self._fields["state"], lines)
                lines.flush_recordset(["state"])
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Another transaction (a payment) is changing some of them: it sets their status itself,
            # and the next run refreshes the others.
            _logger.info("Overdue schedule lines not refreshed: another transaction is changing them")
            return self.browse()
        return lines
