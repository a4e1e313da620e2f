from contextlib import suppress
from datetime import date

from freezegun import freeze_time

from odoo.addons.sms.tests.common import SMSCase
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon, give_cases

LANGS = ("zh_CN", "es_ES")


class Undo(Exception):
    """Rolls back what a block did, to compare two ways of getting there."""


@tagged("post_install", "-at_install")
class TestReminders(CollectionsCommon, SMSCase):
    """The reminder levels sent by the daily close, on the hand-worked lease of CollectionsCommon:
    instalments due 2026-02-28 (#1), 2026-03-31 (#2) and 2026-04-30 (#3); the test company's
    default levels: 3 days before (e-mail), 1 day late (SMS), 7 (call), 15 (e-mail and letter),
    30 (letter to the lessee and the guarantors)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(["leasing_collections"], list(LANGS), overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()
        spain = cls.env.ref("base.es")
        cls.lessee.write({"email": "pagos@sierra.example.com", "mobile": "+34600111222", "country_id": spain.id})
        cls.guarantor = cls.env["res.partner"].create(
            {"name": "Avales Ruiz", "email": "ruiz@avales.example.com", "mobile": "+34600333444"}
        )
        cls.levels = cls.env["leasing.reminder.level"].search([("company_id", "=", cls.company.id)])
        cls.before_3, cls.sms_1, cls.call_7, cls.email_15, cls.letter_15, cls.letter_30 = cls.levels

    def _lease(self, **values):
        return super()._lease(guarantor_ids=[(6, 0, self.guarantor.ids)], **values)

    def _close(self, at, chunk_size=2, print_letters=True):
        """The close of the day ``at``, then (``print_letters``) the letters it recorded, as
        their cron prints them."""
        run = super()._close(at, chunk_size=chunk_size)
        if print_letters:
            while self.env["leasing.reminder"]._cron_print_letters():
                pass
        return run

    def _reminders(self, contracts):
        reminders = self.env["leasing.reminder"].search([("contract_id", "in", contracts.ids)])
        return reminders.sorted(lambda r: (r.line_id.sequence, r.level_id.days, r.level_id.sequence, r.partner_id.id))

    def _keys(self, contracts):
        """(instalment #, level, recipient, date) of each reminder of ``contracts``."""
        return [
            (reminder.line_id.sequence, reminder.level_id, reminder.partner_id, reminder.date)
            for reminder in self._reminders(contracts)
        ]

    def _after(self, closes, contracts):
        """The reminders' keys after ``closes``, which are then rolled back."""
        with suppress(Undo), self.env.cr.savepoint():
            closes()
            keys = [key[:3] for key in self._keys(contracts)]
            raise Undo
        self.env.invalidate_all()
        return keys

    # ------------------------------------------------------------------
    def test_default_levels(self):
        self.assertEqual(self.levels.mapped("days"), [-3, 1, 7, 15, 15, 30])
        self.assertEqual(self.levels.mapped("channel"), ["email", "sms", "call", "email", "letter", "letter"])
        self.assertEqual(self.levels.mapped("to_guarantors"), [False] * 5 + [True])
        self.assertTrue(all(self.levels.mapped("to_lessee")))
        self.assertEqual(
            self.before_3.mail_template_id, self.env.ref("leasing_collections.mail_template_reminder_before_due")
        )
        self.assertEqual(self.sms_1.sms_template_id, self.env.ref("leasing_collections.sms_template_reminder_overdue"))
        # A new company gets them too, named in each language.
        company = self.env["res.company"].create({"name": "Arrendadora Nueva"})
        levels = self.env["leasing.reminder.level"].search([("company_id", "=", company.id)])
        self.assertEqual(len(levels), 6)
        self.assertEqual(levels.with_context(lang="es_ES")[1].name, "1 día de atraso (SMS)")
        self.assertEqual(levels.with_context(lang="zh_CN")[1].name, "逾期1天（短信）")

    def test_each_channel_once_across_two_closes(self):
        """First close on March 30: instalment 1 is 30 days late; every level after the due date
        is reached (a lease closed for the first time catches up), each sent once; instalment 2,
        due March 31, gets the "due in 3 days" e-mail. The close run again by hand that day, and
        the next day's close, send nothing more."""
        contract = self._lease()
        self._invoice("2026-03-25")
        with self.mockSMSGateway():
            self._close("2026-03-30", print_letters=False)
            reminders = self._reminders(contract)
            self.assertEqual(
                self._keys(contract),
                [
                    (1, self.sms_1, self.lessee, date(2026, 3, 30)),
                    (1, self.call_7, self.lessee, date(2026, 3, 30)),
                    (1, self.email_15, self.lessee, date(2026, 3, 30)),
                    (1, self.letter_15, self.lessee, date(2026, 3, 30)),
                    (1, self.letter_30, self.lessee, date(2026, 3, 30)),
                    (1, self.letter_30, self.guarantor, date(2026, 3, 30)),
                    (2, self.before_3, self.lessee, date(2026, 3, 30)),
                ],
            )
            # The letters are left to their own cron, which the close triggered.
            letters = reminders.filtered(lambda r: r.channel == "letter")
            self.assertEqual(set(letters.mapped("state")), {"pending"})
            self.assertFalse(letters.attachment_id)
            cron = self.env.ref("leasing_collections.ir_cron_reminder_letters")
            self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))
            self.assertEqual(self.env["leasing.reminder"]._cron_print_letters(batch_size=2), 2)
            self.assertEqual(self.env["leasing.reminder"]._cron_print_letters(batch_size=2), 1)
            self.assertEqual(self.env["leasing.reminder"]._cron_print_letters(batch_size=2), 0)
            self.assertEqual(set(reminders.mapped("state")), {"sent"})
            self.assertEqual(reminders[0].days_past_due, 30)
            self.assertEqual(reminders[0].amount_due, 3400.22)

            # E-mails: in Odoo's mail queue, to the lessee alone, written in the lease's chatter.
            emails = reminders.filtered(lambda r: r.channel == "email")
            self.assertEqual(emails.mail_id.mapped("state"), ["outgoing", "outgoing"])
            self.assertEqual(emails.mail_id.recipient_ids, self.lessee)
            self.assertIn("is overdue", emails[0].mail_id.subject)
            self.assertIn("is due on 03/31/2026", emails[1].mail_id.subject)
            self.assertEqual(emails.message_id.mapped("model"), ["leasing.contract"] * 2)
            self.assertEqual(set(emails.message_id.mapped("res_id")), {contract.id})
            self.assertEqual(emails.message_id.subtype_id, self.env.ref("leasing_collections.mt_leasing_reminder"))

            # SMS: through Odoo's SMS queue; the mocked gateway sends it when the queue runs.
            sms_reminder = reminders.filtered(lambda r: r.channel == "sms")
            self.assertSMSOutgoing(self.lessee, "+34600111222", content="instalment 1 of your lease")
            self.assertEqual(sms_reminder.sms_id.state, "outgoing")
            self.assertEqual(sms_reminder.message_id.message_type, "sms")
            self.assertEqual(self._sms, [])
            sms_reminder.sms_id.send()
            self.assertSMSIapSent(["+34600111222"], content="3,400.22")

        # The call: an activity for the account manager, due the day of the close.
        call = reminders.filtered(lambda r: r.channel == "call")
        self.assertRecordValues(
            call.activity_id,
            [
                {
                    "res_model": "leasing.contract",
                    "res_id": contract.id,
                    "user_id": contract.user_id.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "date_deadline": date(2026, 3, 30),
                }
            ],
        )
        self.assertIn(self.lessee.name, call.activity_id.summary)

        # Letters: one per recipient, attached to the lease's chatter, ready to print; from 30
        # days late, a formal notice, which tells the guarantor whose lease it is.
        self.assertEqual(len(letters.attachment_id), 3)
        self.assertEqual(set(letters.attachment_id.mapped("res_model")), {"leasing.contract"})
        self.assertEqual(set(letters.attachment_id.mapped("res_id")), {contract.id})
        self.assertTrue(all(name.endswith(".pdf") for name in letters.attachment_id.mapped("name")))
        to_guarantor = letters.filtered(lambda r: r.partner_id == self.guarantor).attachment_id.raw.decode()
        self.assertIn("Formal Notice", to_guarantor)
        self.assertIn("You stand as guarantor of the lease", to_guarantor)
        self.assertIn("Avales Ruiz", to_guarantor)
        first_letter = letters.filtered(lambda r: r.level_id == self.letter_15).attachment_id.raw.decode()
        self.assertIn("Payment Reminder", first_letter)
        self.assertNotIn("Formal Notice", first_letter)

        # Every reminder is in the chatter.
        messages = contract.message_ids
        self.assertLessEqual(reminders.message_id, messages)
        self.assertTrue(any("a call task for" in (message.body or "") for message in messages))

        # Again by hand the same day, then the next day's close: nothing more is sent.
        with freeze_time("2026-03-30"):
            self.env["leasing.close.run.wizard"].create({"company_id": self.company.id}).action_run()
        self._close("2026-03-31")
        self.assertEqual(self._reminders(contract), reminders)
        self.assertEqual(contract.reminder_count, 7)

    def test_in_the_recipients_language(self):
        """The lessee reads Spanish, the guarantor Chinese: each gets the templates and the letter
        in their language."""
        self.lessee.lang = "es_ES"
        self.guarantor.lang = "zh_CN"
        contract = self._lease()
        self._invoice("2026-03-25")
        with self.mockSMSGateway():
            self._close("2026-03-30")
            reminders = self._reminders(contract)
            email = reminders.filtered(lambda r: r.level_id == self.email_15)
            self.assertIn("está vencida", email.mail_id.subject)
            self.assertIn("sigue sin pagarse", email.mail_id.body_html)
            self.assertSMSOutgoing(self.lessee, "+34600111222", content="la cuota 1 de su arrendamiento")
        letters = reminders.filtered(lambda r: r.level_id == self.letter_30)
        by_partner = {letter.partner_id: letter.attachment_id.raw.decode() for letter in letters}
        to_lessee, to_guarantor = by_partner[self.lessee], by_partner[self.guarantor]
        self.assertIn("Requerimiento formal", to_lessee)
        self.assertIn("正式催告函", to_guarantor)
        self.assertIn("担保人", to_guarantor)

    def test_language_no_longer_installed(self):
        """A lessee whose language was uninstalled since: the reminders go out in the company's
        language, the close is not held up."""
        self.assertFalse(self.env["res.lang"].search([("code", "=", "fr_BE")]))
        contract = self._lease()
        self._invoice("2026-03-10")
        self.env.cr.execute("UPDATE res_partner SET lang = 'fr_BE' WHERE id = %s", [self.lessee.id])
        self.lessee.invalidate_recordset(["lang"])
        self._close("2026-03-16")
        reminders = self._reminders(contract)
        self.assertEqual(reminders.level_id, self.sms_1 | self.call_7 | self.email_15 | self.letter_15)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        email = reminders.filtered(lambda r: r.level_id == self.email_15)
        self.assertIn("is overdue", email.mail_id.subject)
        self.assertIn(
            "Payment Reminder", reminders.filtered(lambda r: r.channel == "letter").attachment_id.raw.decode()
        )

    def test_catch_up_after_ten_days_of_downtime(self):
        """Closed on March 5 (instalment 1 is 5 days late: the SMS), then no close for ten days.
        The close of March 16 sends the levels reached meanwhile (7 days: the call; 15 days: the
        e-mail and the letter), each once, as the daily closes would have; the next close sends
        nothing more."""
        contract = self._lease()
        self._invoice("2026-03-04")
        self._close("2026-03-05")
        self.assertEqual(self._keys(contract), [(1, self.sms_1, self.lessee, date(2026, 3, 5))])

        def daily():
            for day in range(6, 17):
                self._close(f"2026-03-{day:02}")

        every_day = self._after(daily, contract)
        self._close("2026-03-16")
        self.assertEqual(
            self._keys(contract),
            [
                (1, self.sms_1, self.lessee, date(2026, 3, 5)),
                (1, self.call_7, self.lessee, date(2026, 3, 16)),
                (1, self.email_15, self.lessee, date(2026, 3, 16)),
                (1, self.letter_15, self.lessee, date(2026, 3, 16)),
            ],
        )
        self.assertEqual([key[:3] for key in self._keys(contract)], every_day)
        self._close("2026-03-17")
        self.assertEqual(len(self._reminders(contract)), 4)

    def test_paid_instalment_gets_no_more_reminders(self):
        """Instalment 1 gets its SMS on March 2, then is paid on March 3: the close of March 20
        sends none of the later levels for it."""
        contract = self._lease()
        self._invoice("2026-03-01")
        self._close("2026-03-02")
        self.assertEqual(len(self._reminders(contract)), 1)
        self._pay(self._installment_invoices(contract)[0], payment_date="2026-03-03")
        self._close("2026-03-20")
        self.assertEqual(self._keys(contract), [(1, self.sms_1, self.lessee, date(2026, 3, 2))])
        # Partly paid, an instalment is still reminded.
        other = self._lease(partner_id=self.env["res.partner"].create({"name": "Otro", "email": "o@example.com"}).id)
        self._invoice("2026-03-20")
        self._pay(self._installment_invoices(other)[0], amount=400.22, payment_date="2026-03-20")
        self._close("2026-03-21")
        reminders = self._reminders(other).filtered(lambda r: r.line_id.sequence == 1)
        self.assertEqual(reminders.level_id, self.sms_1 | self.call_7 | self.email_15 | self.letter_15)
        self.assertEqual(reminders[0].amount_due, 3000.0)

    def test_before_due_level(self):
        """Instalment 2 (due March 31): the "due in 3 days" e-mail is due from March 28 to the due
        date, while it is unpaid. Never after the due date, even when no close ran in its days;
        not for an instalment paid in advance; not on March 27; on March 28, once."""
        contract = self._lease()
        paid_ahead = self._lease(partner_id=self.env["res.partner"].create({"name": "Pronto", "email": "p@x.com"}).id)
        self._invoice("2026-03-25")
        self._pay(self._installment_invoices(paid_ahead)[1], payment_date="2026-03-26")
        second = contract.schedule_line_ids.sorted("sequence")[1]

        def before_due(contracts):
            return self._reminders(contracts).filtered(lambda r: r.level_id == self.before_3)

        # Had no close run from March 28 to 31: on April 1 instalment 2 is 1 day late, and gets
        # the SMS, not the "due in 3 days" e-mail.
        keys = self._after(lambda: self._close("2026-04-01"), contract)
        self.assertEqual([key for key in keys if key[0] == 2], [(2, self.sms_1, self.lessee)])

        self._close("2026-03-27")
        self.assertFalse(before_due(contract))
        self._close("2026-03-28")
        self.assertEqual(before_due(contract).line_id, second)
        self.assertEqual(before_due(contract).mail_id.state, "outgoing")
        self._close("2026-03-29")
        self._close("2026-03-31")
        self.assertEqual(len(before_due(contract)), 1)
        self.assertFalse(before_due(paid_ahead))

    def test_copy_to_the_account_manager(self):
        """The 15-day e-mail with a copy to the account manager, who is also the author of the
        reminders in the chatter: both get it, each once."""
        self.email_15.to_account_manager = True
        contract = self._lease()
        manager = contract.user_id.partner_id
        manager.email = "manager@lessor.example.com"
        self._invoice("2026-03-10")
        self._close("2026-03-16")
        emails = self._reminders(contract).filtered(lambda r: r.level_id == self.email_15)
        self.assertEqual(emails.partner_id, self.lessee | manager)
        for reminder in emails:
            self.assertEqual(reminder.mail_id.recipient_ids, reminder.partner_id)
            self.assertEqual(reminder.message_id.author_id, manager)

    def test_recipient_without_address_recorded_not_sent(self):
        """A lessee without e-mail or mobile: the e-mail and SMS are recorded as not sent, with the
        reason, in the chatter too; they are not tried again every day."""
        partner = self.env["res.partner"].create({"name": "Sin Contacto"})
        contract = self._lease(partner_id=partner.id)
        self._invoice("2026-03-25")
        self._close("2026-03-16")
        failed = self._reminders(contract).filtered(lambda r: r.state == "failed")
        self.assertEqual(failed.mapped("channel"), ["sms", "email"])
        self.assertIn("has no mobile number", failed[0].failure_reason)
        self.assertIn("has no e-mail address", failed[1].failure_reason)
        self.assertTrue(any("not sent" in (message.body or "") for message in contract.message_ids))
        self._close("2026-03-17")
        self.assertEqual(len(self._reminders(contract).filtered(lambda r: r.state == "failed")), 2)

    # ------------------------------------------------------------------
    def test_bad_input(self):
        Level = self.env["leasing.reminder.level"]
        base = {"name": "Test", "company_id": self.company.id, "days": 5}
        cases = [
            ({"channel": "email"}, "an e-mail needs an e-mail template"),
            ({"channel": "sms"}, "an SMS needs an SMS template"),
            ({"channel": "letter"}, "a letter needs the report that prints it"),
            (
                {
                    "channel": "email",
                    "mail_template_id": self.env.ref("leasing_management.mail_template_leasing_contract").id,
                    "days": 4000,
                },
                "must lie between -365 (before it) and 3650, not 4000",
            ),
            ({"channel": "call", "to_account_manager": True}, "goes to the account manager anyway"),
            ({"channel": "call", "to_lessee": False}, "choose whom it goes to"),
        ]
        count = Level.search_count([])
        for vals, message in cases:
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as caught:
                Level.create(dict(base, **vals))
            self.assertIn(message, caught.exception.args[0])
        partner_template = self.env["mail.template"].create(
            {"name": "On partners", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaises(ValidationError):
            self.sms_1.write({"channel": "email", "mail_template_id": partner_template.id})
        self.assertEqual(Level.search_count([]), count)
        self.assertEqual(self.sms_1.channel, "sms")
        # Translated.
        for lang, expected in {"es_ES": "un correo electrónico necesita", "zh_CN": "电子邮件"}.items():
            with self.subTest(lang=lang), self.assertRaises(ValidationError) as caught:
                Level.with_context(lang=lang).create(dict(base, channel="email"))
            self.assertIn(expected, caught.exception.args[0])

    def test_rights(self):
        """Collectors read the levels and the reminders; the Collection Manager configures the
        levels; nobody writes a reminder but the close. Each company sees its own."""
        collector = new_test_user(self.env, "rem_collector", groups=COLLECTOR, company_id=self.company.id)
        manager = new_test_user(self.env, "rem_manager", groups=COLLECTION_MANAGER, company_id=self.company.id)
        contract = self._lease()
        self._invoice("2026-03-01")
        self._close("2026-03-02")
        reminder = self._reminders(contract)
        self.assertEqual(len(reminder), 1)
        # The collector reads the reminders of the leases behind their cases.
        give_cases(contract, collector)
        Level = self.env["leasing.reminder.level"]
        self.assertEqual(Level.with_user(collector).search([("company_id", "=", self.company.id)]), self.levels)
        self.assertEqual(reminder.with_user(collector).read(["state"])[0]["state"], "sent")
        with self.assertRaises(AccessError):
            self.sms_1.with_user(collector).write({"days": 2})
        with self.assertRaises(AccessError):
            Level.with_user(collector).create({"name": "No", "channel": "call", "days": 3})
        with self.assertRaises(AccessError):
            reminder.with_user(collector).write({"state": "failed"})
        # The manager configures the levels, but does not write the reminders either.
        self.sms_1.with_user(manager).write({"days": 2})
        Level.with_user(manager).create({"name": "Call at 60", "channel": "call", "days": 60})
        with self.assertRaises(AccessError):
            reminder.with_user(manager).write({"state": "failed"})
        with self.assertRaises(AccessError):
            self.env["leasing.reminder"].with_user(manager).create(
                {
                    "line_id": reminder.line_id.id,
                    "level_id": self.call_7.id,
                    "partner_id": self.lessee.id,
                    "contract_id": contract.id,
                    "company_id": self.company.id,
                    "date": "2026-03-02",
                    "channel": "call",
                }
            )
        # Multi-company: a user of another company sees neither.
        other = self.env["res.company"].create({"name": "Other Lessor"})
        outsider = new_test_user(
            self.env, "rem_outsider", groups=COLLECTOR, company_id=other.id, company_ids=[(6, 0, other.ids)]
        )
        self.assertFalse(Level.with_user(outsider).search([("id", "in", self.levels.ids)]))
        self.assertFalse(self.env["leasing.reminder"].with_user(outsider).search([("id", "=", reminder.id)]))
        self.assertEqual(len(Level.with_user(outsider).search([])), 6)
        # The lease's smart button counts them for a collector.
        self.assertEqual(contract.with_user(collector).reminder_count, 1)
