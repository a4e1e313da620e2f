from urllib.parse import quote_plus

import psycopg2.errors
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, formatLang

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent"), ("3", "Critical")]
CONTACT_RESULTS = [
    ("no_answer", "No Answer"),
    ("wrong_number", "Wrong Number"),
    ("promised", "Promised to Pay"),
    ("refused", "Refused to Pay"),
    ("paid", "Paid"),
    ("dispute", "Dispute"),
    ("asked_time", "Asked for Time"),
    ("other", "Other"),
]
# The debt class (欠款分类) of a case: set with its figures by the close (and when it is opened).
DEBT_TERMS = [("short", "Short-term Overdue"), ("long", "Long-term Overdue")]
DEBT_NATURES = [("goods", "Goods"), ("service", "Service")]
CUSTOMER_CLASSES = [("ordinary", "Ordinary Customer"), ("key", "Key Customer")]
# What the close copies from the lease onto its open case.
SYNCED_FIELDS = [
    "days_past_due",
    "aging_bucket_id",
    "amount_overdue",
    "penalty_due",
    "debt_term",
    "debt_nature",
    "customer_class",
]
# The payments shown on a case: the lease's last ones.
LAST_PAYMENTS = 5


class LeasingCollectionCase(models.Model):
    """The follow-up of one lease in arrears by the collection team: who works it, where it
    stands, and everything done about it (contacts, promises, requests, the legal file).

    A lease has at most one open case (a partial unique index). The daily close opens it when the
    lease's days past due reach the company's threshold and resolves it when the lease is current
    again; it also copies the lease's figures of the day onto the case, so that cases are sorted,
    grouped and reported by them."""

    _name = "leasing.collection.case"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Collection Case"
    _order = "priority desc, next_action_date, days_past_due desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True, index=True)
    guarantor_ids = fields.Many2many(related="contract_id.guarantor_ids", string="Guarantors")
    account_manager_id = fields.Many2one(related="contract_id.user_id", string="Account Manager")
    collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        readonly=True,
        index=True,
        tracking=True,
        help="Set by the dispatch: the collector who works the case.",
    )
    team_id = fields.Many2one(
        "leasing.collection.team",
        string="Collection Team",
        readonly=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Set by the dispatch: its leader sees the case too.",
    )
    stage_id = fields.Many2one(
        "leasing.collection.stage",
        string="Stage",
        required=True,
        index=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env["leasing.collection.stage"]._by_key("new"),
        ondelete="restrict",
    )
    stage_key = fields.Selection(related="stage_id.stage_key", store=True)
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True, string="Closed")
    priority = fields.Selection(PRIORITIES, default="0", tracking=True, index=True)
    opened_date = fields.Date(string="Opened On", readonly=True, default=fields.Date.context_today)
    closed_date = fields.Date(string="Closed On", readonly=True)
    next_action_date = fields.Date(tracking=True, index=True)
    # The lease's figures of the last close, copied by the close (see the class's docstring).
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    aging_bucket_id = fields.Many2one("leasing.aging.bucket", string="Aging Bucket", readonly=True, index=True)
    amount_overdue = fields.Monetary(readonly=True, aggregator="sum")
    penalty_due = fields.Monetary(readonly=True, aggregator="sum")
    outstanding_principal = fields.Monetary(related="contract_id.outstanding_principal")
    last_contact_date = fields.Datetime(readonly=True, help="Of the case's last contact log.")
    last_contact_result = fields.Selection(CONTACT_RESULTS, readonly=True)
    # The debt class (欠款分类), set with the figures: by the close, and when the case opens.
    debt_term = fields.Selection(
        DEBT_TERMS,
        string="Overdue Term",
        readonly=True,
        index=True,
        help="Long-term once the lease is more days past due than the company's long-term threshold "
        "(Settings, 90 days by default); short-term before.",
    )
    debt_nature = fields.Selection(
        DEBT_NATURES,
        readonly=True,
        index=True,
        help="Goods when one of the leased items is a goods product (storable or consumable), service otherwise.",
    )
    customer_class = fields.Selection(
        CUSTOMER_CLASSES,
        readonly=True,
        index=True,
        help="Key when the lessee is marked as a key customer on their contact form.",
    )
    # The collection statement, read at the lessee's door.
    lessee_phone = fields.Char(related="partner_id.phone", string="Lessee's Phone")
    lessee_mobile = fields.Char(related="partner_id.mobile", string="Lessee's Mobile")
    lessee_address = fields.Char(compute="_compute_lessee_address", string="Address")
    lessee_map_url = fields.Char(compute="_compute_lessee_address", string="Open in Maps")
    overdue_line_ids = fields.Many2many(
        "leasing.schedule.line",
        compute="_compute_overdue_line_ids",
        string="Overdue Instalments",
        help="The lease's instalments past due and unpaid at the last close, with their penalty interest.",
    )
    last_payments = fields.Html(
        compute="_compute_statement",
        sanitize=False,
        help="The last payments and credit notes applied to the lease's invoices.",
    )
    payoff_amount = fields.Monetary(
        string="Payoff Amount Today",
        compute="_compute_statement",
        help="What ends the lease today: the early payoff quote, penalty interest included.",
    )
    payoff_note = fields.Char(compute="_compute_statement", help="Why the lease has no payoff quote today.")
    # Collection requests
    request_ids = fields.One2many("leasing.collection.request", "case_id", string="Requests", readonly=True)

    _sql_constraints = [
        ("name_unique", "UNIQUE(name, company_id)", "A collection case's reference is unique in its company."),
    ]

    def init(self):
        # One open case per lease, whoever opens it (the close or a manager, maybe both at once).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS leasing_collection_case_one_open_per_contract
                ON leasing_collection_case (contract_id) WHERE NOT is_closed
            """
        )

    @api.depends("partner_id")
    def _compute_lessee_address(self):
        for case in self:
            partner = case.partner_id
            parts = [partner.street, partner.street2, partner.zip, partner.city, partner.state_id.name]
            address = ", ".join(filter(None, [*parts, partner.country_id.name]))
            case.lessee_address = address or False
            case.lessee_map_url = (
                f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if address else False
            )

    @api.depends("contract_id")
    def _compute_overdue_line_ids(self):
        # The close's figures of the lease's lines, for a case the user reads (the record rules on
        # the lines are the lease's).
        lines = self.env["leasing.schedule.line"].search(
            [("contract_id", "in", self.contract_id.ids), ("days_past_due", ">", 0)], order="due_date, sequence"
        )
        by_contract = lines.grouped("contract_id")
        for case in self:
            case.overdue_line_ids = by_contract.get(case.contract_id, lines.browse())

    @api.depends("contract_id")
    def _compute_statement(self):
        today = fields.Date.context_today(self)
        Statement = self.env["leasing.debt.statement"]
        contracts = self.contract_id
        contracts.check_access("read")
        # The ledger behind the leases the user reads, as the debt statement reads it (by SQL).
        _receivables, matches = Statement._ledger_receivables(contracts, today) if contracts else ({}, {})
        kinds = dict(self.env["leasing.debt.statement.payment"]._fields["kind"]._description_selection(self.env))
        for case in self:
            contract = case.contract_id
            payments = sorted(matches.get(contract.id, []), key=lambda row: (row["date"], row["reference"] or ""))
            case.last_payments = self._last_payments_html(payments[-LAST_PAYMENTS:][::-1], contract.currency_id, kinds)
            quote, error = (None, False)
            if contract.state == "active":
                quote, error = Statement._payoff_quote(contract, today)
            case.payoff_amount = quote["total"] if quote else 0.0
            case.payoff_note = error or (False if quote else self.env._("The lease is not in force."))

    def _last_payments_html(self, payments, currency, kinds):
        if not payments:
            return Markup("<p class='text-muted'>%s</p>") % self.env._("No payment yet.")
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
            % (
                format_date(self.env, row["date"]),
                row["reference"] or "",
                kinds.get(row["kind"], ""),
                formatLang(self.env, row["amount"], currency_obj=currency),
            )
            for row in payments
        )
        head = Markup("<thead><tr><th>%s</th><th>%s</th><th>%s</th><th class='text-end'>%s</th></tr></thead>") % (
            self.env._("Date"),
            self.env._("Reference"),
            self.env._("Kind"),
            self.env._("Applied"),
        )
        return Markup("<table class='table table-sm o_leasing_case_payments'>%s<tbody>%s</tbody></table>") % (
            head,
            rows,
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        Contract = self.env["leasing.contract"]
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("contract_id"):
                company = Contract.browse(vals["contract_id"]).company_id
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("leasing.collection.case") or "/"
                )
        return super(LeasingCollectionCase, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        if "stage_id" in vals:
            self._check_reopening(self.env["leasing.collection.stage"].browse(vals["stage_id"]))
        res = super().write(vals)
        if "stage_id" in vals:
            # When a case closes (or opens again): the system's own dates, whoever moves the stage.
            self.filtered(
                lambda case: case.is_closed and not case.closed_date
            ).sudo().closed_date = fields.Date.context_today(self)
            self.filtered(lambda case: not case.is_closed and case.closed_date).sudo().closed_date = False
        return res

    def _check_reopening(self, stage):
        """A closed case moved back to an open stage must be its lease's only open case."""
        if not stage or stage.is_closed:
            return
        reopened = self.filtered("is_closed")
        if not reopened:
            return
        # Whatever the user reads: the index refuses a second open case of the lease anyway.
        open_sudo = self.sudo().search(
            [("contract_id", "in", reopened.contract_id.ids), ("is_closed", "=", False), ("id", "not in", self.ids)]
        )
        if open_sudo:
            raise UserError(
                self.env._(
                    "%(contracts)s already has an open collection case (%(cases)s): work that one instead.",
                    contracts=", ".join(open_sudo.contract_id.mapped("display_name")),
                    cases=", ".join(open_sudo.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_contract(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "leasing.contract",
            "res_id": self.contract_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_dispatch(self):
        """The dispatch wizard on these cases (the list's action does the same)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_collection_dispatch")
        action["context"] = {"active_model": self._name, "active_ids": self.ids}
        return action

    # ------------------------------------------------------------------
    # The close: opening, figures, resolution
    # ------------------------------------------------------------------
    @api.model
    def _open_for_contracts(self, contracts, date):
        """Open a case (stage New) on each of ``contracts`` that has no open case, as of ``date``;
        return the cases opened. Safe against a case opened meanwhile by another transaction (a
        manager, another server): a lease that got one is skipped, never given a second."""
        for attempt in range(2):
            contract_ids = self._contracts_without_open_case(contracts)
            if not contract_ids:
                return self.browse()
            try:
                with self.env.cr.savepoint():
                    # The system opens the cases: their lease and dates are fields only it sets.
                    cases = (
                        self.sudo()
                        .with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
                        .create([{"contract_id": cid, "opened_date": date} for cid in contract_ids])
                    )
                    self.env.flush_all()
                return cases.sudo(self.env.su)
            except psycopg2.errors.UniqueViolation:
                if attempt:
                    raise
                # Another transaction opened a case on one of them: look again.
                continue
        return self.browse()

    @api.model
    def _contracts_without_open_case(self, contracts):
        """Ids of ``contracts`` without an open case, in id order."""
        if not contracts:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM leasing_contract c
                 WHERE c.id = ANY(%s)
                   AND NOT EXISTS (SELECT 1 FROM leasing_collection_case k
                                    WHERE k.contract_id = c.id AND NOT k.is_closed)
                 ORDER BY c.id
                """,
                list(contracts.ids),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _sync_with_contracts(self, contracts):
        """Copy the lease's figures of its last close onto its open case, with the debt class,
        for each of ``contracts``: one statement. Return the number of cases updated."""
        if not contracts:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE leasing_collection_case k
                   SET days_past_due = COALESCE(c.days_past_due, 0),
                       aging_bucket_id = c.aging_bucket_id,
                       amount_overdue = COALESCE(c.amount_in_arrears, 0),
                       penalty_due = COALESCE(c.penalty_due, 0),
                       debt_term = CASE WHEN COALESCE(c.days_past_due, 0)
                                             > COALESCE(co.leasing_long_term_overdue_days, 90)
                                        THEN 'long' ELSE 'short' END,
                       debt_nature = CASE WHEN EXISTS (
                                              SELECT 1
                                                FROM leasing_contract_line cl
                                                JOIN product_product pp ON pp.id = cl.product_id
                                                JOIN product_template pt ON pt.id = pp.product_tmpl_id
                                               WHERE cl.contract_id = c.id AND pt.type = 'consu')
                                          THEN 'goods' ELSE 'service' END,
                       customer_class = CASE WHEN p.leasing_key_customer OR cp.leasing_key_customer
                                             THEN 'key' ELSE 'ordinary' END
                  FROM leasing_contract c
                  JOIN res_company co ON co.id = c.company_id
                  JOIN res_partner p ON p.id = c.partner_id
             LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE k.contract_id = c.id
                   AND NOT k.is_closed
                   AND c.id = ANY(%s)
                """,
                list(contracts.ids),
            )
        )
        count = self.env.cr.rowcount
        self.env["leasing.collection.case"].invalidate_model(SYNCED_FIELDS)
        return count

    @api.model
    def _resolve_current(self, contracts, date):
        """Resolve the open cases of ``contracts`` whose lease is current again (no day past due,
        nothing in arrears): stage Resolved, closed on ``date``. Return the cases resolved."""
        if not contracts:
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT k.id FROM leasing_collection_case k
                  JOIN leasing_contract c ON c.id = k.contract_id
                 WHERE NOT k.is_closed
                   AND c.id = ANY(%s)
                   AND COALESCE(c.days_past_due, 0) = 0
                   AND COALESCE(c.amount_in_arrears, 0) <= 0
                 ORDER BY k.id
                """,
                list(contracts.ids),
            )
        )
        cases = self.browse([row[0] for row in self.env.cr.fetchall()])
        if cases:
            resolved = self.env["leasing.collection.stage"]._by_key("resolved")
            # The close resolves them: tracked in each case's chatter, the date the close's.
            cases.sudo().write({"stage_id": resolved.id, "closed_date": date})
        return cases

    # ------------------------------------------------------------------
    # Field work: the collectors' contacts and the lessee's promises to pay
    # (leasing_collection_log.py, leasing_collection_promise.py)
    # ------------------------------------------------------------------
    log_ids = fields.One2many("leasing.collection.log", "case_id", string="Contacts")
    log_count = fields.Integer(compute="_compute_log_count", string="Contacts Logged")
    promise_ids = fields.One2many("leasing.collection.promise", "case_id", string="Promises to Pay")

    @api.depends("log_ids")
    def _compute_log_count(self):
        counts = dict(
            self.env["leasing.collection.log"]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
        )
        for case in self:
            case.log_count = counts.get(case, 0)

    def action_log_contact(self):
        """The phone-sized form to log a contact on this case."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Contact"),
            "res_model": "leasing.collection.log",
            "view_mode": "form",
            "views": [(self.env.ref("leasing_collections.view_leasing_collection_log_form").id, "form")],
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    # ------------------------------------------------------------------
    # Collection requests
    # ------------------------------------------------------------------
    def action_new_request(self):
        """A new request on this case's lease, of the type the button passes in its context
        (``default_request_type``: only a default of the form), to fill in and submit."""
        self.ensure_one()
        self.check_access("read")
        self.env["leasing.collection.request"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Request"),
            "res_model": "leasing.collection.request",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_case_id": self.id,
                "default_contract_id": self.contract_id.id,
                "default_request_type": self.env.context.get("default_request_type") or "waiver",
            },
        }

    # ------------------------------------------------------------------
    # Legal stage
    # ------------------------------------------------------------------
    legal_action_ids = fields.One2many("leasing.legal.action", "case_id", string="Legal Files")
    legal_action_count = fields.Integer(compute="_compute_legal_action_count", string="Legal Files Count")

    def _compute_legal_action_count(self):
        counts = dict(
            self.env["leasing.legal.action"]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
        )
        for case in self:
            case.legal_action_count = counts.get(case, 0)

    @api.constrains("stage_id")
    def _check_legal_file(self):
        # Whether the case has a legal file at all, whoever moves it (a collector may not see
        # the files of a case that is not theirs): a plain existence check.
        cases_sudo = self.sudo().filtered(lambda case: case.stage_key == "legal" and not case.legal_action_ids)
        if cases_sudo:
            raise ValidationError(
                self.env._(
                    "%(cases)s: a case goes to the Legal stage with a legal file: open one with the Open Legal File "
                    "button.",
                    cases=", ".join(cases_sudo.mapped("name")),
                )
            )

    def action_open_legal_file(self):
        """Take this case to court: its open legal file (a new one when it has none), and the
        case in the Legal stage."""
        self.ensure_one()
        if not self.env.user.has_group("leasing_collections.group_leasing_collection_manager"):
            raise AccessError(self.env._("Taking a case to court is for the Collection Managers."))
        if self.is_closed:
            raise UserError(
                self.env._(
                    "%(case)s is closed (%(stage)s): it cannot go to court.", case=self.name, stage=self.stage_id.name
                )
            )
        legal_file = self.legal_action_ids.filtered(lambda action: action.state != "closed")[:1]
        if not legal_file:
            # The file's case is the system's (set here only): created as superuser once the
            # rights and the case are checked; it claims what the lease owes by its last close.
            legal_file = (
                self.env["leasing.legal.action"]
                .sudo()
                .create(
                    {
                        "case_id": self.id,
                        "claimed_amount": self.currency_id.round(self.amount_overdue + self.penalty_due),
                    }
                )
                .sudo(False)
            )
        if self.stage_key != "legal":
            self.stage_id = self.env["leasing.collection.stage"]._by_key("legal")
        return {
            "type": "ir.actions.act_window",
            "res_model": "leasing.legal.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": legal_file.id,
        }

    def action_view_legal_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_legal_action")
        action.update(
            domain=[("case_id", "=", self.id)],
            context={"create": False},
        )
        if len(self.legal_action_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.legal_action_ids.id)
        return action

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------
    @api.model
    def _demo_collection_work(self):
        """The collection work of the demo (demo/leasing_collection_work_demo.xml), on the cases the
        demo close opened and the office dispatched: every step by the method its button calls,
        as the user who clicks it (the collector of the case, the administrator as the manager),
        so that every figure is the ledger's."""
        ref = self.env.ref
        today = fields.Date.context_today(self)
        admin = ref("base.user_admin")

        def case_of(xmlid):
            case = self.search([("contract_id", "=", ref(xmlid).id)], order="id desc", limit=1)
            if not case.collector_id:
                self.env["leasing.collection.dispatch"].create(
                    {
                        "case_ids": [fields.Command.set(case.ids)],
                        "assign_to": "team",
                        "team_id": ref("leasing_collections.team_field").id,
                        "spread_by": "amount",
                    }
                ).action_dispatch()
            return case

        def log(case, days_ago, channel, result, notes, **values):
            when = fields.Datetime.now() - relativedelta(days=days_ago, hours=2)
            return (
                self.env["leasing.collection.log"]
                .with_user(case.collector_id)
                .create(
                    {
                        "case_id": case.id,
                        "date": when,
                        "channel": channel,
                        "result": result,
                        "notes": notes,
                        **values,
                    }
                )
            )

        def request(case, request_type, reason, **values):
            return (
                self.env["leasing.collection.request"]
                .with_user(case.collector_id)
                .create(
                    {
                        "request_type": request_type,
                        "case_id": case.id,
                        "contract_id": case.contract_id.id,
                        "reason": reason,
                        **values,
                    }
                )
            )

        # The case furthest behind, Contacted: no answer, then a visit and a promise that broke.
        behind = case_of("leasing_management.contract_lingnan_trucks_active")
        log(behind, 9, "call", "no_answer", "Rang the finance office twice.")
        visit = log(behind, 8, "visit", "asked_time", "The fleet manager asks for time: a customer pays them late.")
        # A promise made at that visit for three days ago, found unpaid by the close of
        # yesterday: recorded as that close left it (a demo cannot run the closes of past days),
        # then what the close does about a broken promise.
        broken_sudo = (
            self.env["leasing.collection.promise"]
            .sudo()
            .create(
                {
                    "case_id": behind.id,
                    "log_id": visit.id,
                    "user_id": behind.collector_id.id,
                    "made_date": today - relativedelta(days=8),
                    "date": today - relativedelta(days=3),
                    "amount": behind.currency_id.round(behind.amount_overdue / 3),
                    "state": "broken",
                    "amount_paid": 0.0,
                    "broken_date": today - relativedelta(days=1),
                }
            )
        )
        broken_sudo._collections_act_on_broken(today - relativedelta(days=1))
        # An unlock asked in advance, still a draft.
        request(behind, "unlock", "To unlock the trucks as soon as the lessee is current again.")

        # An Assigned case, not reached yet: a waiver of part of the penalty, asked to the managers
        # on the lessee's letter.
        assigned = case_of("leasing_management.contract_andinas_active")
        waivable = assigned.currency_id.round(assigned.contract_id.penalty_accrued / 4)
        if not assigned.currency_id.is_zero(waivable):
            waiver = request(
                assigned, "waiver", "The first rent was paid by a transfer the bank delayed.", amount=waivable
            )
            waiver.with_user(assigned.collector_id).action_submit()

        # A promise to pay, open; the lessee's request to settle at a discount, refused.
        promise_case = case_of("leasing_collections.contract_pacifico_mixer_promise")
        log(promise_case, 3, "call", "no_answer", "Voicemail.")
        log(
            promise_case,
            0,
            "visit",
            "promised",
            "Met the owner at the site: pays the rents due next week.",
            promise_date=today + relativedelta(days=7),
            promise_amount=promise_case.amount_overdue,
        )
        settlement = request(
            promise_case, "settlement", "The lessee offers to settle the lease this month.", date=today
        )
        settlement.with_user(promise_case.collector_id).action_submit()
        settlement.with_user(admin)._action_refuse("Not at a discount: the lessee has promised to catch up.")

        # To court: refused visits, the unit to be towed back (approved, waiting for the tow),
        # the lock refused while the court is seized, and the legal file with a hearing.
        legal_case = case_of("leasing_collections.contract_sabana_trailer_legal")
        log(legal_case, 20, "visit", "refused", "The manager refuses to pay or to return the trailer.")
        log(legal_case, 12, "letter", "no_answer", "Formal notice sent by registered letter.")
        repossession = request(legal_case, "repossession", "The lessee refuses to pay and keeps the trailer.")
        repossession.with_user(legal_case.collector_id).action_submit()
        repossession.with_user(admin).action_approve()
        lock = request(legal_case, "lock", "Lock the trailer until the lessee pays.")
        lock.with_user(legal_case.collector_id).action_submit()
        lock.with_user(admin)._action_refuse("The court is seized: no lock before the hearing.")
        action = legal_case.with_user(admin).action_open_legal_file()
        legal_file = self.env["leasing.legal.action"].with_user(admin).browse(action["res_id"])
        legal_file.write(
            {
                "lawyer_id": ref("leasing_collections.partner_demo_law_firm").id,
                "court": "Juzgado Civil del Circuito de Bogotá",
                "court_case_number": f"11001-31-03-{today.year}-0{legal_file.id:04d}",
                "filing_date": today - relativedelta(days=10),
                "legal_costs": 1850.0,
                "notes": "Claim for the rents due and the return of the trailer.",
            }
        )
        legal_file.action_file()
        legal_file.action_in_court()
        legal_file.activity_schedule(
            "leasing_collections.mail_activity_type_hearing",
            date_deadline=today + relativedelta(days=12),
            summary="First hearing",
            user_id=admin.id,
        )
        legal_file.action_bill_legal_costs()

        # Written off: nobody answers; the debt goes to bad debts (approved by a Leasing Manager).
        lost = case_of("leasing_collections.contract_great_lakes_van_write_off")
        log(lost, 30, "call", "wrong_number", "The number is no longer in service.")
        log(lost, 25, "visit", "other", "The warehouse is empty; the company has closed.")
        write_off = request(lost, "write_off", "The lessee closed down; the van was not found.", date=today)
        write_off.with_user(lost.collector_id).action_submit()
        write_off.with_user(admin).action_approve()

        # Paid up: a promise for this week, kept the same day; tonight's close resolves the case.
        paying = case_of("leasing_collections.contract_norte_forklift_pays_up")
        log(
            paying,
            0,
            "call",
            "promised",
            "The controller promises the transfer of everything due this week.",
            promise_date=today + relativedelta(days=3),
            promise_amount=paying.amount_overdue,
        )
        invoices = self.env["account.move"].search(
            [
                ("leasing_contract_id", "=", paying.contract_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.env["account.payment.register"].with_user(admin).with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": True, "payment_date": today})._create_payments()
        # The close run again today by a manager: the promise is kept, the case resolved.
        self.env["leasing.close.run.wizard"].with_user(admin).create(
            {"company_id": paying.company_id.id, "date": today}
        ).action_run()
