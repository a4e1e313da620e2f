from contextlib import suppress
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.addons.leasing_collections.models.leasing_contract import LeasingContract
from odoo.addons.leasing_collections.tools import instalment_penalty, round_half_up
from odoo.tests import tagged

from .common import CollectionsCommon


class Crash(BaseException):
    """A worker dying in the middle of a chunk: nothing of its transaction is committed, and no
    ``except Exception`` of the close catches it."""


@tagged("post_install", "-at_install")
class TestCollectionsClose(CollectionsCommon):
    def _behind_lease(self):
        """The hand-worked lease: instalments 1 and 2 invoiced; 1,000.00 paid on 2026-03-02 and
        1,400.22 on 2026-03-16 against instalment 1 (1,000.00 of it left); 2 unpaid."""
        contract = self._lease()
        self._invoice("2026-03-25")
        first, second = self._installment_invoices(contract)
        self._pay(first, amount=1000.0, payment_date="2026-03-02")
        self._pay(first, amount=1400.22, payment_date="2026-03-16")
        return contract, first, second

    def test_hand_worked_penalty_on_a_lease(self):
        """As of 2026-04-10, penalty 0.05 % a day, 3 grace days, cap 2 %.

        Instalment 1 (3,400.22 due Feb 28): the grace ends on March 3 with 2,400.22 unpaid, so
        the penalty runs from March 1:
          March 1        1 day   x 3,400.22 =  3,400.22
          March 2-15    14 days  x 2,400.22 = 33,603.08
          March 16-Apr 10 26 days x 1,000.00 = 26,000.00
                                              63,003.30 x 0.0005 = 31.50165 -> 31.50
        Instalment 2 (3,400.22 due March 31), unpaid: April 1-10, 10 x 3,400.22 = 34,002.20
        x 0.0005 = 17.0011 -> 17.00. Days past due 41 and 10; the lease: 41 (instalment 1),
        bucket 31-60; overdue 1,000.00 + 3,400.22 = 4,400.22; penalty 48.50.

        As of 2026-05-31 (instalment 3, 3,400.23 due April 30, invoiced and unpaid):
          1: + April 11-May 31, 51 days x 1,000.00 = 51,000 -> 114,003.30 x 0.0005 = 57.00165
             -> 57.00 (cap 2 % = 68.0044 not reached);
          2: April 1-May 31, 61 days x 3,400.22 = 207,413.42 x 0.0005 = 103.70671, capped at
             68.0044 -> 68.00;
          3: May 1-31, 31 days x 3,400.23 = 105,407.13 x 0.0005 = 52.703565 -> 52.70.
        The lease: 92 days past due, bucket 91-180, overdue 7,800.45, penalty 177.70.

        Its history, found by its first close from its start: 1-30 on March 1 (1 day; 3,400.22
        overdue), 31-60 on March 31 (31 days; 1,000.00: instalment 2 falls due that very day);
        then, by the second close, 61-90 on April 30 (61 days; 4,400.22) and 91-180 on May 30
        (91 days; 7,800.45).

        The first close comes after the plan's penalty billing day (the 1st): the penalty is
        invoiced at once, and none is left due (``test_penalty_billing.py``)."""
        contract, first, second = self._behind_lease()
        run = self._close("2026-04-10")
        lines = contract.schedule_line_ids.sorted("sequence")
        self.assertRecordValues(
            lines,
            [
                {
                    "days_past_due": 41,
                    "penalty_accrued": 31.50,
                    "penalty_invoiced": 31.50,
                    "penalty_due": 0.0,
                    "state": "overdue",
                },
                {
                    "days_past_due": 10,
                    "penalty_accrued": 17.00,
                    "penalty_invoiced": 17.00,
                    "penalty_due": 0.0,
                    "state": "overdue",
                },
                {
                    "days_past_due": 0,
                    "penalty_accrued": 0.0,
                    "penalty_invoiced": 0.0,
                    "penalty_due": 0.0,
                    "state": "planned",
                },
            ],
        )
        self.assertRecordValues(
            contract,
            [
                {
                    "days_past_due": 41,
                    "aging_bucket_id": self.b31_60.id,
                    "amount_in_arrears": 4400.22,
                    "penalty_accrued": 48.50,
                    "penalty_due": 0.0,
                    "close_date": date(2026, 4, 10),
                    "close_run_id": run.id,
                }
            ],
        )
        # The pure engine, on the payments as registered, gives the same figure.
        payments = [(date(2026, 3, 2), 1000.0), (date(2026, 3, 16), 1400.22)]
        terms = {"rate": 0.05, "grace_days": 3, "cap_pct": 2.0}
        engine = instalment_penalty(3400.22, date(2026, 2, 28), payments, date(2026, 4, 10), **terms)
        self.assertEqual(round_half_up(engine), lines[0].penalty_accrued)
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "contract_count": 1,
                    "chunk_count": 1,
                    "overdue_contract_count": 1,
                    "overdue_line_count": 2,
                    "bucket_change_count": 2,
                    "amount_overdue": 4400.22,
                    "penalty_accrued": 48.50,
                    "error_count": 0,
                }
            ],
        )

        self._invoice("2026-04-25")
        self._close("2026-05-31")
        self.assertEqual(lines.mapped("days_past_due"), [92, 61, 31])
        self.assertEqual(lines.mapped("penalty_accrued"), [57.00, 68.00, 52.70])
        self.assertRecordValues(
            contract,
            [{"days_past_due": 92, "aging_bucket_id": self.b91_180.id, "amount_in_arrears": 7800.45}],
        )
        self.assertAlmostEqual(contract.penalty_accrued, 177.70, places=2)
        self.assertEqual(
            self._figures(contract)["history"],
            [
                (contract.name, date(2026, 3, 1), "Current", "1-30 days", 1, 3400.22),
                (contract.name, date(2026, 3, 31), "1-30 days", "31-60 days", 31, 1000.0),
                (contract.name, date(2026, 4, 30), "31-60 days", "61-90 days", 61, 4400.22),
                (contract.name, date(2026, 5, 30), "61-90 days", "91-180 days", 91, 7800.45),
            ],
        )

    def test_paid_late_keeps_its_penalty_paid_on_time_owes_none(self):
        """Instalment 1 paid in full on 2026-03-03, the last grace day: no penalty. Instalment 2
        paid in full on 2026-04-05, two days past its grace (April 3): the penalty runs April 1-4,
        4 x 3,400.22 x 0.0005 = 6.80044 -> 6.80, and stays once paid (invoiced by the close, as
        the instalment is paid up); the lease is current."""
        contract = self._lease()
        self._invoice("2026-03-25")
        first, second = self._installment_invoices(contract)
        self._pay(first, payment_date="2026-03-03")
        self._pay(second, payment_date="2026-04-05")
        self._close("2026-04-20")
        lines = contract.schedule_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("penalty_accrued"), [0.0, 6.80, 0.0])
        self.assertEqual(lines.mapped("days_past_due"), [0, 0, 0])
        self.assertRecordValues(
            contract,
            [{"days_past_due": 0, "aging_bucket_id": self.current.id, "penalty_accrued": 6.80, "penalty_due": 0.0}],
        )
        # The history found from the start: late a day after each due date, current again the
        # day each was paid.
        self.assertEqual(
            self._figures(contract)["history"],
            [
                (contract.name, date(2026, 3, 1), "Current", "1-30 days", 1, 3400.22),
                (contract.name, date(2026, 3, 3), "1-30 days", "Current", 0, 0.0),
                (contract.name, date(2026, 4, 1), "Current", "1-30 days", 1, 3400.22),
                (contract.name, date(2026, 4, 5), "1-30 days", "Current", 0, 0.0),
            ],
        )

    def test_close_twice_same_figures(self):
        """The same close run again (by the cron, then by hand) changes nothing: the figures are
        worked out again from the ledger, never added to; no history row is written twice; the
        two logs give the same figures."""
        contract, *_invoices = self._behind_lease()
        other = self._lease(partner_id=self.env["res.partner"].create({"name": "Second Lessee"}).id)
        self._invoice("2026-04-05")
        contracts = contract | other
        first_run = self._close("2026-04-10")
        figures = self._figures(contracts)
        # The cron again the same day: the day's close is done, nothing is closed twice.
        with freeze_time("2026-04-10"):
            self.assertEqual(
                self.env["leasing.contract"]._cron_collections_close(chunk_size=2, companies=self.company), 0
            )
        self.assertEqual(self._figures(contracts), figures)
        # By hand, for the same day: every lease closed again, same figures, no new history.
        with freeze_time("2026-04-10"):
            wizard = self.env["leasing.close.run.wizard"].create({"company_id": self.company.id})
            wizard.action_run()
        manual_run = self._run("2026-04-10", origin="manual")
        self.assertNotEqual(manual_run, first_run)
        self.assertEqual(self._figures(contracts), figures)
        fields = [
            "contract_count",
            "overdue_contract_count",
            "overdue_line_count",
            "amount_overdue",
            "penalty_accrued",
            "penalty_due",
            "error_count",
        ]
        self.assertEqual(manual_run.read(fields)[0] | {"id": 0}, first_run.read(fields)[0] | {"id": 0})
        # Each lease went to 1-30 on March 1 and to 31-60 on March 31: four rows, written once.
        self.assertEqual((first_run.bucket_change_count, manual_run.bucket_change_count), (4, 0))

    def test_catch_up_after_ten_days_equals_every_day(self):
        """Closed on 2026-04-21, then no close for ten days. Meanwhile instalment 1's last
        1,000.00 is paid on April 24 and instalment 3 falls due on April 30. Whether the close
        runs on each of the ten days or only on May 1, the figures are the same, and so is the
        history: 31-60 -> 1-30 on April 24 (instalment 2 is the oldest unpaid: 24 days,
        3,400.22 overdue), 1-30 -> 31-60 on May 1 (31 days; 3,400.22 + 3,400.23 = 6,800.45)."""
        contract, first, _second = self._behind_lease()
        self._invoice("2026-04-25")
        self._pay(first, amount=1000.0, payment_date="2026-04-24")
        self._close("2026-04-21")

        def daily():
            for day in range(22, 31):
                self._close(f"2026-04-{day}")
            self._close("2026-05-01")

        every_day = self._figures_after(contract, daily)
        catch_up = self._figures_after(contract, lambda: self._close("2026-05-01"))
        self.assertEqual(catch_up, every_day)
        self.assertEqual(
            catch_up["history"][-2:],
            [
                (contract.name, date(2026, 4, 24), "31-60 days", "1-30 days", 24, 3400.22),
                (contract.name, date(2026, 5, 1), "1-30 days", "31-60 days", 31, 6800.45),
            ],
        )
        # Instalment 1, paid on April 24: March 1 3,400.22 + 14 x 2,400.22 + 39 days (March 16 to
        # April 23) x 1,000.00 = 76,003.30 x 0.0005 = 38.00165 -> 38.00, then no more.
        self.assertEqual(catch_up["lines"][0][2:4], (0, 38.00))

    def _figures_after(self, contracts, closes):
        """The figures after ``closes``, which are then rolled back."""

        class Undo(Exception):
            pass

        with suppress(Undo), self.env.cr.savepoint():
            closes()
            figures = self._figures(contracts)
            raise Undo
        self.env.invalidate_all()
        return figures

    def test_history_only_on_change(self):
        """Daily closes while the lease stays in its bucket write no history; the day it moves
        to the next, one row. (Its first close found its two changes since its start.)"""
        contract, *_invoices = self._behind_lease()
        History = self.env["leasing.aging.history"]
        for day in ("2026-04-10", "2026-04-11", "2026-04-12"):
            self._close(day)
        history = History.search([("contract_id", "=", contract.id)], order="date")
        self.assertRecordValues(
            history,
            [
                {"date": date(2026, 3, 1), "bucket_before_id": self.current.id, "bucket_after_id": self.b1_30.id},
                {"date": date(2026, 3, 31), "bucket_before_id": self.b1_30.id, "bucket_after_id": self.b31_60.id},
            ],
        )
        self.assertEqual(history.mapped("worsened"), [True, True])
        for day in range(13, 30):
            self._close(f"2026-04-{day}")
        self.assertEqual(History.search_count([("contract_id", "=", contract.id)]), 2)
        self._close("2026-04-30")
        history = History.search([("contract_id", "=", contract.id)], order="date")
        self.assertEqual(history.mapped("bucket_after_id"), self.b1_30 | self.b31_60 | self.b61_90)
        self.assertEqual(history[-1].run_id, self._run("2026-04-30"))
        self.assertEqual(contract.aging_history_count, 3)

    def test_crash_mid_close_resumes_without_counting_twice(self):
        """Five leases, chunks of two: the first call closes two and is committed; the second
        dies after writing its figures (nothing of it is kept); the next calls close the three
        left, each once: the run counts five leases in three chunks, and the figures and history
        are those of a close that never crashed."""
        contracts = self.env["leasing.contract"]
        for index in range(5):
            partner = self.env["res.partner"].create({"name": f"Lessee {index}"})
            contracts |= self._lease(partner_id=partner.id)
        self._invoice("2026-03-25")
        expected = self._figures_after(contracts, lambda: self._close("2026-04-10"))

        Contract = self.env["leasing.contract"]
        write_figures = LeasingContract._collections_write_figures

        def dying(records, run, figures):
            write_figures(records, run, figures)
            raise Crash

        with freeze_time("2026-04-10"):
            self.assertEqual(Contract._cron_collections_close(chunk_size=2, companies=self.company), 2)
            with (
                patch.object(LeasingContract, "_collections_write_figures", dying),
                self.assertRaises(Crash),
                self.env.cr.savepoint(),
            ):
                Contract._cron_collections_close(chunk_size=2, companies=self.company)
            self.env.invalidate_all()
            run = self._run("2026-04-10")
            self.assertEqual((run.state, run.contract_count, run.chunk_count), ("running", 2, 1))
            self.assertEqual(run._remaining_count(), 3)
            self.assertEqual(Contract._cron_collections_close(chunk_size=2, companies=self.company), 2)
            self.assertEqual(Contract._cron_collections_close(chunk_size=2, companies=self.company), 1)
            self.assertEqual(Contract._cron_collections_close(chunk_size=2, companies=self.company), 0)
        run.invalidate_recordset()
        self.assertRecordValues(run, [{"state": "done", "contract_count": 5, "chunk_count": 3, "error_count": 0}])
        self.assertEqual(self._figures(contracts), expected)

    def test_progress_through_the_cron_api(self):
        """Each call reports the leases it closed and those left, as Odoo's cron runner reads
        them; the last call reports nothing done, which ends the run."""
        for index in range(3):
            self._lease(partner_id=self.env["res.partner"].create({"name": f"Lessee {index}"}).id)
        cron = self.env.ref("leasing_collections.ir_cron_collections_close")
        reported = []
        with freeze_time("2026-04-10"):
            for _call in range(3):
                cron_call, progress = cron._add_progress()
                self.env["leasing.contract"].with_context(cron_call.env.context)._cron_collections_close(
                    chunk_size=2, companies=self.company
                )
                reported.append((progress.done, progress.remaining))
        self.assertEqual(reported, [(2, 1), (1, 0), (0, 0)])
        self.assertEqual(self._run("2026-04-10").state, "done")

    def test_failing_lease_logged_and_skipped(self):
        """A lease whose figures cannot be worked out is logged in the run with the reason and
        left as it was; the others are closed, and the run ends. The next close tries it again."""
        behind, *_invoices = self._behind_lease()
        broken = self._lease(partner_id=self.env["res.partner"].create({"name": "Broken Lessee"}).id)
        self._invoice("2026-04-05")
        figures = LeasingContract._collections_contract_figures

        def failing(records, contract, *args):
            if contract["id"] == broken.id:
                raise ValueError("no rule applies to this lease")
            return figures(records, contract, *args)

        with patch.object(LeasingContract, "_collections_contract_figures", failing):
            run = self._close("2026-04-10", chunk_size=5)
        self.assertRecordValues(run, [{"state": "done", "contract_count": 2, "error_count": 1}])
        self.assertRecordValues(
            run.error_ids, [{"contract_id": broken.id, "message": "ValueError: no rule applies to this lease"}]
        )
        self.assertEqual(behind.days_past_due, 41)
        self.assertRecordValues(broken, [{"days_past_due": 0, "close_date": False, "close_run_id": run.id}])
        # Fixed: the next close closes it (instalment 1 due February 28, unpaid: 42 days).
        self._close("2026-04-11")
        self.assertRecordValues(broken, [{"days_past_due": 42, "aging_bucket_id": self.b31_60.id}])

    def test_a_chunk_that_fails_is_closed_lease_by_lease(self):
        """When the chunk's statements fail (here: the first lease's), the chunk is closed again
        lease by lease, in savepoints: only the culprit is skipped."""
        first = self._lease()
        second = self._lease(partner_id=self.env["res.partner"].create({"name": "Second Lessee"}).id)
        self._invoice("2026-03-25")
        write_figures = LeasingContract._collections_write_figures

        def failing(records, run, figures):
            if first.id in figures:
                raise ValueError("the database refused it")
            return write_figures(records, run, figures)

        with patch.object(LeasingContract, "_collections_write_figures", failing):
            run = self._close("2026-04-10", chunk_size=5)
        self.assertEqual(run.error_ids.contract_id, first)
        self.assertIn("the database refused it", run.error_ids.message)
        self.assertEqual((first.days_past_due, second.days_past_due), (0, 41))
        self.assertEqual(run.state, "done")

    def test_next_day_supersedes_an_unfinished_run(self):
        """A run left unfinished (the server went down) is superseded by the next day's, which
        closes every lease as of its own date."""
        for index in range(3):
            self._lease(partner_id=self.env["res.partner"].create({"name": f"Lessee {index}"}).id)
        Contract = self.env["leasing.contract"]
        with freeze_time("2026-04-10"):
            Contract._cron_collections_close(chunk_size=2, companies=self.company)
        stale = self._run("2026-04-10")
        self.assertEqual(stale.state, "running")
        run = self._close("2026-04-12")
        self.assertEqual(stale.state, "superseded")
        self.assertRecordValues(run, [{"state": "done", "contract_count": 3}])

    def test_lease_closed_since_its_last_close_is_brought_back_to_zero(self):
        """A lease left with days past due by a close is looked at by the next ones even once it
        is no longer active, until its figures say it is paid up."""
        contract, first, second = self._behind_lease()
        self._close("2026-04-10")
        self._pay(first, payment_date="2026-04-11")
        self._pay(second, payment_date="2026-04-11")
        # Closed meanwhile (as if the rest of the lease had been paid off).
        contract.sudo().state = "closed"
        self._close("2026-04-12")
        self.assertRecordValues(contract, [{"days_past_due": 0, "aging_bucket_id": self.current.id}])
        # Both paid on April 11, which owes nothing: the penalties to April 10 stay, 31.50 and
        # 17.00 (see the hand-worked lease).
        self.assertEqual(contract.schedule_line_ids.sorted("sequence").mapped("penalty_accrued")[:2], [31.50, 17.00])

    def test_a_lease_with_nothing_new_is_left_alone(self):
        """A close recomputes only the leases with something new since the company's previous
        close. On March 10 (the first close) both leases are; on March 11 the lease paid on time
        is left alone, its figures holding as of that close, and only the lease behind is
        recomputed. On April 2 its instalment of March 31, unpaid, has fallen due: it is
        recomputed again, to the figures a close of every lease finds."""
        paying = self._lease(partner_id=self.env["res.partner"].create({"name": "On Time"}).id)
        behind = self._lease(partner_id=self.env["res.partner"].create({"name": "Behind"}).id)
        self._invoice("2026-03-25")
        self._pay(self._installment_invoices(paying)[0], payment_date="2026-02-28")
        first = self._close("2026-03-10")
        self.assertEqual((first.contract_count, first.unchanged_count), (2, 0))

        second = self._close("2026-03-11")
        self.assertEqual((second.contract_count, second.unchanged_count), (1, 1))
        self.assertRecordValues(
            paying | behind,
            [
                {"close_date": date(2026, 3, 10), "figures_date": date(2026, 3, 11), "days_past_due": 0},
                {"close_date": date(2026, 3, 11), "figures_date": date(2026, 3, 11), "days_past_due": 11},
            ],
        )

        leases = paying | behind
        every_lease = self._figures_after(leases, lambda: self._manual_close("2026-04-02"))
        third = self._close("2026-04-02")
        self.assertEqual((third.contract_count, third.unchanged_count), (2, 0))
        self.assertEqual(paying.days_past_due, 2)
        self.assertEqual(self._figures(leases), every_lease)

    def _manual_close(self, at):
        """The close run by hand for ``at`` with no close done before it: every lease."""
        self.env["leasing.close.run"].sudo().search([("company_id", "=", self.company.id)]).unlink()
        with freeze_time(at):
            # As the wizard runs it, as the system.
            self.env["leasing.close.run"].sudo()._create_manual(self.company, date.fromisoformat(at))._run_all(2)
