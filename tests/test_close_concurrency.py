"""The collections close against other transactions, with real concurrent database connections.

As ``test_invoicing_concurrency.py`` does (and with its helpers): the tests work in a scratch
copy of the test database with its own registry, where data is committed for real by several
connections, dropped at the end. The close runs as Odoo's cron worker runs it
(``ir.cron._run_job``: one transaction per call, committed, called again while the call reports
leases closed and leases left). "Another worker" is a second connection driven from the same
thread; a lock timeout on the scratch database turns any unexpected wait into an error.
"""

from contextlib import closing, contextmanager
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.addons.base.models.ir_cron import CompletionStatus
from odoo.addons.leasing_collections.models.leasing_contract import LeasingContract
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .test_invoicing_concurrency import _create_database_from, _drop_database

CHUNK_SIZE = 2


@tagged("post_install", "-at_install")
class TestCloseConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        source = get_db_name()
        cls.db_name = f"{source}_close_concurrency"
        _create_database_from(source, cls.db_name)
        cls.addClassCleanup(_drop_database, cls.db_name)
        # Loading a registry with test_enable set would run every module's at_install tests.
        with patch.dict(odoo.tools.config.options, {"test_enable": False}):
            cls.registry = Registry.new(cls.db_name)
        with cls._env() as env:
            cls.company_id = env.ref("base.main_company").id
            cls.plan_id = (
                env["leasing.plan"]
                .create(
                    {
                        "name": "Close concurrency plan",
                        "company_id": cls.company_id,
                        "term": 12,
                        "annual_rate": 9.0,
                        "penalty_rate_daily": 0.05,
                        "penalty_grace_days": 2,
                    }
                )
                .id
            )
            cls.product_id = env["product.product"].create({"name": "Forklift", "lst_price": 24000.0}).id
            cron = env.ref("leasing_collections.ir_cron_collections_close")
            # Small chunks, so that a few leases need several calls, as thousands do.
            cron.code = f"model._cron_collections_close(chunk_size={CHUNK_SIZE})"
            cls.job = {
                "id": cron.id,
                "cron_name": cron.cron_name,
                "ir_actions_server_id": cron.ir_actions_server_id.id,
                "user_id": cron.user_id.id,
                "lastcall": cron.lastcall,
                "timed_out_counter": 0,
                "active": True,
            }

    @classmethod
    @contextmanager
    def _env(cls):
        """An environment on a new connection to the scratch database, committed at the end."""
        with cls.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        # The leases and closes of the demo and of the previous tests are out of the way.
        with self._env() as env:
            env.cr.execute(
                "UPDATE leasing_contract SET state = 'closed', days_past_due = 0"
                " WHERE state = 'active' OR days_past_due > 0"
            )
            env.cr.execute("DELETE FROM leasing_close_run")

    @contextmanager
    def _other_transaction(self, commit=False):
        """A second connection, whose transaction stays open until the end of the block, then
        is committed (``commit``) or rolled back."""
        with closing(self.registry.cursor()) as cr:
            try:
                yield api.Environment(cr, SUPERUSER_ID, {})
                if commit:
                    cr.commit()
            finally:
                cr.rollback()

    def _leases(self, count):
        """Commit ``count`` active leases, each with its first two monthly instalments invoiced and
        unpaid (the first fell due about 40 days ago); return their ids."""
        with self._env() as env:
            today = fields.Date.context_today(env["leasing.contract"])
            partners = env["res.partner"].create([{"name": f"Late lessee {i}"} for i in range(count)])
            contracts = env["leasing.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "plan_id": self.plan_id,
                        "start_date": today - timedelta(days=72),
                        "line_ids": [(0, 0, {"product_id": self.product_id})],
                    }
                    for partner in partners
                ]
            )
            contracts.write({"state": "active"})
            Line = env["leasing.schedule.line"]
            while Line._cron_invoice_due_lines(batch_size=50):
                pass
            self.assertTrue(all(contract.schedule_line_ids.invoice_id for contract in contracts))
            return contracts.ids

    def _run_cron(self):
        """Run the close as Odoo's cron worker does; return its completion status and the
        (done, remaining) each call reported."""
        with self._env() as env:
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress")
            last = env.cr.fetchone()[0]
        with self.assertNoLogs("odoo", "ERROR"):
            status = self.registry["ir.cron"]._run_job(dict(self.job))
        with self._env() as env:
            env.cr.execute(
                "SELECT done, remaining FROM ir_cron_progress WHERE cron_id = %s AND id > %s ORDER BY id",
                (self.job["id"], last),
            )
            return status, [tuple(row) for row in env.cr.fetchall()]

    def _figures(self, env, contract_ids):
        """What the close sets on these leases and their lines, as ``env`` sees it."""
        contracts = env["leasing.contract"].browse(contract_ids)
        env.invalidate_all()
        history = env["leasing.aging.history"].search([("contract_id", "in", contract_ids)], order="id")
        return [
            (
                contract.days_past_due,
                contract.aging_bucket_id.id,
                contract.amount_in_arrears,
                contract.penalty_accrued,
                [(line.days_past_due, line.penalty_accrued) for line in contract.schedule_line_ids],
                [
                    (row.date, row.bucket_before_id.id, row.bucket_after_id.id, row.days_past_due)
                    for row in history
                    if row.contract_id == contract
                ],
            )
            for contract in contracts
        ]

    def _expected(self, contract_ids):
        """The figures of a close by one worker alone, now, by hand (rolled back)."""
        with self._other_transaction() as env:
            company = env["res.company"].browse(self.company_id)
            today = fields.Date.context_today(env["leasing.contract"])
            env["leasing.close.run"]._create_manual(company, today)._run_all(100)
            return self._figures(env, contract_ids)

    def _run(self, env):
        today = fields.Date.context_today(env["leasing.contract"])
        return env["leasing.close.run"].search(
            [("company_id", "=", self.company_id), ("date", "=", today), ("origin", "=", "daily")]
        )

    # ------------------------------------------------------------------
    def test_two_workers_share_one_close(self):
        """Another worker holds a chunk of the day's close: the cron closes the others without
        waiting for it, then looks again a minute later and finishes the run once the other
        worker has committed. Every lease is closed once, with the figures one worker alone
        finds."""
        contract_ids = self._leases(6)
        expected = self._expected(contract_ids)
        with self._env() as env:
            # The day's run starts: a first chunk, committed.
            company = env["res.company"].browse(self.company_id)
            self.assertEqual(env["leasing.contract"]._cron_collections_close(CHUNK_SIZE, company), CHUNK_SIZE)
        with self._other_transaction(commit=True) as other:
            run = self._run(other)
            self.assertEqual(run._close_next_chunk(CHUNK_SIZE), (CHUNK_SIZE, 0))
            with self._env() as env:
                env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_trigger")
                last_trigger = env.cr.fetchone()[0]
            status, calls = self._run_cron()
            # The two free leases, then nothing it may lock: the other worker's two are left.
            self.assertEqual(calls, [(2, 2), (0, 0)])
            self.assertEqual(status, CompletionStatus.FULLY_DONE)
        with self._env() as env:
            run = self._run(env)
            self.assertEqual((run.state, run.contract_count, run.chunk_count), ("running", 6, 3))
            env.cr.execute(
                "SELECT COUNT(*) FROM ir_cron_trigger WHERE id > %s AND cron_id = %s", (last_trigger, self.job["id"])
            )
            self.assertEqual(env.cr.fetchone()[0], 1, "the cron looks again later")
        # A minute later: nothing left; the run is done.
        status, calls = self._run_cron()
        self.assertEqual((status, calls), (CompletionStatus.FULLY_DONE, [(0, 0)]))
        with self._env() as env:
            run = self._run(env)
            self.assertEqual((run.state, run.contract_count, run.error_count), ("done", 6, 0))
            self.assertEqual(self._figures(env, contract_ids), expected)
            # Each lease went past due and into 31-60 days: its history, written once.
            self.assertTrue(all(len(figures[-1]) == 2 for figures in expected))

    def test_a_payment_committed_during_the_close(self):
        """Once a chunk's snapshot is taken, another transaction registers a payment on one of its
        leases and commits: writing that lease's instalment fails (a serialization failure), the
        chunk is closed lease by lease, and that lease is left to the next call, in a new
        transaction, which sees the payment. No lease is closed twice or logged as an error."""
        contract_ids = self._leases(3)
        read_contracts = LeasingContract._collections_read_contracts
        paid = []

        def pay_meanwhile(records):
            if not paid:
                paid.append(None)
                with self._env() as env:
                    invoice = env["leasing.contract"].browse(contract_ids[0]).schedule_line_ids[0].invoice_id
                    env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=invoice.ids
                    ).create({})._create_payments()
                    paid[0] = invoice.id
            return read_contracts(records)

        with patch.object(LeasingContract, "_collections_read_contracts", pay_meanwhile):
            status, calls = self._run_cron()
        self.assertTrue(paid[0])
        # First call: the chunk of two, one of them left to the next call; then the third lease
        # with the one left.
        self.assertEqual(calls, [(2, 2), (2, 0)])
        self.assertEqual(status, CompletionStatus.FULLY_DONE)
        expected = self._expected(contract_ids)
        with self._env() as env:
            run = self._run(env)
            self.assertEqual((run.state, run.contract_count, run.error_count), ("done", 3, 0))
            self.assertEqual(sum(run.chunk_ids.mapped("retry_count")), 1)
            self.assertEqual(self._figures(env, contract_ids), expected)
            # The payment is in the figures: the first instalment is paid (today), so it is no
            # longer past due, but keeps the penalty it accrued until then.
            line = env["leasing.contract"].browse(contract_ids[0]).schedule_line_ids[0]
            self.assertEqual(line.days_past_due, 0)
            self.assertGreater(line.penalty_accrued, 0)

    # ------------------------------------------------------------------
    # Reminders: one per instalment, level and recipient, whoever closes
    # ------------------------------------------------------------------
    def _reminder_keys(self, env, contract_ids):
        """(instalment, level, recipient) of each reminder of these leases, as ``env`` sees it."""
        env.cr.execute(
            "SELECT line_id, level_id, partner_id FROM leasing_reminder WHERE contract_id IN %s"
            " ORDER BY line_id, level_id, partner_id",
            (tuple(contract_ids),),
        )
        return [tuple(row) for row in env.cr.fetchall()]

    def _expected_reminders(self, contract_ids):
        """The reminders one worker alone sends for these leases, now (rolled back)."""
        with self._other_transaction() as env:
            company = env["res.company"].browse(self.company_id)
            today = fields.Date.context_today(env["leasing.contract"])
            env["leasing.close.run"]._create_manual(company, today)._run_all(100)
            return self._reminder_keys(env, contract_ids)

    def test_two_workers_send_one_reminder_per_level(self):
        """Two workers close the day's leases at once (the second holds a chunk while the cron
        closes the rest): each lease's instalments get each level due once per recipient, the
        reminders one worker alone sends, none twice."""
        contract_ids = self._leases(6)
        expected = self._expected_reminders(contract_ids)
        # About 40 days late: the SMS, the call, the 15-day e-mail and letter, the 30-day letter
        # for the first instalment, and for the second (10 days late) the SMS and the call.
        self.assertEqual(len(expected), 6 * 7)
        with self._env() as env:
            company = env["res.company"].browse(self.company_id)
            self.assertEqual(env["leasing.contract"]._cron_collections_close(CHUNK_SIZE, company), CHUNK_SIZE)
        with self._other_transaction(commit=True) as other:
            self.assertEqual(self._run(other)._close_next_chunk(CHUNK_SIZE), (CHUNK_SIZE, 0))
            status, calls = self._run_cron()
            self.assertEqual((status, calls), (CompletionStatus.FULLY_DONE, [(2, 2), (0, 0)]))
        self._run_cron()
        # Both again, now that the day's close is done: by hand, then the cron.
        with self._env() as env:
            company = env["res.company"].browse(self.company_id)
            today = fields.Date.context_today(env["leasing.contract"])
            env["leasing.close.run"]._create_manual(company, today)._run_all(100)
        self._run_cron()
        with self._env() as env:
            self.assertEqual(self._reminder_keys(env, contract_ids), expected)

    def test_reminder_recorded_by_another_transaction_is_not_sent_again(self):
        """The unique key, under two transactions: one records and sends the day's reminders and
        commits while the other, begun before, is about to send the same: the latter fails to
        serialize (the close leaves such a lease to a later call) and sends nothing; a new
        transaction finds nothing left to send."""
        contract_ids = self._leases(2)
        self._run_cron()
        with self._env() as env:
            expected = self._reminder_keys(env, contract_ids)
            self.assertEqual(len(expected), 2 * 7)
            # The figures of the close stay; its reminders are as if not sent yet.
            env.cr.execute("DELETE FROM leasing_reminder WHERE contract_id IN %s", (tuple(contract_ids),))
        with self._other_transaction() as late:
            late.cr.execute("SELECT 1")  # its snapshot
            with self._env() as env:
                contracts = env["leasing.contract"].browse(contract_ids)
                today = fields.Date.context_today(contracts)
                sent = env["leasing.reminder"]._send_due(contracts, today)
                self.assertEqual(len(sent), len(expected))
            contracts = late["leasing.contract"].browse(contract_ids)
            with self.assertRaises(PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                late["leasing.reminder"]._send_due(contracts, fields.Date.context_today(contracts))
        with self._env() as env:
            contracts = env["leasing.contract"].browse(contract_ids)
            self.assertFalse(env["leasing.reminder"]._send_due(contracts, fields.Date.context_today(contracts)))
            self.assertEqual(self._reminder_keys(env, contract_ids), expected)
