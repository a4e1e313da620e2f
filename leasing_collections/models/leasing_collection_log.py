from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .leasing_collection_case import CONTACT_RESULTS

CHANNELS = [
    ("call", "Call"),
    ("visit", "Visit"),
    ("sms", "SMS"),
    ("letter", "Letter"),
    ("messaging", "Messaging App"),
    ("other", "Other"),
]
# A contact is logged when it happened: now or before. A phone's clock may run a little ahead of
# the server's; within this margin a time is not "in the future".
CLOCK_MARGIN = timedelta(minutes=5)
# What a log records once saved: to correct it, log the contact again.
FIXED_LOG_FIELDS = ("case_id", "date", "result", "promise_date", "promise_amount")


class LeasingCollectionLog(models.Model):
    """One contact of a collector with the people behind a lease in arrears: a call, a visit, a
    message. Logged from the case in a few taps on a phone, with its photos and files; it
    updates the case's last contact and, when the lessee promised to pay, records the promise
    (``leasing.collection.promise``)."""

    _name = "leasing.collection.log"
    _inherit = ["leasing.system.fields.mixin"]
    _description = "Collection Contact Log"
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
        help="Who made the contact: the user who logged it.",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, help="When the contact took place.")
    channel = fields.Selection(CHANNELS, required=True, default="call")
    contact_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_contact_partner_ids",
        string="People of the Lease",
        help="The lessee, the guarantors and their contacts.",
    )
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Person Contacted",
        index="btree_not_null",
        domain="[('id', 'in', contact_partner_ids)]",
        help="The lessee, a guarantor or one of their contacts. For someone else, write their name below.",
    )
    contact_name = fields.Char(string="Other Person", help="Someone who is not a partner of the lease.")
    result = fields.Selection(CONTACT_RESULTS, required=True)
    notes = fields.Text()
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "leasing_collection_log_ir_attachment_rel",
        "log_id",
        "attachment_id",
        string="Photos and Files",
    )
    promise_date = fields.Date(string="Promised Date", help="The day by which the lessee promised to pay.")
    promise_amount = fields.Monetary(string="Promised Amount")
    promise_ids = fields.One2many("leasing.collection.promise", "log_id", string="Promise")

    @api.depends("case_id.contract_id.partner_id", "case_id.contract_id.guarantor_ids")
    def _compute_contact_partner_ids(self):
        for log in self:
            people = log.case_id.contract_id.partner_id | log.case_id.contract_id.guarantor_ids
            log.contact_partner_ids = people | people.child_ids | people.commercial_partner_id

    @api.depends("case_id.name", "channel", "date")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for log in self:
            log.display_name = " - ".join(filter(None, [log.case_id.name, channels.get(log.channel)]))

    @api.constrains("date")
    def _check_date(self):
        latest = fields.Datetime.now() + CLOCK_MARGIN
        for log in self:
            if log.date > latest:
                raise ValidationError(
                    self.env._(
                        "A contact is logged once it took place: %(date)s is in the future.",
                        date=fields.Datetime.to_string(fields.Datetime.context_timestamp(log, log.date)),
                    )
                )

    @api.constrains("contact_partner_id", "case_id")
    def _check_contact_partner(self):
        for log in self:
            if log.contact_partner_id and log.contact_partner_id not in log.contact_partner_ids:
                raise ValidationError(
                    self.env._(
                        "%(person)s is not a partner of the lease %(contract)s: choose the lessee, a guarantor "
                        "or one of their contacts, or write the name of the person met.",
                        person=log.contact_partner_id.display_name,
                        contract=log.contract_id.name,
                    )
                )

    @api.constrains("result", "promise_date", "promise_amount")
    def _check_promise(self):
        for log in self:
            if log.result == "promised" and (not log.promise_date or log.currency_id.is_zero(log.promise_amount)):
                raise ValidationError(self.env._("The lessee promised to pay: give the promised date and amount."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        logs = super(LeasingCollectionLog, self._without_system_defaults()).create(vals_list)
        # Checked on what was created (the case may come from the context's defaults); an error
        # undoes the whole create.
        logs._check_case_open_to_user()
        logs._attach_files()
        logs._update_cases()
        logs._create_promises()
        return logs

    def write(self, vals):
        self._check_system_fields([vals])
        fixed = [name for name in FIXED_LOG_FIELDS if name in vals]
        if fixed:
            for log in self:
                if any(
                    log[name]
                    != log._fields[name].convert_to_record(log._fields[name].convert_to_cache(vals[name], log), log)
                    for name in fixed
                ):
                    raise UserError(
                        self.env._(
                            "The case, time, result and promise of a contact log are kept as they were logged: "
                            "log the contact again to correct them (%(log)s).",
                            log=log.display_name,
                        )
                    )
        result = super().write(vals)
        if "attachment_ids" in vals:
            self._attach_files()
        return result

    def _check_case_open_to_user(self):
        """A collector logs on the cases they may read; on a closed case (resolved, written off)
        only its own collector, or a Collection Manager, logs a late contact."""
        self.case_id.check_access("read")
        if self.env.su or self.env.user.has_group("leasing_collections.group_leasing_collection_manager"):
            return
        for log in self:
            if log.case_id.is_closed and log.case_id.collector_id != self.env.user:
                raise UserError(
                    self.env._(
                        "The case %(case)s is closed (%(stage)s) and is not assigned to you: only its collector "
                        "or a Collection Manager may log a contact on it.",
                        case=log.case_id.name,
                        stage=log.case_id.stage_id.name,
                    )
                )

    def _attach_files(self):
        """Files uploaded from the form before the log was saved belong to no record yet: give
        them to their log, so that whoever may read the log reads them too."""
        for log in self:
            pending = log.attachment_ids.filtered(
                lambda attachment: attachment.res_model == self._name and not attachment.res_id
            )
            if pending:
                pending.write({"res_id": log.id})

    def _update_cases(self):
        """The cases' last contact (the latest log's date and result), and a new or assigned case
        is now contacted."""
        Stage = self.env["leasing.collection.stage"]
        contacted = Stage._by_key("contacted")
        for case, logs in self.grouped("case_id").items():
            latest = max(logs, key=lambda log: (log.date, log.id))
            vals = {}
            if not case.last_contact_date or latest.date >= case.last_contact_date:
                vals.update(last_contact_date=latest.date, last_contact_result=latest.result)
            if contacted and case.stage_key in ("new", "assigned"):
                vals["stage_id"] = contacted.id
            if vals:
                # The case's last contact is a system field, and the collector may not move the
                # stage by hand: both follow from the log the checks above let the user create.
                case_sudo = case.sudo()
                case_sudo.write(vals)

    def _create_promises(self):
        """A promise to pay for each log whose result is a promise (checked by the promise's
        own rules: a date not in the past, an amount above zero)."""
        promised = self.filtered(lambda log: log.result == "promised")
        if promised:
            self.env["leasing.collection.promise"].create(
                [
                    {
                        "case_id": log.case_id.id,
                        "log_id": log.id,
                        "date": log.promise_date,
                        "amount": log.promise_amount,
                    }
                    for log in promised
                ]
            )
