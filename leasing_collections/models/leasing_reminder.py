import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, format_amount, format_date, mute_logger

from ..tools.reminders import before_due_window, levels_due
from .leasing_reminder_level import REMINDER_CHANNELS

_logger = logging.getLogger(__name__)

# From this many days late, a letter is a formal notice (it warns of the lease's termination).
FORMAL_NOTICE_DAYS = 30
REMINDER_STATES = [("pending", "To Print"), ("sent", "Sent"), ("failed", "Not Sent")]
# Letters a call of the printing cron prints (one transaction).
LETTER_BATCH_SIZE = 50
# The columns the close fills when it records the reminders due, in this order.
INSERT_COLUMNS = (
    "line_id",
    "level_id",
    "partner_id",
    "contract_id",
    "company_id",
    "channel",
    "days_past_due",
    "amount_due",
)


class LeasingReminder(models.Model):
    """A reminder of one instalment, of one level, to one recipient: recorded by the close before
    it is sent, in the same transaction, under a unique key (instalment, level, recipient). Two
    closes at once, a close run again or after days of downtime never send it twice. The close
    writes it as the system; everybody else reads it."""

    _name = "leasing.reminder"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Payment Reminder"
    _order = "date desc, id desc"

    line_id = fields.Many2one(
        "leasing.schedule.line", string="Instalment", required=True, readonly=True, index=True, ondelete="cascade"
    )
    level_id = fields.Many2one(
        "leasing.reminder.level", string="Level", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Recipient", required=True, readonly=True, index=True, ondelete="restrict"
    )
    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    lessee_id = fields.Many2one(related="contract_id.partner_id", string="Lessee")
    user_id = fields.Many2one(related="contract_id.user_id", string="Account Manager")
    due_date = fields.Date(related="line_id.due_date")
    date = fields.Date(required=True, readonly=True, index=True, help="Date of the close that sent it.")
    channel = fields.Selection(REMINDER_CHANNELS, required=True, readonly=True)
    state = fields.Selection(REMINDER_STATES, required=True, readonly=True, default="sent", string="Status")
    failure_reason = fields.Char(readonly=True, help="Why it could not be sent: the close does not try again.")
    days_past_due = fields.Integer(readonly=True, aggregator="max", help="Of the instalment, when it was sent.")
    amount_due = fields.Monetary(readonly=True, aggregator="sum", help="Unpaid of the instalment, when it was sent.")
    run_id = fields.Many2one("leasing.close.run", string="Close", readonly=True, ondelete="set null")
    message_id = fields.Many2one("mail.message", string="Message", readonly=True, ondelete="set null")
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", readonly=True, ondelete="set null", help="Until the mail queue has sent it."
    )
    sms_id = fields.Many2one(
        "sms.sms", string="SMS", readonly=True, ondelete="set null", help="Until the SMS queue has sent it."
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Call Task", readonly=True, ondelete="set null", help="Until it is done."
    )
    attachment_id = fields.Many2one("ir.attachment", string="Letter (PDF)", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "line_level_partner_uniq",
            "UNIQUE(line_id, level_id, partner_id)",
            "An instalment gets each reminder level once per recipient.",
        ),
    ]

    @api.depends("line_id", "level_id", "partner_id")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = (
                f"{reminder.line_id.display_name} - {reminder.level_id.name} - {reminder.partner_id.name}"
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingReminder, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    def action_open_letter(self):
        """Download the letter, to print it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "download",
        }

    def _letter_values(self):
        """What the letter says, written and formatted in the recipient's language: the report's
        values (its sentences are translated here, whole, rather than in pieces around the
        figures)."""
        self.ensure_one()
        env = self.with_context(lang=self._recipient_lang()).env
        contract, line = self.contract_id, self.line_id
        figures = {
            "lease": contract.name,
            "sequence": line.sequence,
            "lessee": contract.partner_id.name,
            "due_date": format_date(env, line.due_date),
            "amount": format_amount(env, line.amount_invoiced, self.currency_id),
            "amount_due": format_amount(env, self.amount_due, self.currency_id),
            "days_past_due": self.days_past_due,
        }
        guarantor = self.partner_id != contract.partner_id
        return {
            **figures,
            "date": format_date(env, self.date),
            "formal": self.level_id.days >= FORMAL_NOTICE_DAYS,
            "company": self.company_id.name,
            "subject": env._("Lease %(lease)s, instalment %(sequence)s", **figures),
            "greeting": env._("Dear %(name)s,", name=self.partner_id.name),
            "guarantor_note": guarantor
            and env._(
                "You stand as guarantor of the lease %(lease)s of %(lessee)s. We inform you that its lessee has "
                "not paid the instalment below.",
                **figures,
            ),
            "facts": env._(
                "Our records show that the instalment below was due on %(due_date)s and is still unpaid: "
                "%(amount_due)s remain due, %(days_past_due)s days past due.",
                **figures,
            ),
            "request": env._(
                "Penalty interest accrues on the unpaid amount for each day late. Please pay it without delay, or "
                "contact us to agree how you will."
            ),
            "notice": env._(
                "Failing payment within 8 days of this notice, we reserve the right to terminate the lease, to claim "
                "everything owed under it and to take back the leased assets."
            ),
            "already_paid": env._(
                "If you have paid it in the last few days, thank you, and please disregard this letter."
            ),
        }

    # ------------------------------------------------------------------
    # The close: which reminders fall due, recorded, then sent (as the system)
    # ------------------------------------------------------------------
    @api.model
    def _send_due(self, contracts, close_date, run=None):
        """Record and send the reminders due on ``close_date`` for the instalments of
        ``contracts`` (locked by the close, their figures just written) and not sent before.
        Return the reminders sent (or recorded as not sendable) by this call.

        Each (instalment, level, recipient) is inserted first, with ``ON CONFLICT DO NOTHING``
        on its unique key: only the rows this transaction inserts are sent, and what they send
        (a queued e-mail or SMS, an activity, a PDF, a chatter message) is written in the same
        transaction. Should it roll back, nothing is sent. Should another transaction record
        the same reminder first, this one waits for it to end: when it commits, this one (under
        Odoo's REPEATABLE READ) fails to serialize, and the close leaves the lease to a later
        call, which finds the reminder sent; when it rolls back, this one sends it."""
        Level = self.env["leasing.reminder.level"]
        # Just their company: reading the field alone would fetch every column of the leases.
        contracts.fetch(["company_id"])
        levels = Level.search([("company_id", "in", contracts.company_id.ids)])
        if not levels or not contracts:
            return self.browse()
        rows = self._due_rows(contracts, levels, close_date)
        reminders = self._record(rows, close_date, run)
        if reminders:
            reminders._send(close_date)
        return reminders

    @api.model
    def _due_rows(self, contracts, levels, close_date):
        """The reminders due on ``close_date`` for the instalments of ``contracts``, as tuples
        of INSERT_COLUMNS: each instalment invoiced and unpaid, each level of its company due
        (``tools.reminders.levels_due``), each recipient of the level."""
        # Plain tuples (id, channel, to the lessee, to the guarantors, to the account manager) for
        # the loop below: it meets each level once per unpaid instalment.
        levels_by_company = defaultdict(list)
        for level in levels:
            levels_by_company[level.company_id.id].append(
                (
                    (level.id, level.channel, level.to_lessee, level.to_guarantors, level.to_account_manager),
                    level.days,
                )
            )
        window = before_due_window([(level.id, level.days) for level in levels], close_date)
        contracts.flush_model(["state", "partner_id", "user_id", "company_id"])
        self.env["leasing.schedule.line"].flush_model(
            ["state", "due_date", "days_past_due", "amount_residual", "invoice_id", "cancelled"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.contract_id, c.company_id, c.partner_id, c.user_id, l.due_date,
                       COALESCE(l.days_past_due, 0) AS days_past_due, COALESCE(l.amount_residual, 0) AS amount_residual
                  FROM leasing_schedule_line l
                  JOIN leasing_contract c ON c.id = l.contract_id
                 WHERE l.contract_id IN %(contracts)s
                   AND l.invoice_id IS NOT NULL
                   AND NOT COALESCE(l.cancelled, FALSE)
                   AND l.state IN ('invoiced', 'partial', 'overdue')
                   AND (COALESCE(l.days_past_due, 0) > 0
                        OR (c.state = 'active' AND l.due_date BETWEEN %(first)s AND %(last)s))
                 ORDER BY l.contract_id, l.due_date, l.id
                """,
                contracts=tuple(contracts.ids),
                first=window[0] if window else None,
                last=window[1] if window else None,
            )
        )
        lines = self.env.cr.dictfetchall()
        if not lines:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT contract_id, partner_id FROM leasing_contract_guarantor_rel WHERE contract_id IN %s"
                " ORDER BY contract_id, partner_id",
                tuple({line["contract_id"] for line in lines}),
            )
        )
        guarantors = defaultdict(list)
        for contract_id, partner_id in self.env.cr.fetchall():
            guarantors[contract_id].append(partner_id)
        # What was sent already (most of it, every night: a level stays due while the instalment
        # is unpaid): left out here rather than met by the insert's ON CONFLICT, row by row.
        self.env.cr.execute(
            SQL(
                # An array, not a list of thousands of literals to quote one by one.
                "SELECT line_id, level_id, partner_id FROM leasing_reminder WHERE line_id = ANY(%s::int[])",
                [line["id"] for line in lines],
            )
        )
        sent = set(self.env.cr.fetchall())
        users = self.env["res.users"].browse({line["user_id"] for line in lines if line["user_id"]})
        manager_partner = {user.id: user.partner_id.id for user in users}
        rows = []
        for line in lines:
            due = levels_due(
                levels_by_company[line["company_id"]], line["due_date"], close_date, line["days_past_due"], unpaid=True
            )
            for level_id, channel, to_lessee, to_guarantors, to_account_manager in due:
                recipients = []
                if to_lessee:
                    recipients.append(line["partner_id"])
                if to_guarantors:
                    recipients += guarantors[line["contract_id"]]
                if to_account_manager and manager_partner.get(line["user_id"]):
                    recipients.append(manager_partner[line["user_id"]])
                for partner_id in dict.fromkeys(recipients):
                    if (line["id"], level_id, partner_id) in sent:
                        continue
                    rows.append(
                        (
                            line["id"],
                            level_id,
                            partner_id,
                            line["contract_id"],
                            line["company_id"],
                            channel,
                            line["days_past_due"],
                            line["amount_residual"],
                        )
                    )
        return rows

    @api.model
    def _record(self, rows, close_date, run=None):
        """Insert the reminders of ``rows`` (INSERT_COLUMNS tuples) not recorded yet, in one
        statement, in the order of their key (two transactions inserting the same keys wait for
        each other in the same order: no deadlock); return those this call inserted."""
        if not rows:
            return self.browse()
        rows = sorted(rows, key=lambda row: row[:3])
        columns = list(zip(*rows))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO leasing_reminder (line_id, level_id, partner_id, contract_id, company_id, channel,
                                              days_past_due, amount_due, date, run_id, state,
                                              create_uid, create_date, write_uid, write_date)
                SELECT u.line_id, u.level_id, u.partner_id, u.contract_id, u.company_id, u.channel,
                       u.days_past_due, u.amount_due, %(date)s, %(run)s,
                       CASE WHEN u.channel = 'letter' THEN 'pending' ELSE 'sent' END,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(lines)s::int[], %(levels)s::int[], %(partners)s::int[], %(contracts)s::int[],
                              %(companies)s::int[], %(channels)s::varchar[], %(dpds)s::int[], %(amounts)s::numeric[])
                       AS u(line_id, level_id, partner_id, contract_id, company_id, channel, days_past_due, amount_due)
                    ON CONFLICT (line_id, level_id, partner_id) DO NOTHING
                RETURNING id
                """,
                date=close_date,
                run=run.id if run else None,
                uid=self.env.uid,
                lines=list(columns[0]),
                levels=list(columns[1]),
                partners=list(columns[2]),
                contracts=list(columns[3]),
                companies=list(columns[4]),
                channels=list(columns[5]),
                dpds=list(columns[6]),
                amounts=list(columns[7]),
            )
        )
        return self.browse(sorted(row[0] for row in self.env.cr.fetchall()))

    def _send(self, close_date):
        """Send these reminders, just recorded, by their channels, and write each in its lease's
        chatter; then store what each produced, or why it could not be sent."""
        outcome = {}
        by_channel = self.grouped("channel")
        if "email" in by_channel:
            outcome.update(by_channel["email"]._send_emails())
        if "sms" in by_channel:
            outcome.update(by_channel["sms"]._send_sms())
        if "call" in by_channel:
            outcome.update(by_channel["call"]._schedule_calls(close_date))
        if "letter" in by_channel:
            # Printing is slow (wkhtmltopdf): the letters are printed by their own cron, after
            # the close, in batches, without holding the close's leases.
            self.env.ref("leasing_collections.ir_cron_reminder_letters")._trigger()
        self._log_failures({reminder: values for reminder, values in outcome.items() if values.get("failure_reason")})
        self._store_outcome(outcome)

    def _recipient_lang(self):
        """The recipient's language (the company's, then the system's, when theirs is not set or
        no longer installed)."""
        self.ensure_one()
        return self._installed_lang(self.partner_id.lang)

    def _staff_lang(self):
        """The language of what the lease's staff reads (its account manager's)."""
        self.ensure_one()
        return self._installed_lang(self.contract_id.user_id.lang)

    def _installed_lang(self, lang):
        """``lang`` if it is installed, else the company's language, else the system's."""
        installed = dict(self.env["res.lang"].get_installed())
        for candidate in (lang, self.company_id.partner_id.lang, self.env.lang):
            if candidate in installed:
                return candidate
        return "en_US"

    def _staff_env(self):
        """An environment in the language of the lease's staff."""
        self.ensure_one()
        return self.with_context(lang=self._staff_lang()).env

    def _author(self):
        """Who a reminder is from in the chatter: the lease's account manager, or its company."""
        self.ensure_one()
        return self.contract_id.user_id.partner_id or self.company_id.partner_id

    def _template_res_id(self, template):
        """The record ``template`` is rendered on for this reminder: its instalment or its lease."""
        self.ensure_one()
        return self.line_id.id if template.model == "leasing.schedule.line" else self.contract_id.id

    def _send_emails(self):
        """Post each reminder's e-mail on its lease, to its recipient only, in their language:
        the templates rendered once for each (template, language), the e-mails left in Odoo's
        mail queue (not sent during the close)."""
        subtype = self.env.ref("leasing_collections.mt_leasing_reminder")
        outcome, messages = {}, {}
        sendable = self.filtered(lambda reminder: reminder.partner_id.email)
        for reminder in self - sendable:
            outcome[reminder] = {
                "state": "failed",
                "failure_reason": reminder._staff_env()._(
                    "%(partner)s has no e-mail address.", partner=reminder.partner_id.display_name
                ),
            }
        groups = sendable.grouped(lambda reminder: (reminder.level_id.mail_template_id, reminder._recipient_lang()))
        for (template, lang), reminders in groups.items():
            res_ids = list(dict.fromkeys(reminder._template_res_id(template) for reminder in reminders))
            rendered = {
                name: template._render_field(name, res_ids, set_lang=lang)
                for name in ("subject", "body_html", "email_from", "reply_to")
            }
            for reminder in reminders:
                res_id = reminder._template_res_id(template)
                message = reminder.contract_id.with_context(lang=lang).message_post(
                    body=rendered["body_html"][res_id],
                    subject=rendered["subject"][res_id],
                    email_from=rendered["email_from"][res_id] or None,
                    reply_to=rendered["reply_to"][res_id] or None,
                    author_id=reminder._author().id,
                    partner_ids=reminder.partner_id.ids,
                    message_type="comment",
                    subtype_id=subtype.id,
                    email_layout_xmlid="mail.mail_notification_light",
                    force_send=False,
                    force_email_lang=lang,
                    mail_auto_delete=template.auto_delete,
                )
                messages[reminder] = message
        # The outgoing mails of the messages just posted, to link each to its reminder: mail.mail
        # is readable by administrators only.
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", [message.id for message in messages.values()])])
        )
        mail_of = {mail.mail_message_id: mail for mail in mails}
        for reminder, message in messages.items():
            outcome[reminder] = {"message_id": message.id, "mail_id": mail_of.get(message, mails.browse()).id}
        return outcome

    def _send_sms(self):
        """Post each reminder's SMS on its lease, to its recipient only, in their language, through
        Odoo's SMS queue: the templates rendered once for each (template, language)."""
        subtype = self.env.ref("leasing_collections.mt_leasing_reminder")
        outcome, messages = {}, {}
        sendable = self.filtered(lambda reminder: reminder.partner_id.mobile or reminder.partner_id.phone)
        for reminder in self - sendable:
            outcome[reminder] = {
                "state": "failed",
                "failure_reason": reminder._staff_env()._(
                    "%(partner)s has no mobile number.", partner=reminder.partner_id.display_name
                ),
            }
        groups = sendable.grouped(lambda reminder: (reminder.level_id.sms_template_id, reminder._recipient_lang()))
        for (template, lang), reminders in groups.items():
            res_ids = list(dict.fromkeys(reminder._template_res_id(template) for reminder in reminders))
            bodies = template._render_field("body", res_ids, set_lang=lang)
            for reminder in reminders:
                messages[reminder] = reminder.contract_id.with_context(lang=lang)._message_sms(
                    bodies[reminder._template_res_id(template)],
                    partner_ids=reminder.partner_id.ids,
                    subtype_id=subtype.id,
                    author_id=reminder._author().id,
                    put_in_queue=True,
                )
        # The queued SMS of the messages just posted, to link each to its reminder: sms.sms is
        # readable by administrators only.
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "in", [message.id for message in messages.values()])])
        )
        sms_of = {record.mail_message_id: record for record in sms}
        for reminder, message in messages.items():
            outcome[reminder] = {"message_id": message.id, "sms_id": sms_of.get(message, sms.browse()).id}
        return outcome

    def _schedule_calls(self, close_date):
        """A call task (an activity) for the account manager of each reminder's lease, due on the
        close date, created in one go; a note in the chatter of each lease."""
        outcome, vals_list, scheduled = {}, [], self.browse()
        activity_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("leasing.contract")
        for reminder in self:
            manager = reminder.contract_id.user_id
            env = reminder._staff_env()
            if not manager.active:
                outcome[reminder] = {
                    "state": "failed",
                    "failure_reason": env._(
                        "the lease has no account manager to call %(partner)s.",
                        partner=reminder.partner_id.display_name,
                    ),
                }
                continue
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": reminder.contract_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": manager.id,
                    "date_deadline": close_date,
                    "summary": env._(
                        "Call %(partner)s: %(level)s", partner=reminder.partner_id.name, level=reminder.level_id.name
                    ),
                    "note": reminder._describe(env),
                }
            )
            scheduled |= reminder
        # Many at once: the account managers see their tasks, they are not mailed one by one.
        activities = self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
        notes = defaultdict(list)
        for reminder, activity in zip(scheduled, activities):
            outcome[reminder] = {"activity_id": activity.id}
            env = reminder._staff_env()
            notes[reminder.contract_id].append(
                env._(
                    "Reminder %(level)s: a call task for %(manager)s to call %(partner)s about instalment %(line)s.",
                    level=reminder.level_id.name,
                    manager=reminder.contract_id.user_id.name,
                    partner=reminder.partner_id.display_name,
                    line=reminder.line_id.display_name,
                )
            )
        self._log_notes(notes)
        return outcome

    @api.model
    def _cron_print_letters(self, batch_size=LETTER_BATCH_SIZE):
        """Print the letters the close recorded (*To Print*), a batch per call, and report the
        progress to Odoo's cron runner, which commits after each call and calls again while some
        are left. The batch is locked (``FOR UPDATE SKIP LOCKED``): two workers never print the
        same letter, and a letter printed is attached and marked sent in one transaction, so it
        is attached once. Return the number of letters handled."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM leasing_reminder
                         WHERE state = 'pending' AND channel = 'letter'
                         ORDER BY id LIMIT %s
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                        batch_size,
                    )
                )
                reminders = self.browse([row[0] for row in self.env.cr.fetchall()])
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Printed by another worker since this transaction began: the next call sees them.
            _logger.info("Reminder letters printed by another transaction meanwhile")
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return 0
        if reminders:
            outcome = reminders._print_letters()
            for values in outcome.values():
                values.setdefault("state", "sent")
            reminders._log_failures(
                {reminder: values for reminder, values in outcome.items() if values.get("failure_reason")}
            )
            reminders._store_outcome(outcome)
        remaining = self.search_count([("state", "=", "pending"), ("channel", "=", "letter")])
        self.env["ir.cron"]._notify_progress(done=len(reminders), remaining=remaining)
        return len(reminders)

    def _print_letters(self):
        """Each reminder's letter (its level's report, in the recipient's language) as a PDF in
        its lease's chatter, ready to print. A letter the report engine cannot print (wkhtmltopdf
        missing or broken) is recorded as not sent, with the reason: it does not hold up the
        close, and can be printed from the reminder once the engine is mended."""
        outcome = {}
        for report, reminders in self.grouped(lambda reminder: reminder.level_id.report_id).items():
            documents = reminders._render_letters(report)
            for reminder in reminders:
                env = reminder._staff_env()
                document = documents[reminder.id]
                if isinstance(document, Exception):
                    outcome[reminder] = {
                        "state": "failed",
                        "failure_reason": env._("the letter could not be printed (%(error)s).", error=document),
                    }
                    continue
                filename = env._(
                    "Reminder %(line)s - %(partner)s.pdf",
                    line=reminder.line_id.display_name,
                    partner=reminder.partner_id.name,
                ).replace("/", "-")
                message = reminder.contract_id.message_post(
                    body=env._(
                        "Reminder %(level)s: the letter to %(partner)s about instalment %(line)s, ready to print.",
                        level=reminder.level_id.name,
                        partner=reminder.partner_id.display_name,
                        line=reminder.line_id.display_name,
                    ),
                    author_id=reminder._author().id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    attachments=[(filename, document)],
                )
                outcome[reminder] = {"message_id": message.id, "attachment_id": message.attachment_ids[:1].id}
        return outcome

    def _render_letters(self, report):
        """{reminder id: document, or the exception that kept it from being printed}: ``report``
        printed for these reminders, in one rendering where the report engine splits it by
        letter, one by one otherwise."""
        Report = self.env["ir.actions.report"]
        if len(self) > 1:
            try:
                with mute_logger("odoo.addons.base.models.ir_actions_report"), self.env.cr.savepoint():
                    streams, kind = Report._pre_render_qweb_pdf(report.report_name, res_ids=self.ids)
                if kind == "pdf" and set(streams) == set(self.ids):
                    return {res_id: value["stream"].getvalue() for res_id, value in streams.items()}
            except Exception:  # whatever the engine's failure, print them one by one below
                _logger.info("Printing %s reminder letters at once failed: printing them one by one", len(self))
        documents = {}
        for reminder in self:
            try:
                with self.env.cr.savepoint():
                    documents[reminder.id] = Report._render_qweb_pdf(report.report_name, reminder.ids)[0]
            except Exception as error:  # the report engine's failure: the letter is not sent, the close goes on
                _logger.warning("Reminder letter %s could not be printed", reminder.display_name, exc_info=True)
                documents[reminder.id] = error
        return documents

    def _describe(self, env):
        """What the reminder is about, for the staff (``env`` in their language)."""
        self.ensure_one()
        return env._(
            "Instalment %(line)s due on %(due)s: %(amount)s unpaid, %(days)s days past due. Lessee: %(lessee)s.",
            line=self.line_id.display_name,
            due=format_date(env, self.line_id.due_date),
            amount=format_amount(env, self.amount_due, self.currency_id),
            days=self.days_past_due,
            lessee=self.contract_id.partner_id.display_name,
        )

    def _log_failures(self, failures):
        """A note in the chatter of each lease with reminders that could not be sent, and why."""
        notes = defaultdict(list)
        for reminder, values in failures.items():
            env = reminder._staff_env()
            notes[reminder.contract_id].append(
                env._(
                    "Reminder %(level)s about instalment %(line)s not sent: %(reason)s",
                    level=reminder.level_id.name,
                    line=reminder.line_id.display_name,
                    reason=values["failure_reason"],
                )
            )
        self._log_notes(notes)

    @api.model
    def _log_notes(self, notes):
        """Log ``notes`` ({lease: [texts]}) in the leases' chatter, one note per lease, in one go."""
        if not notes:
            return
        contracts = self.env["leasing.contract"].browse([contract.id for contract in notes])
        bodies = {
            contract.id: Markup("<br/>").join(Markup("%s") % text for text in texts)
            for contract, texts in notes.items()
        }
        contracts._message_log_batch(bodies)

    def _store_outcome(self, outcome):
        """Write what each reminder produced, or why it was not sent: one statement."""
        if not outcome:
            return
        reminders = list(outcome)
        values = [outcome[reminder] for reminder in reminders]
        self.env.cr.execute(
            SQL(
                """
                UPDATE leasing_reminder r
                   SET state = COALESCE(u.state, r.state),
                       failure_reason = u.failure_reason,
                       message_id = u.message_id,
                       mail_id = u.mail_id,
                       sms_id = u.sms_id,
                       activity_id = u.activity_id,
                       attachment_id = u.attachment_id
                  FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::int[], %s::int[], %s::int[], %s::int[],
                              %s::int[])
                       AS u(id, state, failure_reason, message_id, mail_id, sms_id, activity_id, attachment_id)
                 WHERE r.id = u.id
                """,
                [reminder.id for reminder in reminders],
                [value.get("state") for value in values],
                [value.get("failure_reason") for value in values],
                *(
                    [value.get(name) or None for value in values]
                    for name in ("message_id", "mail_id", "sms_id", "activity_id", "attachment_id")
                ),
            )
        )
        self.invalidate_recordset(
            ["state", "failure_reason", "message_id", "mail_id", "sms_id", "activity_id", "attachment_id"]
        )
