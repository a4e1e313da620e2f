import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

import psycopg2
import requests

from odoo import fields
from odoo.addons.leasing_collections.tests.common import COLLECTION_MANAGER, COLLECTOR, give_cases
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import FleetCommon

WAREHOUSE = "leasing_fleet.group_leasing_warehouse"
LEASING_MANAGER = "leasing_management.group_leasing_manager"
TODO = "mail.mail_activity_data_todo"
SECRET = "device-secret-0123456789"
CONFIRM = "/leasing/device/confirm"


def hmac_header(secret, body):
    """The signature the lock service computes: HMAC-SHA256 of the body, worked out here with
    ``hmac`` itself, not with the module under test."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class LockService:
    """A lock service on 127.0.0.1 (a random port) that records each POST and answers with
    ``status`` (200 by default): nothing leaves the machine."""

    def __init__(self):
        self.calls = []
        self.status = 200
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"queued": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/commands"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@tagged("post_install", "-at_install")
class TestDeviceLocks(FleetCommon, HttpCase):
    """Lock and unlock requests approved on a lease of two serial-numbered excavators, through a
    manual provider (the technician's to-do and confirmation) and a webhook provider (signed
    commands POSTed to a local lock service, its signed confirmation on the public route)."""

    USER_PREFIX = "locks"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(cls.env, "locks_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.manager = new_test_user(cls.env, "locks_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id)
        cls.technician = new_test_user(cls.env, "locks_technician", groups=WAREHOUSE, company_id=cls.company.id)
        cls.keeper = new_test_user(cls.env, "locks_keeper", groups=WAREHOUSE, company_id=cls.company.id)
        cls.manual = cls.env["leasing.device.provider"].create(
            {
                "name": "Technician",
                "provider_type": "manual",
                "technician_id": cls.technician.id,
                "company_id": cls.company.id,
            }
        )
        cls.webhook = cls.env["leasing.device.provider"].create(
            {
                "name": "Lock service",
                "provider_type": "webhook",
                "url": "http://127.0.0.1:9/unused",
                "secret": SECRET,
                "timeout": 5,
                "max_attempts": 3,
                "retry_interval": 10,
                "company_id": cls.company.id,
            }
        )
        cls.company.leasing_device_provider_id = cls.manual

    def setUp(self):
        super().setUp()
        # Two excavators received at the branch, leased on one lease (a line each), delivered.
        self.units = self._receive("ZX200-1", "ZX200-2")
        self.contract = self._active_lease(self.units)
        self._deliver(self.units, self.contract)
        self.assertEqual(self.units.mapped("leasing_status"), ["on_lease", "on_lease"])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _approve(self, request_type="lock"):
        # A collector asks for what concerns the leases behind their cases.
        give_cases(self.contract, self.collector)
        request = (
            self.env["leasing.collection.request"]
            .with_user(self.collector)
            .create({"contract_id": self.contract.id, "request_type": request_type, "reason": "Three months behind"})
        )
        request.action_submit()
        request.with_user(self.manager).action_approve()
        return request.with_user(self.env.user)

    def _use_webhook(self, url):
        self.webhook.url = url
        self.company.leasing_device_provider_id = self.webhook

    def _lock_service(self):
        service = LockService()
        self.addCleanup(service.stop)
        return service

    def _send(self):
        """The sending cron's calls, as the cron runner makes them, until one sends nothing."""
        Command = self.env["leasing.device.command"]
        sent = 0
        while done := Command._cron_send_device_commands(chunk_size=1):
            sent += done
        return sent

    def _reply(self, command, status="confirmed", secret=SECRET, **overrides):
        payload = {
            "command_id": command.id,
            "serial": command.lot_id.name,
            "command": command.command,
            "status": status,
            **overrides,
        }
        body = json.dumps(payload).encode()
        response = self.url_open(
            CONFIRM,
            data=body,
            headers={"Content-Type": "application/json", "X-Leasing-Signature": hmac_header(secret, body)},
        )
        self.env.invalidate_all()
        return response

    def _webhook_sent(self):
        """The lease locked through the webhook: its commands sent (the lock service said 200)."""
        service = self._lock_service()
        self._use_webhook(service.url)
        request = self._approve()
        self._send()
        return request, request.device_command_ids, service

    # ------------------------------------------------------------------
    # Manual provider
    # ------------------------------------------------------------------
    def test_manual_lock_todo_and_confirmation(self):
        request = self._approve()
        commands = request.device_command_ids.sorted(lambda command: command.lot_id.name)
        self.assertRecordValues(
            commands,
            [
                {
                    "lot_id": unit.id,
                    "command": "lock",
                    "status": "sent",
                    "provider_id": self.manual.id,
                    "requested_by_id": self.manager.id,
                    "contract_id": self.contract.id,
                    "attempts": 1,
                }
                for unit in self.units
            ],
        )
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.units.mapped("lock_state"), ["lock_requested", "lock_requested"])
        self.assertEqual(self.contract.lock_state, "lock_requested")
        # A to-do for the technician on each command.
        todo = self.env.ref(TODO)
        for command in commands:
            self.assertEqual(command.activity_ids.activity_type_id, todo)
            self.assertEqual(command.activity_ids.user_id, self.technician)
        # Only the technician (or a manager) confirms.
        with self.assertRaises(AccessError):
            commands[0].with_user(self.keeper).action_confirm()
        self.assertEqual(commands[0].status, "sent")
        commands[0].with_user(self.technician).action_confirm()
        self.assertEqual(commands[0].status, "confirmed")
        self.assertTrue(commands[0].confirmed_date)
        self.assertFalse(commands[0].activity_ids)
        self.assertEqual(self.units.mapped("lock_state"), ["locked", "lock_requested"])
        self.assertEqual(request.state, "approved", "one unit still waits")
        with self.assertRaises(UserError):
            commands[0].with_user(self.technician).action_confirm()
        commands[1].with_user(self.technician).action_confirm()
        self.assertEqual(self.units.mapped("lock_state"), ["locked", "locked"])
        self.assertEqual(request.state, "done")
        self.assertEqual(self.contract.lock_state, "locked")

        # The unlock sends its own commands; the request is done when they are confirmed.
        unlock = self._approve("unlock")
        self.assertEqual(self.units.mapped("lock_state"), ["unlock_requested", "unlock_requested"])
        unlock.device_command_ids.with_user(self.technician).action_confirm()
        self.assertEqual(self.units.mapped("lock_state"), ["unlocked", "unlocked"])
        self.assertEqual(unlock.state, "done")
        self.assertEqual(self.contract.lock_state, "unlocked")

    def test_done_by_hand_waits_for_the_commands(self):
        request = self._approve()
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_done()
        self.assertEqual(request.state, "approved")

    # ------------------------------------------------------------------
    # Webhook provider
    # ------------------------------------------------------------------
    def test_webhook_sends_signed_commands(self):
        service = self._lock_service()
        self._use_webhook(service.url)
        request = self._approve()
        commands = request.device_command_ids.sorted(lambda command: command.lot_id.name)
        # Nothing is sent inside the approval: the cron sends, right after it.
        self.assertEqual(service.calls, [])
        self.assertEqual(commands.mapped("status"), ["queued", "queued"])
        self.assertTrue(all(commands.mapped("next_attempt_date")))
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", self.env.ref("leasing_fleet.ir_cron_send_device_commands").id)]
            )
        )
        with patch.object(requests, "post", wraps=requests.post) as post:
            self.assertEqual(self._send(), 2)
        self.assertEqual({call.kwargs["timeout"] for call in post.call_args_list}, {5})
        self.assertEqual(len(service.calls), 2)
        for call, command in zip(service.calls, commands, strict=True):
            self.assertEqual(call["path"], "/commands")
            self.assertEqual(call["headers"]["X-Leasing-Signature"], hmac_header(SECRET, call["body"]))
            payload = json.loads(call["body"])
            self.assertEqual(
                {key: payload[key] for key in ("command_id", "serial", "command")},
                {"command_id": command.id, "serial": command.lot_id.name, "command": "lock"},
            )
            self.assertIsInstance(payload["timestamp"], int)
        self.assertRecordValues(
            commands,
            [{"status": "sent", "attempts": 1, "next_attempt_date": False, "response": 'HTTP 200: {"queued": true}'}]
            * 2,
        )
        self.assertEqual(self.units.mapped("lock_state"), ["lock_requested", "lock_requested"])
        # Sent once: another run sends nothing.
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(service.calls), 2)

    def test_webhook_retries_bounded(self):
        service = self._lock_service()
        service.status = 503
        self._use_webhook(service.url)
        request = self._approve()
        command = request.device_command_ids.sorted(lambda command: command.lot_id.name)[0]
        for attempt in (1, 2):
            self._send()
            self.assertRecordValues(command, [{"status": "failed", "attempts": attempt}])
            self.assertTrue(command.response.startswith("HTTP 503"))
            self.assertGreater(command.next_attempt_date, fields.Datetime.now() + timedelta(minutes=9))
            # Not due again before the retry interval.
            self.assertEqual(self._send(), 0)
            # The retry interval has passed.
            request.device_command_ids.sudo().write({"next_attempt_date": fields.Datetime.now() - timedelta(seconds=1)})
        self._send()
        # The third attempt is the last: failed for good, the units unlocked as they were.
        self.assertRecordValues(command, [{"status": "failed", "attempts": 3, "next_attempt_date": False}])
        self.assertEqual(len(service.calls), 6)
        self.assertEqual(self.units.mapped("lock_state"), ["unlocked", "unlocked"])
        self.assertEqual(request.state, "approved")
        self.assertEqual(command.activity_ids.user_id, self.manager)
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(service.calls), 6)
        # A manager sends it again, its attempts counted afresh.
        with self.assertRaises(AccessError):
            command.with_user(self.keeper).action_retry()
        service.status = 200
        command.with_user(self.manager).action_retry()
        self.assertEqual(command.lot_id.lock_state, "lock_requested")
        self._send()
        self.assertRecordValues(command, [{"status": "sent", "attempts": 1}])

    def test_webhook_timeout_counted(self):
        self._use_webhook("http://127.0.0.1:9/commands")
        request = self._approve()
        with patch.object(requests, "post", side_effect=requests.Timeout("read timed out")) as post:
            self._send()
        self.assertEqual(post.call_count, 2)
        self.assertEqual({call.kwargs["timeout"] for call in post.call_args_list}, {5})
        self.assertRecordValues(
            request.device_command_ids, [{"status": "failed", "attempts": 1, "response": "read timed out"}] * 2
        )

    def test_confirmation_good_signature(self):
        request, commands, _service = self._webhook_sent()
        first, second = commands.sorted(lambda command: command.lot_id.name)
        response = self._reply(first)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"command_id": first.id, "status": "confirmed"})
        self.assertEqual(first.status, "confirmed")
        self.assertEqual(self.units.mapped("lock_state"), ["locked", "lock_requested"])
        self.assertEqual(request.state, "approved")
        # The same reply again changes nothing.
        self.assertEqual(self._reply(first).status_code, 200)
        self.assertEqual(self._reply(second, message="locked at 10:02").status_code, 200)
        self.assertEqual(second.response, "locked at 10:02")
        self.assertEqual(self.units.mapped("lock_state"), ["locked", "locked"])
        self.assertEqual(request.state, "done")
        self.assertEqual(self.contract.lock_state, "locked")

    def test_confirmation_bad_signature(self):
        request, commands, _service = self._webhook_sent()
        command = commands[0]
        with mute_logger("odoo.addons.leasing_fleet.controllers.device_lock"):
            self.assertEqual(self._reply(command, secret="not-the-secret-at-all").status_code, 403)
            # A command that does not exist: the same answer.
            self.assertEqual(self._reply(command, command_id=command.id + 1000).status_code, 403)
            body = json.dumps(
                {"command_id": command.id, "serial": command.lot_id.name, "command": "lock", "status": "confirmed"}
            ).encode()
            unsigned = self.url_open(CONFIRM, data=body, headers={"Content-Type": "application/json"})
            self.assertEqual(unsigned.status_code, 403)
        # Signed, but about another unit.
        self.assertEqual(self._reply(command, serial="ZX200-9").status_code, 409)
        self.assertEqual(self.url_open(CONFIRM, data=b"not json").status_code, 400)
        self.assertEqual(commands.mapped("status"), ["sent", "sent"])
        self.assertEqual(self.units.mapped("lock_state"), ["lock_requested", "lock_requested"])
        self.assertEqual(request.state, "approved")

    def test_device_reports_failure(self):
        request, commands, _service = self._webhook_sent()
        command = commands.sorted(lambda command: command.lot_id.name)[0]
        self.assertEqual(self._reply(command, status="failed", message="no GSM signal").status_code, 200)
        self.assertRecordValues(
            command, [{"status": "failed", "response": "no GSM signal", "next_attempt_date": False}]
        )
        self.assertEqual(command.lot_id.lock_state, "unlocked")
        self.assertEqual(request.state, "approved")

    # ------------------------------------------------------------------
    # Refusals: nothing changed
    # ------------------------------------------------------------------
    def _assert_refused_lock(self, message, contract=None, units=None):
        contract = contract or self.contract
        units = units or self.units
        request = (
            self.env["leasing.collection.request"]
            .with_user(self.collector)
            .create({"contract_id": contract.id, "request_type": "lock", "reason": "Behind"})
        )
        request.action_submit()
        states = units.mapped("lock_state")
        with self.assertRaises(UserError) as refusal:
            request.with_user(self.manager).action_approve()
        self.assertIn(message, str(refusal.exception))
        request.invalidate_recordset()
        units.invalidate_recordset()
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.device_command_ids)
        self.assertFalse(self.env["leasing.device.command"].search([("lot_id", "in", units.ids)]))
        self.assertEqual(units.mapped("lock_state"), states)

    def test_lock_of_unit_not_on_lease_refused(self):
        # A lease of two units of which one only is delivered: the other is reserved.
        units = self._receive("ZX200-3", "ZX200-4")
        contract = self._active_lease(units)
        self._deliver(units[0], contract)
        self.assertEqual(units.mapped("leasing_status"), ["on_lease", "reserved"])
        self._assert_refused_lock("ZX200-4: only a unit on lease is locked", contract, units)

    def test_second_lock_of_locked_unit_refused(self):
        # The unit locked before (by another request since cancelled): the system's field.
        self.units[0].sudo().lock_state = "locked"
        self._assert_refused_lock("ZX200-1: the unit is already locked")

    def test_without_provider_by_hand(self):
        self.company.leasing_device_provider_id = False
        request = self._approve()
        self.assertFalse(request.device_command_ids)
        self.assertEqual(self.units.mapped("lock_state"), ["unlocked", "unlocked"])
        # The requests' to-do: the account manager (the seller) opens no requests, so the approver.
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.activity_ids.user_id, self.manager)

    # ------------------------------------------------------------------
    # Security
    # ------------------------------------------------------------------
    def test_access(self):
        request = self._approve()
        command = request.device_command_ids[:1]
        # Warehouse reads the commands and the providers, changes none, never reads the secret.
        self.assertEqual(command.with_user(self.keeper).read(["status"])[0]["status"], "sent")
        with self.assertRaises(AccessError):
            command.with_user(self.keeper).write({"status": "confirmed"})
        with self.assertRaises(AccessError):
            self.env["leasing.device.command"].with_user(self.manager).create(
                {
                    "lot_id": self.units[0].id,
                    "command": "unlock",
                    "provider_id": self.manual.id,
                    "company_id": self.company.id,
                }
            )
        with self.assertRaises(AccessError):
            self.webhook.with_user(self.keeper).read(["secret"])
        with self.assertRaises(AccessError):
            self.webhook.with_user(self.collector).read(["secret"])
        with self.assertRaises(AccessError):
            self.webhook.with_user(self.keeper).write({"url": "http://127.0.0.1:8/"})
        self.assertEqual(self.webhook.with_user(self.manager).read(["secret"])[0]["secret"], SECRET)
        self.webhook.with_user(self.manager).write({"timeout": 20})
        # The lock state is the system's, by hand or by RPC.
        with self.assertRaises(AccessError):
            self.units[0].with_user(self.keeper).write({"lock_state": "unlocked"})
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(self.keeper).create(
                {
                    "name": "ZX200-3",
                    "product_id": self.excavator.id,
                    "lock_state": "locked",
                    "company_id": self.company.id,
                }
            )

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Leasing Co"})
        outsider = new_test_user(
            self.env, "locks_outsider", groups=f"{WAREHOUSE},{COLLECTION_MANAGER}", company_id=other.id
        )
        request = self._approve()
        Command = self.env["leasing.device.command"].with_user(outsider)
        self.assertFalse(Command.search([("id", "in", request.device_command_ids.ids)]))
        self.assertFalse(self.env["leasing.device.provider"].with_user(outsider).search([("id", "=", self.manual.id)]))

    def test_provider_bounds(self):
        with self.assertRaises(ValidationError):
            self.env["leasing.device.provider"].create(
                {"name": "No technician", "provider_type": "manual", "company_id": self.company.id}
            )
        with self.assertRaises(ValidationError):
            self.env["leasing.device.provider"].create(
                {
                    "name": "Short secret",
                    "provider_type": "webhook",
                    "url": "https://locks.example.com",
                    "secret": "short",
                }
            )
        with self.assertRaises(ValidationError):
            self.webhook.url = "ftp://locks.example.com"
        for field, value in (("timeout", 0), ("timeout", 61), ("max_attempts", 0), ("max_attempts", 11)):
            with (
                self.subTest(field=field, value=value),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.IntegrityError),
                self.env.cr.savepoint(),
            ):
                self.webhook.write({field: value})
                self.webhook.flush_recordset()
