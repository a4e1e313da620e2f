from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from ..tools.promises import promise_outcome

PROMISE_STATES = [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")]
# What a promise is once made: only an open promise's terms may still be corrected.
PROMISE_TERMS = ("case_id", "log_id", "date", "amount")
# What the close writes on a promise (the ORM cache is told).
PROMISE_CLOSE_FIELDS = ["state", "amount_paid", "kept_date", "broken_date"]
# Priorities go up to "3" (Critical): see PRIORITIES in leasing_collection_case.py.
MAX_PRIORITY = 3


class LeasingCollectionPromise(models.Model):
    """A lessee's promise to pay an amount by a date, made to a collector (from a contact log or
    on the case). The daily close marks it kept when the payments received on the lease since it
    was made reach its amount by its date (see ``tools/promises.py``), and broken the first close
    after its date without that: the case's priority goes up, it is back to Contacted and its
    collector is asked to call."""

    _name = "leasing.collection.promise"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Promise to Pay"
    _order = "date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "leasing.collection.case",
        string="Collection Case",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    contract_id = fields.Many2one(related="case_id.contract_id", store=True, index=True, string="Lease Contract")
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True, string="Lessee")
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
        help="Who recorded the promise.",
    )
    log_id = fields.Many2one(
        "leasing.collection.log",
        string="Contact Log",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        domain="[('case_id', '=', case_id)]",
        help="The contact at which the lessee promised.",
    )
    made_date = fields.Date(
        string="Made On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Payments received on the lease from this day count towards the promise.",
    )
    date = fields.Date(string="Promised Date", required=True, help="The day by which the lessee promised to pay.")
    amount = fields.Monetary(string="Promised Amount", required=True)
    state = fields.Selection(PROMISE_STATES, string="Status", required=True, readonly=True, default="open", index=True)
    amount_paid = fields.Monetary(
        string="Received",
        readonly=True,
        help="Received on the lease since the promise was made, up to its date (as of the last close).",
    )
    kept_date = fields.Date(string="Kept On", readonly=True, help="The day of the payment that completed it.")
    broken_date = fields.Date(string="Broken On", readonly=True, help="The close that found it unpaid after its date.")

    @api.depends("case_id.name", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(amount)s by %(date)s",
                amount=formatLang(self.env, promise.amount, currency_obj=promise.currency_id),
                date=format_date(self.env, promise.date),
            )

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for promise in self:
            if promise.state == "open" and promise.date < today:
                raise ValidationError(
                    self.env._(
                        "A promise to pay is for today or a later day: %(date)s is past.",
                        date=format_date(self.env, promise.date),
                    )
                )

    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(self.env._("A promise to pay is of an amount above zero."))

    @api.constrains("log_id", "case_id")
    def _check_log(self):
        for promise in self:
            if promise.log_id and promise.log_id.case_id != promise.case_id:
                raise ValidationError(
                    self.env._(
                        "The contact log %(log)s is of another case than %(case)s.",
                        log=promise.log_id.display_name,
                        case=promise.case_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        promises = super(LeasingCollectionPromise, self._without_system_defaults()).create(vals_list)
        promises.case_id.check_access("read")
        closed = promises.filtered(lambda promise: promise.case_id.is_closed)
        if closed:
            raise UserError(
                self.env._(
                    "The case %(case)s is closed: the lease is no longer followed up, so it takes no promise.",
                    case=closed[0].case_id.name,
                )
            )
        promises._move_cases_to_promise()
        return promises

    def write(self, vals):
        self._check_system_fields([vals])
        if any(name in vals for name in PROMISE_TERMS) and any(promise.state != "open" for promise in self):
            raise UserError(
                self.env._("A kept or broken promise stays as it was made: record a new promise to pay instead.")
            )
        return super().write(vals)

    def _move_cases_to_promise(self):
        """A case takes the stage Promise to Pay when a promise is made, unless it is at law."""
        stage = self.env["leasing.collection.stage"]._by_key("promise")
        cases = self.case_id.filtered(lambda case: case.stage_key != "legal" and case.stage_id != stage)
        if stage and cases:
            # The stage follows from the promise the user was allowed to make on the case.
            cases_sudo = cases.sudo()
            cases_sudo.write({"stage_id": stage.id})

    # ------------------------------------------------------------------
    # The daily close
    # ------------------------------------------------------------------
    @api.model
    def _collections_check(self, contracts, close_date):
        """Mark the open promises of ``contracts`` (locked by the close) as of ``close_date``:
        kept, broken or still open, with what was received towards each; then act on those that
        broke. Two reads and one update for the chunk, whatever its size; a promise changes state
        once only, however often and by however many servers the close runs (the update only
        takes promises still open, and the close acts on the rows it changed)."""
        if not contracts:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.contract_id, p.made_date, p.date, p.amount, COALESCE(p.amount_paid, 0) AS amount_paid,
                       cur.decimal_places
                  FROM leasing_collection_promise p
                  JOIN leasing_contract c ON c.id = p.contract_id
                  JOIN res_currency cur ON cur.id = c.currency_id
                 WHERE p.contract_id IN %s AND p.state = 'open' AND p.made_date <= %s
                """,
                tuple(contracts.ids),
                close_date,
            )
        )
        rows = self.env.cr.dictfetchall()
        if not rows:
            return
        # What the lessees paid on their lease invoices, dated by the payment (the definition
        # of the Collected report): the close reads the ledger of its leases, whoever runs it.
        Collected_sudo = self.env["leasing.collection.report"].sudo()
        payments = defaultdict(list)
        for paid in Collected_sudo.search_fetch(
            [
                ("contract_id", "in", list({row["contract_id"] for row in rows})),
                ("date", ">=", min(row["made_date"] for row in rows)),
                ("date", "<=", close_date),
            ],
            ["contract_id", "date", "amount"],
        ):
            payments[paid.contract_id.id].append((paid.date, paid.amount))
        changes = []
        for row in rows:
            outcome = promise_outcome(
                row["amount"],
                payments[row["contract_id"]],
                row["made_date"],
                row["date"],
                close_date,
                digits=row["decimal_places"],
            )
            if outcome.state != "open" or outcome.received != float(row["amount_paid"]):
                changes.append((row["id"], outcome, row))
        if not changes:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE leasing_collection_promise p
                   SET state = u.state, amount_paid = u.paid, kept_date = u.kept, broken_date = u.broken
                  FROM unnest(%s::int[], %s::varchar[], %s::numeric[], %s::date[], %s::date[])
                       AS u(id, state, paid, kept, broken)
                 WHERE p.id = u.id AND p.state = 'open'
             RETURNING p.id, p.state
                """,
                [promise_id for promise_id, _outcome, _row in changes],
                [outcome.state for _id, outcome, _row in changes],
                [outcome.received for _id, outcome, _row in changes],
                [outcome.kept_on for _id, outcome, _row in changes],
                [close_date if outcome.state == "broken" else None for _id, outcome, _row in changes],
            )
        )
        changed = self.env.cr.fetchall()
        self.browse([promise_id for promise_id, _state in changed]).invalidate_recordset(PROMISE_CLOSE_FIELDS)
        broken = self.browse([promise_id for promise_id, state in changed if state == "broken"])
        broken._collections_act_on_broken(close_date)

    def _collections_act_on_broken(self, close_date):
        """These promises just broke (the close changed their state): each open case behind them
        goes up one priority (at most Critical) and back to Contacted, unless it is at law, and
        its collector (or the lease's account manager) gets a call to make, in one create."""
        if not self:
            return
        # The close's own consequences of a broken promise, whoever runs the close and whatever
        # cases they may see.
        promises_sudo = self.sudo()
        cases = promises_sudo.case_id.filtered(lambda case: not case.is_closed)
        for priority, group in cases.grouped(lambda case: str(min(int(case.priority or 0) + 1, MAX_PRIORITY))).items():
            group.write({"priority": priority})
        contacted = self.env["leasing.collection.stage"]._by_key("contacted")
        back = cases.filtered(lambda case: case.stage_key != "legal" and case.stage_id != contacted)
        if contacted and back:
            back.write({"stage_id": contacted.id})
        activity_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        if not activity_type:
            return
        model_id = self.env["ir.model"]._get_id("leasing.collection.case")
        vals_list = []
        for case in cases:
            user = (case.collector_id | case.contract_id.user_id).filtered("active")[:1]
            if not user:
                continue
            case_promises = promises_sudo.filtered(lambda promise, case=case: promise.case_id == case)
            case_lang = case.with_context(lang=user.lang)
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "user_id": user.id,
                    "date_deadline": close_date,
                    "summary": case_lang.env._("Promise to pay broken: call the lessee"),
                    "note": Markup("<br/>").join(
                        case_lang.env._(
                            "%(lessee)s promised %(amount)s by %(date)s; received since: %(paid)s.",
                            lessee=case.partner_id.display_name,
                            amount=formatLang(case_lang.env, promise.amount, currency_obj=promise.currency_id),
                            date=format_date(case_lang.env, promise.date),
                            paid=formatLang(case_lang.env, promise.amount_paid, currency_obj=promise.currency_id),
                        )
                        for promise in case_promises
                    ),
                    "automated": True,
                }
            )
        if vals_list:
            # The close schedules the call for the collector: the system's activity, whoever runs the close.
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
