import logging
import time
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.device_signature import SIGNATURE_HEADER, command_body, sign

_logger = logging.getLogger(__name__)

DEVICE_COMMANDS = [("lock", "Lock"), ("unlock", "Unlock")]
COMMAND_STATUSES = [("queued", "Queued"), ("sent", "Sent"), ("confirmed", "Confirmed"), ("failed", "Failed")]
# The unit's lock state while a command is under way, once it is confirmed, once it failed.
REQUESTED_STATE = {"lock": "lock_requested", "unlock": "unlock_requested"}
CONFIRMED_STATE = {"lock": "locked", "unlock": "unlocked"}
FAILED_STATE = {"lock": "unlocked", "unlock": "locked"}
# Webhook commands sent per cron call: with the provider's timeout (60 s at most), a call never
# holds a worker for more than a few minutes; the cron runner commits after each call.
SEND_CHUNK_SIZE = 20
# What is kept of a lock service's answer.
RESPONSE_MAX = 2000
COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"
LEASING_MANAGER = "leasing_management.group_leasing_manager"
TODO = "mail.mail_activity_data_todo"
SEND_CRON = "leasing_fleet.ir_cron_send_device_commands"


class LeasingDeviceCommand(models.Model):
    """A lock or unlock command sent to a leased unit's device for a collection request, and
    what became of it: queued, sent, confirmed by the device (or the technician), or failed.

    Commands are made by the approval of lock and unlock requests (``leasing.collection.request``)
    and only change through their buttons, the cron that sends them and the device's signed
    confirmation: every field is the system's."""

    _name = "leasing.device.command"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Device Command"
    _order = "id desc"
    _check_company_auto = True
    # Whoever reads a command may comment on it; only the system changes it.
    _mail_post_access = "read"

    lot_id = fields.Many2one(
        "stock.lot", string="Unit", required=True, readonly=True, index=True, ondelete="restrict", check_company=True
    )
    command = fields.Selection(DEVICE_COMMANDS, required=True, readonly=True)
    request_id = fields.Many2one(
        "leasing.collection.request",
        string="Request",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )
    contract_id = fields.Many2one(
        "leasing.contract", string="Lease Contract", readonly=True, index="btree_not_null", check_company=True
    )
    provider_id = fields.Many2one(
        "leasing.device.provider",
        string="Provider",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    provider_type = fields.Selection(related="provider_id.provider_type", string="Provider Type")
    technician_id = fields.Many2one(related="provider_id.technician_id")
    requested_by_id = fields.Many2one("res.users", string="Requested By", readonly=True)
    sent_date = fields.Datetime(string="Sent", readonly=True, copy=False)
    confirmed_date = fields.Datetime(string="Confirmed", readonly=True, copy=False)
    status = fields.Selection(
        COMMAND_STATUSES, required=True, readonly=True, default="queued", index=True, tracking=True, copy=False
    )
    attempts = fields.Integer(readonly=True, copy=False)
    next_attempt_date = fields.Datetime(
        string="Next Attempt",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Webhook: when the cron sends the command (again); empty once it is sent or has failed for good.",
    )
    response = fields.Text(readonly=True, copy=False, help="The device's or the lock service's last answer.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)

    @api.depends("command", "lot_id")
    def _compute_display_name(self):
        labels = dict(self._fields["command"]._description_selection(self.env))
        for command in self:
            command.display_name = self.env._(
                "%(command)s %(unit)s", command=labels.get(command.command, ""), unit=command.lot_id.name or ""
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        return super(LeasingDeviceCommand, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_confirm(self):
        """The technician of a manual provider has locked or unlocked the unit: the command is
        confirmed (and the unit locked or unlocked, its request done once all its commands are)."""
        self.check_access("read")
        is_manager = self._is_device_manager()
        for command in self:
            if command.provider_type != "manual":
                raise UserError(
                    self.env._(
                        "%(command)s goes through a lock service, which confirms it itself.",
                        command=command.display_name,
                    )
                )
            if command.status != "sent":
                raise UserError(
                    self.env._(
                        "%(command)s is %(status)s: only a command sent to the technician is confirmed.",
                        command=command.display_name,
                        status=command._status_label(),
                    )
                )
            if command.technician_id != self.env.user and not is_manager:
                raise AccessError(
                    self.env._(
                        "Only the technician %(technician)s or a manager confirms %(command)s.",
                        technician=command.technician_id.name,
                        command=command.display_name,
                    )
                )
        self._confirm(self.env._("Confirmed by %(user)s.", user=self.env.user.name))
        return True

    def action_retry(self):
        """Send a command that failed for good once more, with its attempts counted afresh."""
        self.check_access("read")
        if not self._is_device_manager():
            raise AccessError(self.env._("Only a Collection Manager or a Leasing Manager sends a command again."))
        for command in self:
            if command.status != "failed" or command.next_attempt_date:
                raise UserError(
                    self.env._(
                        "%(command)s has not failed for good: it is sent, confirmed or still retried.",
                        command=command.display_name,
                    )
                )
            expected = FAILED_STATE[command.command]
            # The unit's lock state, whoever asks (a collection manager need not read the stock).
            unit_sudo = command.lot_id.sudo()
            if unit_sudo.lock_state != expected:
                raise UserError(
                    self.env._(
                        "The unit %(unit)s is no longer %(state)s: %(command)s is not sent again.",
                        unit=unit_sudo.name,
                        state=unit_sudo._lock_state_label(expected),
                        command=command.display_name,
                    )
                )
        # The buttons' checks are done: the commands and their units are the system's.
        commands_sudo = self.sudo()
        commands_sudo.write({"status": "queued", "attempts": 0, "response": False})
        for command in commands_sudo:
            command.lot_id.lock_state = REQUESTED_STATE[command.command]
        commands_sudo._send()
        return True

    def action_open_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "leasing.collection.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def _send(self):
        """Send these queued commands through their providers: a to-do for the technician
        (manual), or the sending cron, right after this transaction (webhook): no call to a lock
        service is ever made inside a user's transaction."""
        now = fields.Datetime.now()
        manual = self.filtered(lambda command: command.provider_type == "manual")
        if manual:
            manual.write({"status": "sent", "sent_date": now, "attempts": 1, "next_attempt_date": False})
            for command in manual:
                command.activity_schedule(
                    TODO,
                    summary=command.display_name,
                    note=command._technician_note(),
                    user_id=command.technician_id.id,
                )
        webhook = self - manual
        if webhook:
            webhook.write({"next_attempt_date": now})
            self.env.ref(SEND_CRON)._trigger()

    def _technician_note(self):
        self.ensure_one()
        unit = self.lot_id
        return self.env._(
            "%(command)s the unit %(unit)s (%(product)s) of %(contract)s, lessee %(lessee)s, then confirm the command.",
            command=dict(self._fields["command"]._description_selection(self.env))[self.command],
            unit=unit.name,
            product=unit.product_id.display_name,
            contract=self.contract_id.name or "",
            lessee=self.contract_id.partner_id.display_name or "",
        )

    @api.model
    def _cron_send_device_commands(self, chunk_size=SEND_CHUNK_SIZE):
        """Send the webhook commands that are due (queued, or failed and due for another try), a
        chunk per call: each is POSTed once, within its provider's timeout. The cron runner
        commits after each call and calls again while some are left; the commands of a chunk
        are locked (``FOR NO KEY UPDATE SKIP LOCKED``) while they are sent, so that two workers
        never send one twice. Return the number of commands sent (or tried)."""
        domain = [
            ("status", "in", ("queued", "failed")),
            ("next_attempt_date", "<=", fields.Datetime.now()),
            ("provider_id.provider_type", "=", "webhook"),
        ]
        # The cron sends every company's commands, as the system.
        Command = self.sudo()
        commands = Command.search(domain, order="next_attempt_date, id", limit=chunk_size)
        commands = commands._lock_for_sending()
        for command in commands:
            command.with_company(command.company_id)._webhook_attempt()
        remaining = Command.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(commands), remaining=remaining)
        return len(commands)

    def _lock_for_sending(self):
        """These commands less those another transaction holds, locked until the end of this one,
        and read again: another worker may have sent them since they were read."""
        if not self:
            return self
        self.env.cr.execute(
            SQL(
                "SELECT id FROM leasing_device_command WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()])
        locked.invalidate_recordset()
        now = fields.Datetime.now()
        return locked.filtered(
            lambda command: command.status in ("queued", "failed")
            and command.next_attempt_date
            and command.next_attempt_date <= now
        )

    def _webhook_attempt(self):
        """POST this command once; it is then sent, or failed and due again after the provider's
        retry interval, or failed for good after its last attempt."""
        self.ensure_one()
        provider = self.provider_id
        now = fields.Datetime.now()
        ok, response = self._webhook_post()
        attempts = self.attempts + 1
        vals = {"attempts": attempts, "response": response, "sent_date": now}
        if ok:
            self.write(dict(vals, status="sent", next_attempt_date=False))
        elif attempts < provider.max_attempts:
            self.write(dict(vals, status="failed", next_attempt_date=now + timedelta(minutes=provider.retry_interval)))
        else:
            self.write(vals)
            self._fail(response)

    def _webhook_post(self):
        """POST the signed command to the provider's URL; return ``(ok, what it answered)``."""
        self.ensure_one()
        provider = self.provider_id
        body = command_body(self.id, self.lot_id.name, self.command, int(time.time()))
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(provider.secret, body)}
        try:
            reply = requests.post(
                provider.url, data=body, headers=headers, timeout=provider.timeout, allow_redirects=False
            )
        except requests.RequestException as error:
            _logger.info("Device command %s not sent to %s: %s", self.id, provider.url, error)
            return False, str(error)[:RESPONSE_MAX]
        answer = f"HTTP {reply.status_code}: {reply.text}"[:RESPONSE_MAX]
        return 200 <= reply.status_code < 300, answer

    # ------------------------------------------------------------------
    # Outcome
    # ------------------------------------------------------------------
    def _receive_reply(self, reply):
        """The device's signed reply (``tools.device_signature.parse_reply``) to this command.
        A command already confirmed stays so (a reply sent twice changes nothing)."""
        self.ensure_one()
        if self.status == "confirmed":
            return
        message = reply["message"] or False
        if reply["status"] == "confirmed":
            self._confirm(message)
        else:
            self.write({"response": message})
            self._fail(message)

    def _confirm(self, message=False):
        """These commands are carried out: confirmed, their units locked or unlocked, the
        technician's to-do closed, and each request done once all its commands are confirmed."""
        # The checks are the caller's (the button, the signature): the commands, units and
        # requests are the system's to change.
        commands_sudo = self.sudo()
        vals = {"status": "confirmed", "confirmed_date": fields.Datetime.now(), "next_attempt_date": False}
        if message:
            vals["response"] = message
        commands_sudo.write(vals)
        for command_name, state in CONFIRMED_STATE.items():
            commands_sudo.filtered(lambda command, name=command_name: command.command == name).lot_id.write(
                {"lock_state": state}
            )
        commands_sudo.activity_feedback([TODO])
        requests_sudo = commands_sudo.request_id.filtered(lambda request: request.state == "approved")
        done = requests_sudo.filtered(
            lambda request: all(command.status == "confirmed" for command in request.device_command_ids)
        )
        if done:
            done._action_done()

    def _fail(self, message=False):
        """These commands failed for good: the units keep the lock state they had, and who
        approved the request is told, who may send the command again or carry the request out
        by hand."""
        # The sending and its checks are the system's: so are the commands, units and requests.
        commands_sudo = self.sudo()
        commands_sudo.write({"status": "failed", "next_attempt_date": False})
        for command in commands_sudo:
            command.lot_id.lock_state = FAILED_STATE[command.command]
            command.message_post(body=self.env._("Failed: %(reason)s", reason=message or ""))
            request = command.request_id
            if request:
                request.message_post(
                    body=self.env._(
                        "%(command)s failed: %(reason)s", command=command.display_name, reason=message or ""
                    )
                )
                user = request.approved_by_id or request.contract_id.user_id
                if user:
                    command.activity_schedule(
                        TODO,
                        summary=self.env._("%(command)s failed", command=command.display_name),
                        note=self.env._(
                            "Send the command again, or carry out %(request)s by hand.", request=request.name
                        ),
                        user_id=user.id,
                    )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _is_device_manager(self):
        user = self.env.user
        return user.has_group(COLLECTION_MANAGER) or user.has_group(LEASING_MANAGER)

    def _status_label(self):
        self.ensure_one()
        return dict(self._fields["status"]._description_selection(self.env))[self.status]
