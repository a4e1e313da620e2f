from contextlib import contextmanager
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon


@tagged("post_install", "-at_install")
class TestCollectionFieldwork(CollectionsCommon):
    """The collectors' contact logs and the lessees' promises to pay, on the hand-worked lease of
    ``CollectionsCommon``: instalment 1 (3,400.22 due 2026-02-28) and 2 (3,400.22 due
    2026-03-31) invoiced on 2026-03-25."""

    USER_PREFIX = "fieldwork"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(cls.env, "fw_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.other_collector = new_test_user(cls.env, "fw_other", groups=COLLECTOR, company_id=cls.company.id)
        cls.leader = new_test_user(cls.env, "fw_leader", groups=COLLECTOR, company_id=cls.company.id)
        cls.manager = new_test_user(cls.env, "fw_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id)
        cls.team = cls.env["leasing.collection.team"].create(
            {
                "name": "Field Team North",
                "company_id": cls.company.id,
                "leader_id": cls.leader.id,
                "member_ids": [Command.set((cls.collector | cls.other_collector).ids)],
            }
        )
        cls.guarantor = cls.env["res.partner"].create({"name": "Elena Sierra"})
        cls.accountant = cls.env["res.partner"].create(
            {"name": "Mario Paz", "parent_id": cls.lessee.id, "type": "contact"}
        )
        cls.stages = {stage.stage_key: stage for stage in cls.env["leasing.collection.stage"].search([])}

    def setUp(self):
        super().setUp()
        self.contract = self._lease(guarantor_ids=[Command.set(self.guarantor.ids)])
        self._invoice("2026-03-25")
        self.first, self.second = self._installment_invoices(self.contract)
        # What the dispatch sets (the system's fields): the case is the collector's, in the team.
        self.case = (
            self.env["leasing.collection.case"]
            .sudo()
            .create({"contract_id": self.contract.id, "collector_id": self.collector.id, "team_id": self.team.id})
        )

    @contextmanager
    def _refused(self, exception, pattern):
        """``assertRaises`` (which undoes what the refused call did) and the error's message."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _log(self, user=None, case=None, **values):
        return (
            self.env["leasing.collection.log"]
            .with_user(user or self.collector)
            .create({"case_id": (case or self.case).id, "channel": "visit", "result": "no_answer", **values})
        )

    def _promises(self):
        return self.env["leasing.collection.promise"].search([("case_id", "=", self.case.id)])

    def _activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "leasing.collection.case"), ("res_id", "=", self.case.id)]
        )

    # ------------------------------------------------------------------
    # Contact logs
    # ------------------------------------------------------------------
    @freeze_time("2026-04-01 09:30:00")
    def test_a_log_updates_the_case(self):
        self.assertEqual(self.case.stage_id, self.stages["new"])
        log = self._log(contact_partner_id=self.guarantor.id, result="refused", notes="Says the lessee moved out.")
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.collector.id,
                    "date": datetime(2026, 4, 1, 9, 30),
                    "contract_id": self.contract.id,
                    "partner_id": self.lessee.id,
                    "company_id": self.company.id,
                    "contact_partner_id": self.guarantor.id,
                }
            ],
        )
        self.assertRecordValues(
            self.case,
            [
                {
                    "stage_id": self.stages["contacted"].id,
                    "last_contact_date": datetime(2026, 4, 1, 9, 30),
                    "last_contact_result": "refused",
                    "log_count": 1,
                }
            ],
        )
        # A contact of the day before, logged late: the last contact stays the latest one.
        self._log(date=datetime(2026, 3, 31, 16, 0), channel="call", result="no_answer")
        self.assertRecordValues(
            self.case, [{"last_contact_date": datetime(2026, 4, 1, 9, 30), "last_contact_result": "refused"}]
        )
        self.assertEqual(self.case.log_count, 2)
        self.assertFalse(self._promises(), "no promise without the result 'promised to pay'")

    @freeze_time("2026-04-01 09:30:00")
    def test_the_people_a_collector_may_pick(self):
        log = self._log()
        self.assertEqual(log.contact_partner_ids, self.lessee | self.accountant | self.guarantor)
        stranger = self.env["res.partner"].create({"name": "A neighbour"})
        with self._refused(ValidationError, "is not a partner of the lease"):
            self._log(contact_partner_id=stranger.id)
        # Someone else: by name.
        self.assertEqual(self._log(contact_name="The neighbour, Mr. Ortega").contact_name, "The neighbour, Mr. Ortega")

    @freeze_time("2026-04-01 09:30:00")
    def test_a_log_in_the_future_is_refused(self):
        with self._refused(ValidationError, "is in the future"):
            self._log(date=datetime(2026, 4, 1, 11, 0))
        self.assertFalse(self.env["leasing.collection.log"].search([("case_id", "=", self.case.id)]))
        self.assertEqual(self.case.stage_id, self.stages["new"], "nothing half-saved")
        # Within the margin of a phone's clock running ahead: logged.
        self.assertTrue(self._log(date=datetime(2026, 4, 1, 9, 33)))

    @freeze_time("2026-04-01 09:30:00")
    def test_what_a_log_records_stays_as_logged(self):
        log = self._log()
        with self._refused(UserError, "log the contact again"):
            log.write({"result": "paid"})
        with self._refused(UserError, "log the contact again"):
            log.write({"date": datetime(2026, 3, 30, 10, 0)})
        # The rest can be completed; the same values are no change.
        log.write({"notes": "Nobody at the depot; a note left at the gate.", "result": "no_answer"})
        self.assertEqual(log.notes, "Nobody at the depot; a note left at the gate.")
        with self.assertRaises(AccessError):
            log.write({"user_id": self.other_collector.id})

    @freeze_time("2026-04-01 09:30:00")
    def test_a_closed_case_takes_logs_from_its_collector_only(self):
        self.case.sudo().write({"stage_id": self.stages["resolved"].id})
        # The team's leader sees the case, but it is closed and not theirs.
        with self._refused(UserError, "is closed .* and is not assigned to you"):
            self._log(user=self.leader, result="paid")
        # Its collector logs a late contact; the case stays resolved.
        self._log(result="paid")
        self.assertRecordValues(
            self.case, [{"stage_id": self.stages["resolved"].id, "last_contact_result": "paid", "log_count": 1}]
        )
        # A Collection Manager may too.
        self._log(user=self.manager, result="other")
        self.assertEqual(self.case.log_count, 2)
        # But a closed case takes no promise: the lease is current again.
        with self._refused(UserError, "is closed: the lease is no longer followed up"):
            self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=100.0)
        self.assertEqual(self.case.log_count, 2)

    @freeze_time("2026-04-01 09:30:00")
    def test_photos_uploaded_before_saving_belong_to_the_log(self):
        # As the form's file input uploads them: attached to no record yet (res_id 0).
        photo = (
            self.env["ir.attachment"]
            .with_user(self.collector)
            .create({"name": "gate.jpg", "raw": b"\xff\xd8\xff", "res_model": "leasing.collection.log", "res_id": 0})
        )
        log = self._log(attachment_ids=[Command.set(photo.ids)])
        self.assertRecordValues(photo, [{"res_model": "leasing.collection.log", "res_id": log.id}])
        # So the manager reads the collector's photo.
        self.assertEqual(photo.with_user(self.manager).raw, b"\xff\xd8\xff")
        self.assertEqual(log.with_user(self.manager).attachment_ids, photo)

    # ------------------------------------------------------------------
    # Promises to pay
    # ------------------------------------------------------------------
    @freeze_time("2026-04-01 09:30:00")
    def test_the_phone_form_records_a_promise(self):
        form = Form(
            self.env["leasing.collection.log"].with_user(self.collector).with_context(default_case_id=self.case.id),
            view="leasing_collections.view_leasing_collection_log_form",
        )
        form.channel = "visit"
        form.result = "promised"
        form.promise_date = date(2026, 4, 10)
        form.promise_amount = 2900.22
        log = form.save()
        promise = self._promises()
        self.assertRecordValues(
            promise,
            [
                {
                    "log_id": log.id,
                    "user_id": self.collector.id,
                    "made_date": date(2026, 4, 1),
                    "date": date(2026, 4, 10),
                    "amount": 2900.22,
                    "state": "open",
                    "amount_paid": 0.0,
                    "contract_id": self.contract.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(log.promise_ids, promise)
        self.assertRecordValues(self.case, [{"stage_id": self.stages["promise"].id, "last_contact_result": "promised"}])

    @freeze_time("2026-04-01 09:30:00")
    def test_a_promise_in_the_past_or_of_nothing_is_refused(self):
        Promise = self.env["leasing.collection.promise"].with_user(self.collector)
        with self._refused(ValidationError, "is past"):
            self._log(result="promised", promise_date=date(2026, 3, 31), promise_amount=100.0)
        with self._refused(ValidationError, "give the promised date and amount"):
            self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=0.0)
        with self._refused(ValidationError, "above zero"):
            self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=-50.0)
        with self._refused(ValidationError, "is past"):
            Promise.create({"case_id": self.case.id, "date": date(2026, 3, 31), "amount": 100.0})
        with self._refused(ValidationError, "above zero"):
            Promise.create({"case_id": self.case.id, "date": date(2026, 4, 10), "amount": 0.0})
        self.assertFalse(self._promises())
        self.assertFalse(self.env["leasing.collection.log"].search([("case_id", "=", self.case.id)]))
        self.assertEqual(self.case.stage_id, self.stages["new"], "nothing half-saved")
        # Today is not past: a promise for today, made on the case.
        promise = Promise.create({"case_id": self.case.id, "date": date(2026, 4, 1), "amount": 100.0})
        self.assertEqual(self.case.stage_id, self.stages["promise"])
        with self.assertRaises(AccessError):
            promise.write({"state": "kept"})

    def test_a_promise_kept_by_payments_before_its_date(self):
        """Promised on 2026-04-01: the 2,900.22 left of instalment 1 by 2026-04-10. 500.00 paid on
        2026-03-30 was there before the promise and does not count. 1,000.00 on 2026-04-03: the
        close of 2026-04-05 sees 1,000.00 received, still open. 1,900.22 on 2026-04-06: the close
        of 2026-04-07 sees 2,900.22, kept on 2026-04-06, before its date."""
        self._pay(self.first, amount=500.0, payment_date="2026-03-30")
        with freeze_time("2026-04-01 09:30:00"):
            self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=2900.22)
        promise = self._promises()
        self._pay(self.first, amount=1000.0, payment_date="2026-04-03")
        self._close("2026-04-05")
        self.assertRecordValues(
            promise, [{"state": "open", "amount_paid": 1000.0, "kept_date": False, "broken_date": False}]
        )
        self._pay(self.first, amount=1900.22, payment_date="2026-04-06")
        self._close("2026-04-07")
        self.assertRecordValues(
            promise,
            [{"state": "kept", "amount_paid": 2900.22, "kept_date": date(2026, 4, 6), "broken_date": False}],
        )
        # A kept promise moves nothing.
        self.assertRecordValues(self.case, [{"stage_id": self.stages["promise"].id, "priority": "0"}])
        self.assertFalse(self._activities().filtered(lambda a: a.activity_type_id.category == "phonecall"))
        # Its terms stay as they were.
        with self._refused(UserError, "stays as it was made"):
            promise.with_user(self.collector).write({"amount": 3000.0})

    def test_a_broken_promise_acts_once(self):
        """Promised on 2026-04-01: 3,400.22 by 2026-04-10; 3,000.00 paid on 2026-04-09. The close
        of 2026-04-10 leaves it open (its day); that of 2026-04-11 finds it broken with 3,000.00
        received: the case goes from priority Normal to High, back to Contacted, and its
        collector gets one call to make. Later closes, and the same step run twice, do nothing
        more."""
        with freeze_time("2026-04-01 09:30:00"):
            self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=3400.22)
        promise = self._promises()
        self._pay(self.second, amount=3000.0, payment_date="2026-04-09")
        self._close("2026-04-10")
        self.assertRecordValues(promise, [{"state": "open", "amount_paid": 3000.0}])
        run = self._close("2026-04-11")
        self.assertRecordValues(
            promise, [{"state": "broken", "amount_paid": 3000.0, "broken_date": date(2026, 4, 11), "kept_date": False}]
        )
        self.assertRecordValues(self.case, [{"priority": "1", "stage_id": self.stages["contacted"].id}])
        call_type = self.env.ref("mail.mail_activity_data_call")
        calls = self._activities().filtered(lambda activity: activity.activity_type_id == call_type)
        self.assertRecordValues(calls, [{"user_id": self.collector.id, "date_deadline": date(2026, 4, 11)}])
        self.assertIn("3,400.22", calls.note)
        self.assertIn("3,000.00", calls.note)
        # The same step again (a second server, a retry), then the next days' closes.
        with freeze_time("2026-04-11"):
            self.contract._collections_check_promises(run)
        self._close("2026-04-12")
        self._close("2026-04-13")
        self.assertRecordValues(self.case, [{"priority": "1", "stage_id": self.stages["contacted"].id}])
        self.assertEqual(len(self._activities().filtered(lambda a: a.activity_type_id.category == "phonecall")), 1)
        self.assertEqual(promise.state, "broken")

    def test_broken_promises_raise_the_priority_up_to_critical(self):
        """A case already Critical stays so; without a collector, the lease's account manager
        (the seller who made it) is the one to call."""
        self.case.sudo().write({"priority": "3", "collector_id": False})
        with freeze_time("2026-04-01 09:30:00"):
            self.env["leasing.collection.promise"].with_user(self.manager).create(
                {"case_id": self.case.id, "date": date(2026, 4, 3), "amount": 100.0}
            )
        self._close("2026-04-04")
        self.assertEqual(self._promises().state, "broken")
        self.assertRecordValues(self.case, [{"priority": "3", "stage_id": self.stages["contacted"].id}])
        calls = self._activities().filtered(lambda a: a.activity_type_id.category == "phonecall")
        self.assertEqual(calls.user_id, self.contract.user_id)
        self.assertEqual(self.contract.user_id, self.seller)

    def test_a_promise_at_law_leaves_the_stage(self):
        # At law: a legal file opened by a manager (the Legal stage takes one).
        self.case.with_user(self.manager).action_open_legal_file()
        with freeze_time("2026-04-01 09:30:00"):
            self._log(result="promised", promise_date=date(2026, 4, 3), promise_amount=100.0)
        self.assertEqual(self.case.stage_id, self.stages["legal"])
        self._close("2026-04-04")
        self.assertRecordValues(self.case, [{"priority": "1", "stage_id": self.stages["legal"].id}])

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------
    @freeze_time("2026-04-01 09:30:00")
    def test_collectors_work_their_own_cases(self):
        log = self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=100.0)
        promise = self._promises()
        Log, Promise = self.env["leasing.collection.log"], self.env["leasing.collection.promise"]
        domain = [("case_id", "=", self.case.id)]
        # The case's collector, the team's leader and a manager see them; another collector not.
        for user in (self.collector, self.leader, self.manager):
            self.assertEqual(Log.with_user(user).search(domain), log, user.login)
            self.assertEqual(Promise.with_user(user).search(domain), promise, user.login)
        self.assertFalse(Log.with_user(self.other_collector).search(domain))
        self.assertFalse(Promise.with_user(self.other_collector).search(domain))
        with self.assertRaises(AccessError):
            log.with_user(self.other_collector).read(["notes"])
        with self.assertRaises(AccessError):
            self._log(user=self.other_collector)
        with self.assertRaises(AccessError):
            Promise.with_user(self.other_collector).create(
                {"case_id": self.case.id, "date": date(2026, 4, 10), "amount": 50.0}
            )
        # A collector deletes nothing; a manager may.
        with self.assertRaises(AccessError):
            log.with_user(self.collector).unlink()
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).unlink()
        # What only the system sets.
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).write({"amount_paid": 100.0})
        with self.assertRaises(AccessError):
            Promise.with_user(self.collector).create(
                {"case_id": self.case.id, "date": date(2026, 4, 10), "amount": 50.0, "state": "kept"}
            )
        promise.with_user(self.manager).unlink()
        log.with_user(self.manager).unlink()
        self.assertFalse(Log.search(domain))

    @freeze_time("2026-04-01 09:30:00")
    def test_logs_and_promises_stay_in_their_company(self):
        log = self._log(result="promised", promise_date=date(2026, 4, 10), promise_amount=100.0)
        other_company = self.env["res.company"].create({"name": "Fieldwork Other Company"})
        outsider = new_test_user(
            self.env,
            "fw_outsider",
            groups=COLLECTION_MANAGER,
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.assertFalse(self.env["leasing.collection.log"].with_user(outsider).search([("id", "=", log.id)]))
        self.assertFalse(
            self.env["leasing.collection.promise"].with_user(outsider).search([("case_id", "=", self.case.id)])
        )
        with self.assertRaises(AccessError):
            log.with_user(outsider).read(["notes"])
