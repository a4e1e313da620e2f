from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.reminders import MAX_LEVEL_DAYS, MIN_LEVEL_DAYS

REMINDER_CHANNELS = [("email", "E-mail"), ("sms", "SMS"), ("call", "Call Task"), ("letter", "Letter")]
# The models a reminder's e-mail or SMS template may be written for.
TEMPLATE_MODELS = ("leasing.schedule.line", "leasing.contract")
# The levels each new company starts with: (days from the due date, channel, to the lessee, to the
# guarantors, template's XML id); their names are _default_level_names'.
DEFAULT_LEVELS = (
    (-3, "email", True, False, "leasing_collections.mail_template_reminder_before_due"),
    (1, "sms", True, False, "leasing_collections.sms_template_reminder_overdue"),
    (7, "call", True, False, None),
    (15, "email", True, False, "leasing_collections.mail_template_reminder_overdue"),
    (15, "letter", True, False, "leasing_collections.action_report_leasing_reminder_letter"),
    (30, "letter", True, True, "leasing_collections.action_report_leasing_reminder_letter"),
)


class LeasingReminderLevel(models.Model):
    """A step of the dunning of late instalments: the close sends it once per instalment and
    recipient, on the day the instalment is ``days`` from its due date (negative: before it), by
    its channel, from its template."""

    _name = "leasing.reminder.level"
    _description = "Reminder Level"
    _order = "company_id, days, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="When the reminder is sent: days after the instalment's due date, or before it when negative "
        "(-3: due in 3 days; 0: on the due date). A level before the due date is sent only while the "
        "instalment is not due yet and unpaid; a level after it, once the instalment is that late and "
        "for as long as it stays unpaid.",
    )
    channel = fields.Selection(REMINDER_CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "in", TEMPLATE_MODELS)],
        ondelete="restrict",
        help="Written for an instalment (Rent Schedule Line) or a lease (Lease Contract).",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "in", TEMPLATE_MODELS)],
        ondelete="restrict",
        help="Written for an instalment (Rent Schedule Line) or a lease (Lease Contract).",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter",
        domain=[("model", "=", "leasing.reminder")],
        ondelete="restrict",
        help="The letter printed, one per recipient, attached to the lease as a PDF ready to print.",
    )
    to_lessee = fields.Boolean(string="Lessee", default=True)
    to_guarantors = fields.Boolean(string="Guarantors")
    to_account_manager = fields.Boolean(
        string="Account Manager",
        help="A copy of the e-mail or SMS to the lease's account manager. A call task is always the account "
        "manager's: the lessee and the guarantors are whom they call.",
    )
    reminder_count = fields.Integer(compute="_compute_reminder_count", string="Reminders Sent")

    def _compute_reminder_count(self):
        # How often each level was sent, whatever the user's rights on the reminders (a collector's).
        reminders_sudo = self.env["leasing.reminder"].sudo()
        counts = dict(reminders_sudo._read_group([("level_id", "in", self.ids)], ["level_id"], ["__count"]))
        for level in self:
            level.reminder_count = counts.get(level, 0)

    @api.constrains(
        "days",
        "channel",
        "mail_template_id",
        "sms_template_id",
        "report_id",
        "to_lessee",
        "to_guarantors",
        "to_account_manager",
    )
    def _check_level(self):
        for level in self:
            problem = level._level_problem()
            if problem:
                raise ValidationError(
                    self.env._("Reminder level %(level)s: %(problem)s", level=level.name, problem=problem)
                )

    def _level_problem(self):
        """What is wrong with this level, for the user; None when nothing is."""
        self.ensure_one()
        if not MIN_LEVEL_DAYS <= self.days <= MAX_LEVEL_DAYS:
            return self.env._(
                "the days from the due date must lie between %(min)s (before it) and %(max)s, not %(days)s.",
                min=MIN_LEVEL_DAYS,
                max=MAX_LEVEL_DAYS,
                days=self.days,
            )
        if self.channel == "email":
            if not self.mail_template_id:
                return self.env._("an e-mail needs an e-mail template.")
            if self.mail_template_id.model not in TEMPLATE_MODELS:
                return self.env._("its e-mail template must be written for a rent schedule line or a lease contract.")
        if self.channel == "sms":
            if not self.sms_template_id:
                return self.env._("an SMS needs an SMS template.")
            if self.sms_template_id.model not in TEMPLATE_MODELS:
                return self.env._("its SMS template must be written for a rent schedule line or a lease contract.")
        if self.channel == "letter":
            if not self.report_id:
                return self.env._("a letter needs the report that prints it.")
            if self.report_id.model != "leasing.reminder":
                return self.env._("its letter must be a report printed from a reminder.")
        if self.channel in ("call", "letter") and self.to_account_manager:
            return self.env._(
                "a call task or a letter goes to the account manager anyway: choose whom it is about, the lessee "
                "or the guarantors."
            )
        if not (self.to_lessee or self.to_guarantors or self.to_account_manager):
            return self.env._("choose whom it goes to: the lessee, the guarantors or the account manager.")
        return None

    def action_view_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_collections.action_leasing_reminder")
        action["domain"] = [("level_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # The default levels of a company
    # ------------------------------------------------------------------
    @api.model
    def _default_level_names(self):
        """The names of the default levels in the current language (DEFAULT_LEVELS order)."""
        return [
            self.env._("Due in 3 days (e-mail)"),
            self.env._("1 day late (SMS)"),
            self.env._("7 days late (call)"),
            self.env._("15 days late (e-mail)"),
            self.env._("15 days late (letter)"),
            self.env._("30 days late (formal notice)"),
        ]

    @api.model
    def _create_defaults_for_all(self):
        """The default levels for every company that has none (at install)."""
        # Every company, whichever the installing user's allowed companies.
        return self._create_defaults(self.env["res.company"].sudo().search([]))

    @api.model
    def _create_defaults(self, companies):
        """Give each of ``companies`` that has no level yet (archived ones count) the default
        levels, named in every installed language, with the addon's templates (a template deleted
        since leaves its levels out). Return the levels created."""
        # Whether a company has levels, whatever the multi-company rules of the caller.
        have = {
            company
            for [company] in self.with_context(active_test=False)
            .sudo()
            ._read_group([("company_id", "in", companies.ids)], ["company_id"])
        }
        missing = companies.filtered(lambda company: company not in have)
        if not missing:
            return self.browse()
        # Configuration the system creates with each company, whoever creates the company.
        Level_sudo = self.sudo().with_context(lang="en_US")
        names = Level_sudo._default_level_names()
        rows = []
        for name, (days, channel, to_lessee, to_guarantors, xmlid) in zip(names, DEFAULT_LEVELS):
            template = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else None
            if xmlid and not template:
                continue
            field = {"email": "mail_template_id", "sms": "sms_template_id", "letter": "report_id"}.get(channel)
            rows.append(
                (
                    name,
                    {
                        "days": days,
                        "channel": channel,
                        "to_lessee": to_lessee,
                        "to_guarantors": to_guarantors,
                        **({field: template.id} if field else {}),
                    },
                )
            )
        levels_sudo = Level_sudo.create(
            [
                {"name": name, "company_id": company.id, "sequence": 10 * (index + 1), **vals}
                for company in missing
                for index, (name, vals) in enumerate(rows)
            ]
        )
        # The name of each level created, as an index in DEFAULT_LEVELS (company after company).
        name_index = [names.index(name) for name, _vals in rows] * len(missing)
        for lang, _label in self.env["res.lang"].get_installed():
            if lang == "en_US":
                continue
            translated = Level_sudo.with_context(lang=lang)._default_level_names()
            for level_sudo, index in zip(levels_sudo.with_context(lang=lang), name_index):
                level_sudo.name = translated[index]
        return levels_sudo.sudo(False)
