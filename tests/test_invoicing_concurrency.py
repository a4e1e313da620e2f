"""The daily invoicing against other transactions, with real concurrent database connections.

A test's own transaction cannot be seen from another connection, and committed data in the test
database would be seen by every other test. So these tests work in a scratch database: a copy of
the test database (``CREATE DATABASE ... TEMPLATE``, a fraction of a second) with its own Odoo
registry, where the data is committed for real, by several connections; it is dropped at the end
whatever happens, and nothing is written to the test database. Each test starts by closing the
leases the previous ones left active, so that its run sees only its own lines.

The cron runs as Odoo's cron worker runs it: ``ir.cron._run_job``, which calls the server action
in its own transaction, commits, and calls again while the call reports invoices made and lines
remaining (at most ten times). Each call leaves an ``ir.cron.progress`` record: they tell how many
calls a run made and what each reported. "Another transaction" is a second connection, driven from
the same thread: it takes its locks before the run, or commits its invoice from inside the run's
first call, right after the run's snapshot is taken; nothing waits on a thread or a timer. A lock
timeout on the scratch database turns any unexpected wait into an error instead of a hang.
"""

import shutil
import time
from contextlib import closing, contextmanager
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import errors as pgerrors

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.addons.base.models.ir_cron import CompletionStatus
from odoo.addons.leasing_management.models.leasing_schedule_line import LeasingScheduleLine
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

BATCH_SIZE = 2


def _create_database_from(source, name):
    """Create the database ``name`` as a copy of ``source``. PostgreSQL copies a database only
    while nobody is connected to it: this process's idle pooled connections to it are closed
    first (between two test classes none is in use), and the copy is retried for a few seconds
    should another connection be closing."""
    odoo.sql_db.close_db(source)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(name)))
        for attempt in range(20):
            try:
                cr.execute(SQL("CREATE DATABASE %s TEMPLATE %s", SQL.identifier(name), SQL.identifier(source)))
                break
            except pgerrors.ObjectInUse:
                if attempt == 19:
                    raise
                odoo.sql_db.close_db(source)
                time.sleep(0.5)
        # Any wait on another connection's lock would be a bug here: make it an error, not a hang.
        cr.execute(SQL("ALTER DATABASE %s SET lock_timeout = '10s'", SQL.identifier(name)))


def _drop_database(name):
    Registry.delete(name)
    odoo.sql_db.close_db(name)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(name)))
    shutil.rmtree(odoo.tools.config.filestore(name), ignore_errors=True)


@tagged("post_install", "-at_install")
class TestInvoicingConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        source = get_db_name()
        cls.db_name = f"{source}_concurrency"
        _create_database_from(source, cls.db_name)
        cls.addClassCleanup(_drop_database, cls.db_name)
        # Loading a registry with test_enable set would run every module's at_install tests.
        with patch.dict(odoo.tools.config.options, {"test_enable": False}):
            cls.registry = Registry.new(cls.db_name)
        with cls._env() as env:
            company = env.ref("base.main_company")
            cls.plan_id = (
                env["leasing.plan"]
                .create({"name": "Concurrency plan", "company_id": company.id, "term": 12, "annual_rate": 9.0})
                .id
            )
            cls.product_id = env["product.product"].create({"name": "Forklift", "lst_price": 24000.0}).id
            cron = env.ref("leasing_management.ir_cron_invoice_due_lines")
            # Small batches, so that a run of a few lines needs several batches, as thousands do.
            cron.code = f"model._cron_invoice_due_lines(batch_size={BATCH_SIZE})"
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
        # The leases of the previous tests, whatever they left to invoice, are out of the way.
        with self._env() as env:
            env.cr.execute("UPDATE leasing_contract SET state = 'closed' WHERE state = 'active'")

    def _leases(self, count, months_running=0):
        """Commit ``count`` active leases of one lessee each, monthly in arrears: the first
        instalment falls due within the invoicing horizon (in 3 to 6 days), and so do the
        ``months_running`` before it. Return the ids of their lines due, by lease."""
        with self._env() as env:
            today = fields.Date.context_today(env["leasing.contract"])
            start = today - timedelta(days=25 + 31 * months_running)
            partners = env["res.partner"].create([{"name": f"Lessee {i}"} for i in range(count)])
            contracts = env["leasing.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "plan_id": self.plan_id,
                        "start_date": start,
                        "line_ids": [(0, 0, {"product_id": self.product_id})],
                    }
                    for partner in partners
                ]
            )
            # Straight to active: the commencement entries are not what is tested here.
            contracts.write({"state": "active"})
            Line = env["leasing.schedule.line"]
            due = Line.search(Line._due_domain(contracts.company_id) + [("contract_id", "in", contracts.ids)])
            by_contract = [due.filtered(lambda line, c=c: line.contract_id == c).ids for c in contracts]
        self.assertEqual([len(ids) for ids in by_contract], [months_running + 1] * count)
        return by_contract

    @contextmanager
    def _other_transaction(self):
        """A second connection, whose transaction stays open until the end of the block, then
        is rolled back."""
        with closing(self.registry.cursor()) as cr:
            try:
                yield api.Environment(cr, SUPERUSER_ID, {})
            finally:
                cr.rollback()

    def _run_cron(self):
        """Run the invoicing cron as Odoo's cron worker does; return its completion status and
        the (done, remaining) each call reported."""
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

    def _invoices(self, line_ids):
        """{line id: number of live invoices} of these lines, as committed."""
        with self._env() as env:
            env.cr.execute(
                """
                SELECT line.id, COUNT(move.id) FILTER (WHERE move.state != 'cancel')
                  FROM leasing_schedule_line line
                  LEFT JOIN account_move move ON move.leasing_schedule_line_id = line.id
                 WHERE line.id IN %s
                 GROUP BY line.id
                """,
                (tuple(line_ids),),
            )
            return dict(env.cr.fetchall())

    # ------------------------------------------------------------------
    def test_lines_another_transaction_holds_are_skipped(self):
        """(a) Another transaction holds two of five due lines: the run invoices the three others,
        reports the invoices it made, and ends; the two are invoiced once they are free."""
        lines = [ids[0] for ids in self._leases(5)]
        held, free = lines[:2], lines[2:]
        begin = time.perf_counter()
        with self._other_transaction() as other:
            other.cr.execute("SELECT id FROM leasing_schedule_line WHERE id IN %s FOR UPDATE", (tuple(held),))
            status, calls = self._run_cron()
        seconds = time.perf_counter() - begin
        # First call: the batch of the two held lines yields nothing, the next batch two invoices,
        # one line left (the held ones are not counted); second call: the last one.
        self.assertEqual(calls, [(2, 1), (1, 0)])
        self.assertEqual(status, CompletionStatus.FULLY_DONE)
        self.assertEqual(self._invoices(lines), dict.fromkeys(held, 0) | dict.fromkeys(free, 1))
        self.assertLess(seconds, 10, "the run must not wait for the other transaction")
        # Released, the two are the next run's.
        status, calls = self._run_cron()
        self.assertEqual((status, calls), (CompletionStatus.FULLY_DONE, [(2, 0)]))
        self.assertEqual(self._invoices(lines), dict.fromkeys(lines, 1))

    def test_a_line_invoiced_by_another_transaction_meanwhile(self):
        """(b) Once the run's snapshot is taken, another transaction invoices the older of the two
        due lines of a lease and commits: a Leasing Manager fixed the plan of a lease the run
        skipped yesterday, and pressed its "Invoice Due Instalments".

        Locking that line raises a serialization failure: the run skips it. Invoicing the lease's
        other line writes the lease too (its failure is over), which the other transaction has
        just written: the batch fails, each lease is then invoiced on its own, and that one is left
        to the next call, in a new transaction. The others are invoiced at once; no line is
        invoiced twice; the day's run does not fail."""
        [(first, second)] = self._leases(1, months_running=1)
        (third,), (fourth,) = self._leases(2)
        lines = [first, second, third, fourth]
        with self._env() as env:
            lease = env["leasing.schedule.line"].browse(first).contract_id
            yesterday = fields.Date.context_today(lease) - timedelta(days=1)
            lease.write({"invoicing_error": "The plan lacked its interest account.", "invoicing_error_date": yesterday})
            lease_id = lease.id
        # Patched on the addon's class, which the registry's class of the model inherits from
        # (even should the cron worker reload the registry).
        lock_for_invoicing = LeasingScheduleLine._lock_for_invoicing
        others = []

        def invoice_first_meanwhile(records):
            if not others:
                others.append(None)  # once; the other transaction's own locking goes straight through
                with self._env() as env:
                    others[0] = env["leasing.schedule.line"].browse(first)._create_invoices().id
            return lock_for_invoicing(records)

        with patch.object(LeasingScheduleLine, "_lock_for_invoicing", invoice_first_meanwhile):
            status, calls = self._run_cron()
        self.assertTrue(others[0])
        # First call: the first batch (first and second) yields nothing, the next one two
        # invoices, one line left (second); the second call invoices it.
        self.assertEqual(calls, [(2, 1), (1, 0)])
        self.assertEqual(status, CompletionStatus.FULLY_DONE)
        self.assertEqual(self._invoices(lines), dict.fromkeys(lines, 1))
        with self._env() as env:
            self.assertEqual(env["leasing.schedule.line"].browse(first).invoice_id.id, others[0])
            self.assertFalse(env["leasing.contract"].browse(lease_id).invoicing_error)

    def test_a_run_whose_lines_are_all_held_makes_one_call(self):
        """(c) Every due line is held by another transaction: one call, which invoices nothing
        and says so, instead of ten calls reporting lines they could not invoice."""
        lines = [ids[0] for ids in self._leases(5)]
        with self._other_transaction() as other:
            other.cr.execute("SELECT id FROM leasing_schedule_line WHERE id IN %s FOR UPDATE", (tuple(lines),))
            status, calls = self._run_cron()
        self.assertEqual((status, calls), (CompletionStatus.FULLY_DONE, [(0, 0)]))
        self.assertEqual(self._invoices(lines), dict.fromkeys(lines, 0))
