from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon

LEASING_MANAGER = "leasing_management.group_leasing_manager"
TODO = "leasing_collections.mail_activity_type_collection_request_todo"


@tagged("post_install", "-at_install")
class TestCollectionRequest(CollectionsCommon):
    """Requests on the hand-worked lease of ``test_penalty_billing.py`` (0.05 % a day, 3 grace
    days, cap 2 %, penalty billed on the 10th): instalment 1 (3,400.22, due Feb 28) paid
    1,000.00 on March 2 and 1,400.22 on March 16, instalment 2 (3,400.22, due March 31) unpaid.

    The close of April 10 invoices the penalty accrued to then: 31.50 (instalment 1) + 17.00
    (instalment 2) = 48.50. By the close of April 20, instalment 1 accrued 73,003.30 euro-days x
    0.0005 = 36.50 (5.00 not invoiced) and instalment 2 20 days x 3,400.22 x 0.0005 = 34.00
    (17.00 not invoiced): the lease's penalty due (not invoiced) is 22.00, and 22.00 + 48.50 =
    70.50 can be waived.
    """

    USER_PREFIX = "request"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.penalty_billing_day = 10
        cls.collector = new_test_user(cls.env, "request_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.other_collector = new_test_user(
            cls.env, "request_other_collector", groups=COLLECTOR, company_id=cls.company.id
        )
        cls.manager = new_test_user(cls.env, "request_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id)
        cls.manager_2 = new_test_user(
            cls.env, "request_manager_2", groups=COLLECTION_MANAGER, company_id=cls.company.id
        )
        cls.leasing_manager = new_test_user(
            cls.env, "request_leasing_manager", groups=LEASING_MANAGER, company_id=cls.company.id
        )
        cls.account_manager = new_test_user(
            cls.env, "request_account_manager", groups=COLLECTOR, company_id=cls.company.id
        )

    # ------------------------------------------------------------------
    def _behind_lease(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        first, second = self._installment_invoices(contract)
        self._pay(first, amount=1000.0, payment_date="2026-03-02")
        self._pay(first, amount=1400.22, payment_date="2026-03-16")
        return contract, first, second

    def _case(self, contract, collector=None):
        # The case as the close opens it and the dispatch assigns it: system fields.
        case = (
            self.env["leasing.collection.case"]
            .sudo()
            .create({"contract_id": contract.id, "collector_id": (collector or self.collector).id})
        )
        return case.sudo(False)

    def _request(self, case, request_type="waiver", user=None, **values):
        vals = {"case_id": case.id, "request_type": request_type, "reason": "Lessee in hardship", **values}
        return self.env["leasing.collection.request"].with_user(user or self.collector).create(vals)

    def _waiver_case(self):
        """The lease as the close of April 20 leaves it, and its case."""
        contract, first, _second = self._behind_lease()
        self._close("2026-04-10")
        self._close("2026-04-20")
        contract.invalidate_recordset()
        return contract, first, self._case(contract)

    def _penalty_invoice(self, contract):
        return self.env["account.move"].search(
            [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", "penalty")]
        )

    # ------------------------------------------------------------------
    # The workflow
    # ------------------------------------------------------------------
    def test_waiver_before_and_after_invoicing(self):
        """A waiver of 3.00 takes the 5.00 of instalment 1 not invoiced yet down to 2.00: the
        lease's penalty due drops from 22.00 to 19.00, nothing credited. A waiver of 10.00 then
        takes those 2.00 and credits 8.00 back on the penalty invoice of April 10 (48.50 ->
        40.50 left to pay): the penalty due drops by the 2.00 not invoiced, to 17.00."""
        contract, _first, case = self._waiver_case()
        self.assertEqual(contract.penalty_due, 22.0)
        invoice = self._penalty_invoice(contract)
        self.assertEqual(invoice.amount_total, 48.50)

        request = self._request(case, amount=3.0)
        self.assertRecordValues(
            request,
            [{"state": "draft", "contract_id": contract.id, "company_id": self.company.id, "penalty_due": 22.0}],
        )
        self.assertTrue(request.name.startswith("CREQ/"))
        with freeze_time("2026-04-21 09:00:00"):
            request.action_submit()
        self.assertRecordValues(request, [{"state": "submitted", "submitted_by_id": self.collector.id}])
        self.assertEqual(str(request.submitted_date), "2026-04-21 09:00:00")
        with freeze_time("2026-04-21 10:00:00"):
            request.with_user(self.manager).action_approve()
        self.assertRecordValues(request, [{"state": "done", "approved_by_id": self.manager.id}])
        self.assertEqual(str(request.approved_date), "2026-04-21 10:00:00")
        self.assertEqual(str(request.done_date), "2026-04-21 10:00:00")
        contract.invalidate_recordset()
        self.assertEqual(contract.penalty_due, 19.0)
        self.assertRecordValues(
            request.waiver_ids,
            [{"amount": 3.0, "amount_credited": 0.0, "credit_note_id": False, "user_id": self.manager.id}],
        )
        self.assertEqual(request.waiver_ids.schedule_line_id.sequence, 1)
        self.assertIn(request.name, request.waiver_ids.reason)
        self.assertEqual(contract.schedule_line_ids.sorted("sequence").mapped("penalty_due"), [2.0, 17.0, 0.0])

        second = self._request(case, amount=10.0)
        second.action_submit()
        second.with_user(self.manager_2).action_approve()
        self.assertEqual(second.state, "done")
        waivers = second.waiver_ids.sorted("id")
        self.assertEqual([(w.amount, w.amount_credited) for w in waivers], [(2.0, 0.0), (8.0, 8.0)])
        credit_note = waivers.credit_note_id
        self.assertRecordValues(
            credit_note,
            [{"move_type": "out_refund", "state": "posted", "amount_total": 8.0, "reversed_entry_id": invoice.id}],
        )
        self.assertEqual(invoice.amount_residual, 40.50)
        contract.invalidate_recordset()
        self.assertEqual(contract.penalty_due, 17.0)
        lines = contract.schedule_line_ids.sorted("sequence")
        self.assertRecordValues(
            lines[0],
            [{"penalty_accrued": 36.50, "penalty_invoiced": 23.50, "penalty_waived": 13.0, "penalty_due": 0.0}],
        )
        # The waivers point back to their request, both ways.
        self.assertEqual(
            self.env["leasing.penalty.waiver"].search([("contract_id", "=", contract.id)]).request_id,
            request | second,
        )

    def test_waiver_never_more_than_due(self):
        """70.50 can be waived: 70.51 is refused at submission; 60.00 is submitted, then 20.00
        waived by other means leaves 50.50, and the approval refuses the 60.00. Nothing is
        waived by either refusal."""
        contract, _first, case = self._waiver_case()
        too_much = self._request(case, amount=70.51)
        with self.assertRaisesRegex(UserError, "more than the .*70.50"):
            too_much.action_submit()
        self.assertEqual(too_much.state, "draft")
        zero = self._request(case, amount=0.0)
        with self.assertRaisesRegex(UserError, "more than zero"):
            zero.action_submit()

        request = self._request(case, amount=60.0)
        request.action_submit()
        contract.with_user(self.manager)._leasing_waive_penalty(20.0, "Goodwill")
        waived = self.env["leasing.penalty.waiver"].search_count([("contract_id", "=", contract.id)])
        with self.assertRaisesRegex(UserError, "more than the .*50.50"):
            request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self.env["leasing.penalty.waiver"].search_count([("contract_id", "=", contract.id)]), waived)
        # All of what is left can be waived.
        exact = self._request(case, amount=50.50)
        exact.action_submit()
        exact.with_user(self.manager).action_approve()
        contract.invalidate_recordset()
        self.assertEqual(contract.penalty_due, 0.0)

    def test_submit_needs_a_reason(self):
        _contract, _first, case = self._waiver_case()
        for reason in (False, "   "):
            request = self._request(case, amount=1.0, reason=reason)
            with self.assertRaisesRegex(UserError, "Say why"):
                request.action_submit()
            self.assertEqual(request.state, "draft")

    def test_approval_rights(self):
        """Not a collector's; never the submitter's, even a manager's; another manager's."""
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=1.0)
        with self.assertRaisesRegex(UserError, "not submitted"):
            request.with_user(self.manager).action_approve()
        request.action_submit()
        with self.assertRaisesRegex(AccessError, "Only a Collection Manager"):
            request.action_approve()
        # The right is checked on the user, whatever the context says.
        with self.assertRaises(AccessError):
            request.with_context(is_collection_manager=True, bypass_approval=True).action_approve()
        self.assertEqual(request.state, "submitted")

        own = self._request(case, amount=1.0, user=self.manager)
        own.with_user(self.manager).action_submit()
        with self.assertRaisesRegex(UserError, "submitted by you"):
            own.with_user(self.manager).action_approve()
        self.assertEqual(own.state, "submitted")
        own.with_user(self.manager_2).action_approve()
        self.assertEqual(own.state, "done")

    def test_approval_limit_needs_leasing_manager(self):
        """Waivers above the company's limit (50.00) go to a Leasing Manager; up to it, to a
        Collection Manager; every write-off to a Leasing Manager."""
        self.company.leasing_waiver_approval_limit = 50.0
        _contract, _first, case = self._waiver_case()
        above = self._request(case, amount=50.01)
        at_limit = self._request(case, amount=50.0)
        (above | at_limit).action_submit()
        self.assertEqual((above.requires_leasing_manager, at_limit.requires_leasing_manager), (True, False))
        with self.assertRaisesRegex(AccessError, "above the approval limit"):
            above.with_user(self.manager).action_approve()
        self.assertEqual(above.state, "submitted")
        above.with_user(self.leasing_manager).action_approve()
        self.assertEqual(above.state, "done")
        # 20.49 left: a Collection Manager's.
        at_limit.with_user(self.manager).action_cancel()
        within = self._request(case, amount=20.49)
        within.action_submit()
        within.with_user(self.manager).action_approve()
        self.assertEqual(within.state, "done")

        write_off = self._request(case, request_type="write_off")
        write_off.action_submit()
        self.assertTrue(write_off.requires_leasing_manager)
        with self.assertRaisesRegex(AccessError, "Leasing Manager must approve"):
            write_off.with_user(self.manager).action_approve()
        self.assertEqual(write_off.state, "submitted")

        with self.assertRaises(ValidationError):
            self.company.leasing_waiver_approval_limit = -1.0

    def test_refuse_cancel_draft(self):
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=5.0)
        request.action_submit()
        with self.assertRaises(AccessError):
            request.action_refuse()
        action = request.with_user(self.manager).action_refuse()
        self.assertEqual(action["res_model"], "leasing.collection.request.refuse")
        with self.assertRaisesRegex(UserError, "Say why the request is refused"):
            request.with_user(self.manager)._action_refuse("  ")
        wizard = Form(
            self.env["leasing.collection.request.refuse"].with_user(self.manager).with_context(action["context"])
        )
        wizard.reason = "The lessee paid late three times this year."
        wizard.save().action_refuse()
        self.assertRecordValues(
            request, [{"state": "refused", "refusal_reason": "The lessee paid late three times this year."}]
        )
        with self.assertRaisesRegex(UserError, "not submitted"):
            request.with_user(self.manager).action_approve()
        # Back to draft: changed, submitted again, then withdrawn.
        request.action_draft()
        self.assertRecordValues(
            request, [{"state": "draft", "refusal_reason": False, "submitted_by_id": False, "approved_by_id": False}]
        )
        request.amount = 4.0
        request.action_submit()
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            request.amount = 40.0
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        with self.assertRaisesRegex(UserError, "cannot be submitted"):
            request.action_submit()
        with self.assertRaisesRegex(UserError, "only refused or cancelled"):
            self._request(case, amount=1.0).action_draft()

    def test_system_fields_refused(self):
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=5.0)
        for vals in ({"state": "done"}, {"approved_by_id": self.collector.id}, {"refusal_reason": "x"}):
            with self.assertRaises(AccessError):
                request.write(vals)
        with self.assertRaises(AccessError):
            self._request(case, amount=1.0, state="submitted")
        self.assertEqual(request.state, "draft")

    def test_case_and_contract_agree(self):
        contract, _first, case = self._waiver_case()
        other = self._lease()
        with self.assertRaises(ValidationError):
            self._request(case, amount=1.0, contract_id=other.id)
        # The case brings its lease.
        action = case.with_user(self.collector).with_context(default_request_type="lock").action_new_request()
        self.assertEqual(action["context"]["default_contract_id"], contract.id)
        form = Form(self.env["leasing.collection.request"].with_user(self.collector).with_context(action["context"]))
        form.reason = "Stopped answering the phone."
        request = form.save()
        self.assertRecordValues(request, [{"request_type": "lock", "case_id": case.id, "contract_id": contract.id}])

    # ------------------------------------------------------------------
    # Requests on the units: default execution, contract states, the unlock proposal
    # ------------------------------------------------------------------
    def _late_lease(self):
        """Instalment 1 (due Feb 28) unpaid at the close of March 10: 10 days past due."""
        contract = self._lease()
        self._invoice("2026-03-01")
        self._close("2026-03-10")
        contract.invalidate_recordset()
        self.assertEqual(contract.days_past_due, 10)
        return contract

    def _activities(self, request):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", request._name),
                ("res_id", "=", request.id),
                ("activity_type_id", "=", self.env.ref(TODO).id),
            ]
        )

    def test_repossession_by_hand(self):
        """Approved, a repossession waits: a to-do for the account manager, the lease's
        repossession approved; a Collection Manager marks it done."""
        contract = self._late_lease()
        contract.user_id = self.account_manager
        case = self._case(contract)
        request = self._request(case, request_type="repossession")
        self.assertEqual(contract.repossession_state, "none")
        request.action_submit()
        self.assertEqual(contract.repossession_state, "requested")
        second = self._request(case, request_type="repossession")
        with self.assertRaisesRegex(UserError, "already has a repossession under way"):
            second.action_submit()
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(contract.repossession_state, "approved")
        todo = self._activities(request)
        self.assertRecordValues(todo, [{"user_id": self.account_manager.id}])
        self.assertIn(request.name, todo.summary)
        # Done by hand: a Collection Manager's.
        with self.assertRaises(AccessError):
            request.action_done()
        request.with_user(self.manager).action_done()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.done_date)
        self.assertEqual(contract.repossession_state, "done")
        self.assertFalse(self._activities(request))
        with self.assertRaisesRegex(UserError, "must be approved"):
            request.with_user(self.manager).action_done()

    def test_todo_for_the_approver_when_the_account_manager_cannot_open_requests(self):
        contract = self._late_lease()
        self.assertEqual(contract.user_id, self.seller)  # a Leasing User, not a collector
        request = self._request(self._case(contract), request_type="lock")
        request.action_submit()
        request.with_user(self.manager).action_approve()
        self.assertRecordValues(self._activities(request), [{"user_id": self.manager.id}])

    def test_waiver_is_not_done_by_hand(self):
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=1.0)
        request.action_submit()
        with self.assertRaisesRegex(UserError, "not by hand"):
            request.with_user(self.manager).action_done()

    def test_lock_unlock_states_and_the_unlock_proposed_once(self):
        """Lock requested, locked; the lessee pays; the close proposes one draft unlock for the
        account manager, never a second one for the same lock (closed again, or once the
        proposal is cancelled); submitted and approved it is requested, done unlocked."""
        contract = self._late_lease()
        contract.user_id = self.account_manager
        case = self._case(contract)
        Request = self.env["leasing.collection.request"]
        proposed = [("contract_id", "=", contract.id), ("request_type", "=", "unlock"), ("proposed", "=", True)]
        unlock = self._request(case, request_type="unlock")
        with self.assertRaisesRegex(UserError, "not locked"):
            unlock.action_submit()
        unlock.action_cancel()

        lock = self._request(case, request_type="lock")
        lock.action_submit()
        self.assertEqual(contract.lock_state, "lock_requested")
        with self.assertRaisesRegex(UserError, "already locked"):
            self._request(case, request_type="lock").action_submit()
        lock.with_user(self.manager).action_approve()
        self.assertEqual((lock.state, contract.lock_state), ("approved", "lock_requested"))
        lock.with_user(self.manager).action_done()
        self.assertEqual(contract.lock_state, "locked")

        # Still late: the close proposes nothing.
        self._close("2026-03-11")
        self.assertFalse(Request.search(proposed))

        # Paid: current again at the next close.
        self._pay(self._installment_invoices(contract)[0], payment_date="2026-03-12")
        self._close("2026-03-12")
        contract.invalidate_recordset()
        self.assertEqual(contract.days_past_due, 0)
        proposal = Request.search(proposed)
        self.assertRecordValues(
            proposal,
            [
                {
                    "state": "draft",
                    "proposed": True,
                    "lock_request_id": lock.id,
                    "case_id": case.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertIn(lock.name, proposal.reason)
        self.assertRecordValues(self._activities(proposal), [{"user_id": self.account_manager.id}])
        # The account manager sees it (the lease is theirs) and is the one to submit it.
        self.assertEqual(Request.with_user(self.account_manager).search([("id", "=", proposal.id)]), proposal)

        # Closed again, by hand the same day and the next day: no second proposal.
        with freeze_time("2026-03-12"):
            self.env["leasing.close.run"].sudo()._create_manual(self.company, proposal.date)._run_all(100)
        self._close("2026-03-13")
        self.assertEqual(Request.search_count(proposed), 1)
        # Cancelled, it is not proposed again for this lock.
        proposal.with_user(self.account_manager).action_cancel()
        self._close("2026-03-14")
        self.assertEqual(Request.search_count(proposed), 1)

        # Back to draft and submitted by the account manager; approved by a manager.
        proposal.with_user(self.account_manager).action_draft()
        proposal.with_user(self.account_manager).action_submit()
        self.assertFalse(self._activities(proposal))
        self.assertEqual(contract.lock_state, "unlock_requested")
        proposal.with_user(self.manager).action_approve()
        self.assertEqual(contract.lock_state, "unlock_requested")
        proposal.with_user(self.manager).action_done()
        self.assertEqual(contract.lock_state, "unlocked")
        # Refused or cancelled requests leave the state as it was.
        relock = self._request(case, request_type="lock")
        relock.action_submit()
        self.assertEqual(contract.lock_state, "lock_requested")
        relock.with_user(self.manager)._action_refuse("Paid since")
        self.assertEqual(contract.lock_state, "unlocked")
        self.assertEqual(
            self.env["leasing.contract"].search([("id", "=", contract.id), ("lock_state", "=", "unlocked")]), contract
        )

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_collector_sees_own_and_case_requests_only(self):
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=1.0)
        Request = self.env["leasing.collection.request"]
        self.assertEqual(Request.with_user(self.collector).search([("id", "=", request.id)]), request)
        self.assertFalse(Request.with_user(self.other_collector).search([("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            request.with_user(self.other_collector).action_submit()
        # A team leader sees the requests of the team's cases.
        team = self.env["leasing.collection.team"].create(
            {"name": "North", "leader_id": self.other_collector.id, "company_id": self.company.id}
        )
        case.sudo().write({"team_id": team.id})
        self.assertEqual(Request.with_user(self.other_collector).search([("id", "=", request.id)]), request)
        self.assertEqual(Request.with_user(self.manager).search([("id", "=", request.id)]), request)

    def test_multi_company(self):
        _contract, _first, case = self._waiver_case()
        request = self._request(case, amount=1.0)
        other_company = self.env["res.company"].create({"name": "Other Leasing Co"})
        outsider = new_test_user(self.env, "request_outsider", groups=COLLECTION_MANAGER, company_id=other_company.id)
        self.assertFalse(self.env["leasing.collection.request"].with_user(outsider).search([("id", "=", request.id)]))
        request.action_submit()
        with self.assertRaises(AccessError):
            request.with_user(outsider).action_approve()
