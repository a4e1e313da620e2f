"""The penalty billing against other transactions, with real concurrent database connections.

As ``test_close_concurrency.py`` does (and with the helpers of ``test_invoicing_concurrency.py``):
the tests work in a scratch copy of the test database with its own registry, where data is
committed for real by several connections, dropped at the end. "Another server" is a second
connection driven from the same thread.
"""

from contextlib import closing, contextmanager
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import errors

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .test_invoicing_concurrency import _create_database_from, _drop_database


@tagged("post_install", "-at_install")
class TestPenaltyBillingConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        source = get_db_name()
        cls.db_name = f"{source}_penalty_concurrency"
        _create_database_from(source, cls.db_name)
        cls.addClassCleanup(_drop_database, cls.db_name)
        with patch.dict(odoo.tools.config.options, {"test_enable": False}):
            cls.registry = Registry.new(cls.db_name)
        with cls._env() as env:
            cls.company_id = env.ref("base.main_company").id
            cls.user_id = env.ref("base.user_admin").id
            env.ref("base.user_admin").groups_id |= env.ref("leasing_management.group_leasing_user")
            today = fields.Date.context_today(env["leasing.contract"])
            plan = env["leasing.plan"].create(
                {
                    "name": "Penalty concurrency plan",
                    "company_id": cls.company_id,
                    "term": 12,
                    "annual_rate": 9.0,
                    "penalty_rate_daily": 0.05,
                }
            )
            product = env["product.product"].create({"name": "Forklift", "lst_price": 24000.0})
            contract = env["leasing.contract"].create(
                {
                    "partner_id": env["res.partner"].create({"name": "Late lessee"}).id,
                    "plan_id": plan.id,
                    "start_date": today - timedelta(days=72),
                    "line_ids": [(0, 0, {"product_id": product.id})],
                }
            )
            contract.write({"state": "active"})
            while env["leasing.schedule.line"]._cron_invoice_due_lines(batch_size=50):
                pass
            # The close bills the penalty (its first close comes after a billing day); the
            # invoice is cancelled: the penalty is due again, for the tests to bill.
            env["leasing.close.run"]._create_manual(contract.company_id, today)._run_all(100)
            invoice = env["account.move"].search(
                [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", "penalty")]
            )
            invoice.button_draft()
            invoice.button_cancel()
            cls.contract_id = contract.id
            cls.penalty_due = contract.penalty_due

    def setUp(self):
        super().setUp()
        # The penalty billed by a previous test is due again.
        with self._env() as env:
            invoices = env["account.move"].search(
                [
                    ("leasing_contract_id", "=", self.contract_id),
                    ("leasing_move_kind", "=", "penalty"),
                    ("state", "=", "posted"),
                ]
            )
            invoices.button_draft()
            invoices.button_cancel()

    @classmethod
    @contextmanager
    def _env(cls, uid=SUPERUSER_ID):
        with cls.registry.cursor() as cr:
            yield api.Environment(cr, uid, {})

    @contextmanager
    def _other_transaction(self, commit=False):
        with closing(self.registry.cursor()) as cr:
            try:
                yield api.Environment(cr, self.user_id, {})
                if commit:
                    cr.commit()
            finally:
                cr.rollback()

    def _billed(self):
        """The posted penalty invoices of the lease and what they bill."""
        with self._env() as env:
            invoices = env["account.move"].search(
                [
                    ("leasing_contract_id", "=", self.contract_id),
                    ("leasing_move_kind", "=", "penalty"),
                    ("state", "=", "posted"),
                ]
            )
            return len(invoices), sum(invoices.mapped("amount_total"))

    def test_two_servers_press_invoice_penalty_at_once(self):
        """Two users press *Invoice Penalty* on the same lease at once. While the first one's
        transaction bills, the second waits for the lease, and fails once the first commits;
        retried, as Odoo retries it, it finds nothing left to invoice. A transaction that
        began before the first one committed fails the same way, however late it comes. One
        invoice, for the penalty due, in all."""
        self.assertGreater(self.penalty_due, 0)
        with self._other_transaction() as late:
            # This transaction's snapshot predates the billing below.
            late["leasing.contract"].browse(self.contract_id).penalty_due  # noqa: B018
            with self._other_transaction(commit=True) as first:
                first["leasing.contract"].browse(self.contract_id).action_invoice_penalty()
                with self._other_transaction() as second:
                    second.cr.execute("SET LOCAL lock_timeout = '1s'")
                    with mute_logger("odoo.sql_db"), self.assertRaises(errors.LockNotAvailable):
                        second["leasing.contract"].browse(self.contract_id).action_invoice_penalty()
            with mute_logger("odoo.sql_db"), self.assertRaises(errors.SerializationFailure):
                late["leasing.contract"].browse(self.contract_id).action_invoice_penalty()
        with self._other_transaction() as retried, self.assertRaisesRegex(UserError, "Nothing to invoice"):
            retried["leasing.contract"].browse(self.contract_id).action_invoice_penalty()
        self.assertEqual(self._billed(), (1, self.penalty_due))

    def test_close_leaves_the_billing_when_the_journal_is_busy(self):
        """Another worker posts an invoice in the lease's journal and has not committed: its
        numbering is held. The close does not wait for it: it writes the lease's figures, logs
        no error and leaves the penalty to the next close, which bills it once."""
        with self._other_transaction() as other:
            contract = other["leasing.contract"].browse(self.contract_id)
            busy = other["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": contract.partner_id.id,
                    "journal_id": contract.plan_id.journal_id.id,
                    "invoice_line_ids": [(0, 0, {"name": "Meanwhile", "quantity": 1.0, "price_unit": 10.0})],
                }
            )
            busy.action_post()
            with self._env() as env:
                env.cr.execute("SET LOCAL lock_timeout = '1s'")
                today = fields.Date.context_today(env["leasing.contract"])
                run = env["leasing.close.run"]._create_manual(env["res.company"].browse(self.company_id), today)
                run._run_all(100)
                self.assertEqual((run.state, run.error_count), ("done", 0))
                closed = env["leasing.contract"].browse(self.contract_id)
                self.assertEqual((closed.close_run_id, closed.penalty_due), (run, self.penalty_due))
        self.assertEqual(self._billed(), (0, 0.0))
        with self._env() as env:
            today = fields.Date.context_today(env["leasing.contract"])
            env["leasing.close.run"]._create_manual(env["res.company"].browse(self.company_id), today)._run_all(100)
        self.assertEqual(self._billed(), (1, self.penalty_due))
