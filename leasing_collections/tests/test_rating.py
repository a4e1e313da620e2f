from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import COLLECTOR, CollectionsCommon, give_cases


@tagged("post_install", "-at_install")
class TestPaymentRatingAndRiskWarnings(CollectionsCommon):
    """The lessee's payment rating and the risk warnings of the close, on the hand-worked plan of
    ``CollectionsCommon``: instalments of 3,400.22 due 2026-02-28, 03-31 and 04-30 (3,400.23),
    repossession threshold 90 days unless a test says otherwise. The leases are created by the
    ``seller``: their account manager."""

    USER_PREFIX = "rating"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.risk_type = cls.env.ref("leasing_collections.mail_activity_type_risk_warning")

    def _warnings(self, contracts):
        """The open risk warnings of ``contracts``, as (lease, reason) pairs, sorted."""
        # The reminders' call tasks are activities of the leases too: a warning is one with a reason.
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "leasing.contract"),
                ("res_id", "in", contracts.ids),
                ("leasing_risk_reason", "!=", False),
            ]
        )
        self.assertTrue(all(activity.activity_type_id == self.risk_type for activity in activities))
        return sorted((activity.res_id, activity.leasing_risk_reason) for activity in activities)

    def _close_by_hand(self, at):
        """The close run again by hand for ``at``."""
        with freeze_time(at):
            self.env["leasing.close.run.wizard"].create({"company_id": self.company.id, "date": at}).action_run()

    # ------------------------------------------------------------------
    # The rating, from the ledger
    # ------------------------------------------------------------------
    def test_rating_from_a_real_paid_and_late_ledger(self):
        """Instalment 1 (due Feb 28) paid on its due date, 2 (due March 31) paid on April 15 (at
        most April 14 - March 31 = 14 days past due), 3 (due April 30) unpaid.

        As of May 10: current 10 days (B), worst 14 (B), 2 late instalments (A): **B**.
        As of June 5: current 36 days (C): **C**. Paid in full on June 8, as of June 10:
        current 0, worst 38 (June 7 - April 30: C), 2 late: **C** still; the lease is current."""
        contract = self._lease()
        self._invoice("2026-04-25")
        first, second, third = self._installment_invoices(contract)
        self._pay(first, payment_date="2026-02-28")
        self._pay(second, payment_date="2026-04-15")
        self._close("2026-05-10")
        self.assertEqual(contract.lessee_payment_rating, "B")
        self.assertEqual(self.lessee.leasing_payment_rating, "B")
        self._close("2026-06-05")
        self.assertEqual((contract.days_past_due, contract.lessee_payment_rating), (36, "C"))
        self.assertEqual(self.lessee.leasing_payment_rating, "C")
        self._pay(third, payment_date="2026-06-08")
        self._close("2026-06-10")
        self.assertEqual((contract.days_past_due, contract.lessee_payment_rating), (0, "C"))
        self.assertEqual(self.lessee.leasing_payment_rating, "C")

    def test_good_payer_is_rated_a_and_never_warned(self):
        contract = self._lease()
        self._invoice("2026-04-25")
        for invoice, paid_on in zip(self._installment_invoices(contract), ("2026-02-27", "2026-03-31", "2026-04-30")):
            self._pay(invoice, payment_date=paid_on)
        self._close("2026-05-10")
        self.assertRecordValues(
            contract, [{"days_past_due": 0, "lessee_payment_rating": "A", "risk_warning": False, "risk_reason": False}]
        )
        self.assertEqual(self.lessee.leasing_payment_rating, "A")
        self.assertFalse(self._warnings(contract))

    def test_rating_drop_counts_every_lease_of_the_lessee_whatever_its_chunk(self):
        """Three leases of one lessee, each closed in its own chunk:

        * V from 2025-12-31: instalment 1 (due Jan 31) paid on Feb 10 (9 days past due at most:
          late), 2 (due Feb 28) paid on its due date;
        * X from 2026-01-31: instalment 1 (due Feb 28) unpaid;
        * W from 2026-02-12: instalment 1 (due March 12) unpaid.

        March 10: current 10 (B), worst 10 (B), late 2 (V1, X1: A): **B**. X falls to 1-30: a
        bucket warning; V and W are current.
        March 20: X1 20 days, W1 8 days: late 3 (C): **C**, a drop. X, still in 1-30, gets a
        rating warning only; W, now in 1-30, a bucket and a rating warning; V, current, none."""
        lease_v = self._activate_contract(self._lease_vals(start_date="2025-12-31"), at="2025-12-31")
        lease_x = self._lease()
        lease_w = self._activate_contract(self._lease_vals(start_date="2026-02-12"), at="2026-02-12")
        self._invoice("2026-03-05")
        v1, v2 = self._installment_invoices(lease_v)[:2]
        self._pay(v1, payment_date="2026-02-10")
        self._pay(v2, payment_date="2026-02-28")
        leases = lease_v | lease_x | lease_w

        self._close("2026-03-10", chunk_size=1)
        self.assertEqual(leases.mapped("lessee_payment_rating"), ["B", "B", "B"])
        self.assertEqual(self._warnings(leases), [(lease_x.id, "bucket")])

        self._close("2026-03-20", chunk_size=1)
        self.assertEqual(self.lessee.leasing_payment_rating, "C")
        self.assertEqual(leases.mapped("lessee_payment_rating"), ["C", "C", "C"])
        self.assertEqual(
            self._warnings(leases),
            sorted([(lease_x.id, "bucket"), (lease_x.id, "rating"), (lease_w.id, "bucket"), (lease_w.id, "rating")]),
        )
        self.assertRecordValues(
            leases,
            [
                {"risk_warning": False, "risk_reason": False, "risk_warning_date": False},
                {"risk_warning": True, "risk_reason": "rating", "risk_warning_date": date(2026, 3, 20)},
                {"risk_warning": True, "risk_reason": "rating", "risk_warning_date": date(2026, 3, 20)},
            ],
        )
        rating_warning = self.env["mail.activity"].search(
            [
                ("res_id", "=", lease_x.id),
                ("res_model", "=", "leasing.contract"),
                ("leasing_risk_reason", "=", "rating"),
            ]
        )
        self.assertIn("dropped from B to C", rating_warning.note)
        self.assertIn("3 late instalments", rating_warning.note)

    def test_a_lease_left_alone_keeps_its_part_of_the_rating(self):
        """Two leases of one lessee, each closed in its own chunk:

        * V from 2025-12-31: instalment 1 (due Jan 31) paid on Feb 20 (at most 19 days past
          due: late), 2 and 3 paid on their due dates;
        * X from 2026-01-31: 1 and 2 paid on their due dates, 3 (due April 30) unpaid.

        April 10, both leases' first close: V's part is current 0, worst 19, 1 late; X's 0, 0, 0:
        worst 19 (B): **B**. May 5: X3 is 5 days past due (within the tolerance), so X is on the
        work list; V has nothing new and is left alone, its part kept as of April 10. The record
        is current 5, worst 19, 1 late instalment: **B** still (without V's part it would be A),
        the record of every instalment read from the ledger."""
        lease_v = self._activate_contract(self._lease_vals(start_date="2025-12-31"), at="2025-12-31")
        lease_x = self._lease()
        self._invoice("2026-04-25")
        for invoice, paid_on in zip(self._installment_invoices(lease_v), ("2026-02-20", "2026-02-28", "2026-03-31")):
            self._pay(invoice, payment_date=paid_on)
        for invoice, paid_on in zip(self._installment_invoices(lease_x)[:2], ("2026-02-28", "2026-03-31")):
            self._pay(invoice, payment_date=paid_on)

        self._close("2026-04-10", chunk_size=1)
        self.assertRecordValues(
            lease_v | lease_x,
            [
                {
                    "repayment_current_days": 0,
                    "repayment_worst_days": 19,
                    "repayment_late_count": 1,
                    "lessee_payment_rating": "B",
                },
                {
                    "repayment_current_days": 0,
                    "repayment_worst_days": 0,
                    "repayment_late_count": 0,
                    "lessee_payment_rating": "B",
                },
            ],
        )

        # Leases closed before the close kept these parts get them as of their last close (the
        # update to 18.0.1.3.0): the same.
        parts = ["repayment_current_days", "repayment_worst_days", "repayment_late_count"]
        stored = (lease_v | lease_x).read(parts)
        self.env.cr.execute(
            "UPDATE leasing_contract SET repayment_current_days = NULL, repayment_worst_days = NULL,"
            " repayment_late_count = NULL WHERE id IN %s",
            [(lease_v | lease_x)._ids],
        )
        (lease_v | lease_x).invalidate_recordset(parts)
        (lease_v | lease_x)._collections_store_repayment_parts()
        self.assertEqual((lease_v | lease_x).read(parts), stored)

        run = self._close("2026-05-05", chunk_size=1)
        self.assertEqual(run.unchanged_count, 1)
        self.assertEqual(lease_v.close_date, date(2026, 4, 10), "V is left alone")
        self.assertEqual(lease_x.close_date, date(2026, 5, 5))
        self.assertEqual((lease_x.repayment_current_days, lease_x.repayment_worst_days), (5, 5))
        self.assertEqual(self.lessee.leasing_payment_rating, "B")
        self.assertEqual((lease_v | lease_x).mapped("lessee_payment_rating"), ["B", "B"])
        record = self.env["res.partner"]._leasing_repayment_records(self.lessee.ids, date(2026, 5, 5))
        self.assertEqual(tuple(record[self.lessee.id]), (5, 19, 1))

        # The close took V's part from V, not from its instalments: were it 45 days (C), the
        # close run again would rate the lessee C. The ledger still says B.
        self.env.cr.execute("UPDATE leasing_contract SET repayment_worst_days = 45 WHERE id = %s", [lease_v.id])
        lease_v.invalidate_recordset(["repayment_worst_days"])
        self._close_by_hand("2026-05-05")
        self.assertEqual(self.lessee.leasing_payment_rating, "C")
        record = self.env["res.partner"]._leasing_repayment_records(self.lessee.ids, date(2026, 5, 5))
        self.assertEqual(tuple(record[self.lessee.id]), (5, 19, 1))

    # ------------------------------------------------------------------
    # The warnings
    # ------------------------------------------------------------------
    def test_worse_bucket_warns_the_account_manager_once(self):
        """March 10: instalment 1 is 10 days past due, the lease falls from Current to 1-30: one
        warning for its account manager. The close run again (cron, then by hand) raises nothing.
        April 5: 36 days, 31-60, a worse bucket again, but the first warning is still open: no
        second one for that reason (the rating, C now, drops: that warning is new)."""
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "leasing.contract"),
                ("res_id", "=", contract.id),
                ("activity_type_id", "=", self.risk_type.id),
            ]
        )
        self.assertRecordValues(
            activity,
            [
                {
                    "activity_type_id": self.risk_type.id,
                    "user_id": self.seller.id,
                    "leasing_risk_reason": "bucket",
                    "summary": "At risk: worse aging bucket",
                    "automated": True,
                }
            ],
        )
        self.assertIn("from Current to 1-30 days: 10 days past due", activity.note)
        self.assertRecordValues(
            contract, [{"risk_warning": True, "risk_reason": "bucket", "risk_warning_date": date(2026, 3, 10)}]
        )
        with freeze_time("2026-03-10"):
            self.env["leasing.contract"]._cron_collections_close(companies=self.company)
        self._close_by_hand("2026-03-10")
        self.assertEqual(self._warnings(contract), [(contract.id, "bucket")])
        self.assertTrue(self.env["leasing.contract"].search([("id", "=", contract.id), ("risk_warning", "=", True)]))

        self._invoice("2026-03-25")
        self._close("2026-04-05")
        self.assertEqual(contract.aging_bucket_id, self.b31_60)
        self.assertEqual(self._warnings(contract), [(contract.id, "bucket"), (contract.id, "rating")])
        self._close_by_hand("2026-04-05")
        self.assertEqual(self._warnings(contract), [(contract.id, "bucket"), (contract.id, "rating")])

    def test_warning_in_the_account_managers_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["leasing_collections"], ["es_ES"], overwrite=True)
        self.seller.sudo().lang = "es_ES"
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "leasing.contract"),
                ("res_id", "=", contract.id),
                ("activity_type_id", "=", self.risk_type.id),
            ]
        )
        self.assertEqual(activity.summary, "En riesgo: peor tramo de antigüedad")
        self.assertIn(f"{contract.name} ha pasado de Al día a ", activity.note)
        self.assertIn(": 10 días de atraso", activity.note)

    def test_a_warning_done_is_raised_again_on_the_next_fall(self):
        """The account manager marks the bucket warning done; the next worse bucket warns
        again."""
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        self.env["mail.activity"].search(
            [
                ("res_id", "=", contract.id),
                ("res_model", "=", "leasing.contract"),
                ("activity_type_id", "=", self.risk_type.id),
            ]
        ).with_user(self.seller).action_feedback(feedback="Called the lessee")
        self.assertFalse(self._warnings(contract))
        self._close("2026-03-20")  # still 1-30: nothing new
        self.assertFalse(self._warnings(contract))
        self._close("2026-04-01")  # 32 days: 31-60
        self.assertIn((contract.id, "bucket"), self._warnings(contract))

    def test_repossession_threshold_passed(self):
        """Threshold 30 days: 30 days past due (March 30) is not past it, 31 (March 31) is. The
        lease also falls to 31-60 that day: two warnings, the most serious reason shown."""
        self.plan.repossession_threshold_days = 30
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-30")
        self.assertEqual(contract.days_past_due, 30)
        self.assertEqual(self._warnings(contract), [(contract.id, "bucket")])
        self._close("2026-03-31")
        self.assertEqual(contract.days_past_due, 31)
        self.assertIn((contract.id, "repossession"), self._warnings(contract))
        self.assertRecordValues(contract, [{"risk_warning": True, "risk_reason": "repossession"}])
        note = (
            self.env["mail.activity"]
            .search(
                [
                    ("res_id", "=", contract.id),
                    ("res_model", "=", "leasing.contract"),
                    ("leasing_risk_reason", "=", "repossession"),
                ]
            )
            .note
        )
        self.assertIn("31 days past due, past its plan's repossession threshold of 30 days", note)
        # The next day, still past it: nothing new.
        before = self._warnings(contract)
        self._close("2026-04-01")
        self.assertEqual(self._warnings(contract), before)

    def test_warning_clears_when_the_lease_is_current_again(self):
        """Behind on March 10 (a warning); instalment 1 paid in full on March 12: the close of
        March 15 finds the lease current: flag cleared, the warning marked done in the chatter."""
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        self.assertTrue(contract.risk_warning)
        self._pay(self._installment_invoices(contract)[0], payment_date="2026-03-12")
        self._close("2026-03-15")
        self.assertRecordValues(
            contract,
            [{"days_past_due": 0, "risk_warning": False, "risk_reason": False, "risk_warning_date": False}],
        )
        self.assertFalse(self._warnings(contract))
        self.assertIn("The lease is current again.", "".join(contract.message_ids.mapped("body")))
        # Behind again later: a new warning.
        self._invoice("2026-03-25")
        self._close("2026-04-05")
        self.assertIn((contract.id, "bucket"), self._warnings(contract))

    def test_lease_without_account_manager(self):
        """No account manager: the activity type's default user gets the warning; without one,
        the lease is flagged at risk only."""
        contract = self._lease()
        other = self._lease(partner_id=self.env["res.partner"].create({"name": "Second Lessee"}).id)
        (contract | other).sudo().write({"user_id": False})
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        self.assertRecordValues(contract | other, [{"risk_warning": True}, {"risk_warning": True}])
        self.assertFalse(self._warnings(contract | other))
        supervisor = new_test_user(self.env, "rating_supervisor", groups=COLLECTOR, company_id=self.company.id)
        self.risk_type.default_user_id = supervisor
        self._invoice("2026-03-25")
        self._close("2026-04-05")
        activities = self.env["mail.activity"].search(
            [("res_id", "in", (contract | other).ids), ("activity_type_id", "=", self.risk_type.id)]
        )
        self.assertEqual(activities.user_id, supervisor)
        self.assertEqual(len(activities), 4)  # 31-60 and rating B -> C, for each lease

    def test_one_open_warning_per_lease_and_reason_in_the_database(self):
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        activity = self.env["mail.activity"].search(
            [
                ("res_id", "=", contract.id),
                ("res_model", "=", "leasing.contract"),
                ("activity_type_id", "=", self.risk_type.id),
            ]
        )
        duplicate = {
            "activity_type_id": self.risk_type.id,
            "res_model_id": self.env["ir.model"]._get_id("leasing.contract"),
            "res_id": contract.id,
            "user_id": self.seller.id,
            "leasing_risk_reason": "bucket",
        }
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["mail.activity"].sudo().create(duplicate)
        activity.with_user(self.seller).action_feedback()
        self.assertTrue(self.env["mail.activity"].sudo().create(duplicate))

    # ------------------------------------------------------------------
    # Configuration, screens and rights
    # ------------------------------------------------------------------
    def test_repossession_threshold_is_bounded(self):
        self.assertEqual(self.env["leasing.plan"].create({"name": "Default"}).repossession_threshold_days, 90)
        for days in (1, 730):
            self.plan.repossession_threshold_days = days
        for days in (0, -5, 731):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.plan.repossession_threshold_days = days
        self.assertEqual(self.plan.repossession_threshold_days, 730)

    def test_credit_review_of_a_new_lease_shows_the_lessees_rating(self):
        """The reviewer of a new lease (a Leasing User) sees the rating its lessee's other leases
        earned, through a contact of the lessee too."""
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        contact = self.env["res.partner"].create({"name": "Ana Sierra", "parent_id": self.lessee.id})
        new_lease = self.env["leasing.contract"].with_user(self.seller).create(self._lease_vals(partner_id=contact.id))
        new_lease.action_submit()
        review = self.env["leasing.credit.review"].with_user(self.seller).create({"contract_id": new_lease.id})
        self.assertEqual(contract.lessee_payment_rating, "B")
        self.assertEqual(review.lessee_payment_rating, "B")

    def test_collectors_read_the_rating_and_warnings_nobody_writes_them(self):
        contract = self._lease()
        self._invoice("2026-03-05")
        self._close("2026-03-10")
        collector = new_test_user(self.env, "rating_collector", groups=COLLECTOR, company_id=self.company.id)
        # The lease behind the collector's case: the one they read.
        give_cases(contract, collector)
        lessee = self.lessee.with_user(collector)
        self.assertEqual(lessee.leasing_payment_rating, "B")
        self.assertRecordValues(
            contract.with_user(collector),
            [{"lessee_payment_rating": "B", "risk_warning": True, "risk_reason": "bucket"}],
        )
        self.assertEqual(
            self.env["leasing.contract"]
            .with_user(collector)
            .search([("partner_id", "=", self.lessee.id), ("risk_warning", "=", True)]),
            contract,
        )
        # Neither a collector nor a Leasing Manager (the test's user) sets what the close sets.
        for user in (collector, self.env.user):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.lessee.with_user(user).write({"leasing_payment_rating": "A"})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                contract.with_user(user).write({"risk_warning": False})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                contract.with_user(user).write({"lessee_payment_rating": "A"})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.env["res.partner"].with_user(user).create({"name": "Rated", "leasing_payment_rating": "A"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["mail.activity"].create(
                {
                    "activity_type_id": self.risk_type.id,
                    "res_model_id": self.env["ir.model"]._get_id("leasing.contract"),
                    "res_id": contract.id,
                    "leasing_risk_reason": "rating",
                }
            )
        self.assertEqual(self.lessee.leasing_payment_rating, "B")
        # Writing the rating as it is changes nothing (merging contacts writes every field).
        self.lessee.write({"leasing_payment_rating": "B", "comment": "Merged"})
        self.assertIn("Merged", self.lessee.comment)
