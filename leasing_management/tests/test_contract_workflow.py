from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestContractWorkflow(LeasingCommon):
    def _submitted(self, **overrides):
        contract = self._create_contract(**overrides)
        contract.with_user(self.manager_1).action_submit()
        return contract

    @freeze_time("2024-01-20 09:30:00")
    def test_full_lifecycle(self):
        contract = self._create_contract()
        self.assertEqual(contract.state, "draft")

        contract.with_user(self.manager_1).action_submit()
        self.assertRecordValues(
            contract,
            [{"state": "review", "submitted_by_id": self.manager_1.id, "submitted_date": datetime(2024, 1, 20, 9, 30)}],
        )

        review = self._complete_review(contract)
        self.assertEqual(contract.credit_review_id, review)
        self.assertEqual(contract.recommendation, "approve")

        contract.with_user(self.manager_2).action_approve()
        self.assertRecordValues(
            contract,
            [{"state": "approved", "approved_by_id": self.manager_2.id, "approved_date": datetime(2024, 1, 20, 9, 30)}],
        )

        contract.with_user(self.manager_2).action_activate()
        self.assertRecordValues(contract, [{"state": "active", "activated_date": date(2024, 1, 20)}])
        self.assertEqual(len(contract.schedule_line_ids), 3)

        # Past the last due date (2024-04-30), nothing invoiced nor paid: the ledger says the
        # schedule is unpaid, so the lease cannot be closed.
        with freeze_time("2024-05-02"), self.assertRaisesRegex(UserError, "whole schedule"):
            contract._check_end_of_term()
        self.assertFalse(contract.schedule_settled)
        self.assertEqual(contract.state, "active")

    def test_leasing_user_submits_manager_approves(self):
        contract = self._create_contract()
        contract.with_user(self.leasing_user).action_submit()
        self.assertEqual(contract.submitted_by_id, self.leasing_user)
        self._complete_review(contract)
        contract.with_user(self.manager_1).action_approve()
        self.assertEqual(contract.state, "approved")
        self.assertEqual(contract.approved_by_id, self.manager_1)

    def test_submitter_cannot_approve(self):
        contract = self._submitted()
        self._complete_review(contract)
        with self.assertRaises(UserError):
            contract.with_user(self.manager_1).action_approve()
        self.assertEqual(contract.state, "review")
        self.assertFalse(contract.approved_by_id)

    def test_leasing_user_cannot_approve(self):
        contract = self._submitted()
        self._complete_review(contract)
        with self.assertRaises(AccessError):
            contract.with_user(self.leasing_user).action_approve()
        self.assertEqual(contract.state, "review")

    def test_approve_needs_completed_review(self):
        contract = self._submitted()
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_approve()
        review = self.env["leasing.credit.review"].create({"contract_id": contract.id, "identity_verified": True})
        self.assertEqual(review.state, "draft")
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_approve()
        self.assertEqual(contract.state, "review")
        review.recommendation = "approve"
        review.action_done()
        contract.with_user(self.manager_2).action_approve()
        self.assertEqual(contract.state, "approved")

    def test_approve_refused_when_review_recommends_reject(self):
        contract = self._submitted()
        review = self._complete_review(contract, identity_verified=False, years_in_business=0, monthly_income=0.0)
        # 0 + 0 + 0 (no income) + 20 (net worth) + 0 (no guarantor) = 20: high risk.
        self.assertEqual(review.risk_score, 20)
        self.assertEqual(review.recommendation, "reject")
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_approve()
        self.assertEqual(contract.state, "review")

    def test_approve_with_conditions_is_accepted(self):
        contract = self._submitted()
        review = self._complete_review(contract)
        self.assertEqual(review.recommendation, "approve")
        review.action_reopen()
        review.write({"recommendation": "approve_conditions", "conditions": "A second guarantor."})
        review.action_done()
        contract.with_user(self.manager_2).action_approve()
        self.assertEqual(contract.state, "approved")
        self.assertEqual(contract.review_conditions, "A second guarantor.")

    def test_approve_only_under_review(self):
        contract = self._create_contract()
        self._complete_review(contract)
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_approve()
        self.assertEqual(contract.state, "draft")

    def test_activate_needs_approval_and_start_date(self):
        contract = self._submitted(start_date=False)
        self._complete_review(contract)
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_activate()
        self.assertEqual(contract.state, "review")
        contract.with_user(self.manager_2).action_approve()
        self.assertFalse(contract.schedule_line_ids)
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_activate()
        self.assertEqual(contract.state, "approved")
        self.assertFalse(contract.activated_date)
        contract.start_date = date(2024, 1, 31)
        contract.with_user(self.manager_2).action_activate()
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.end_date, date(2024, 4, 30))

    def test_close_only_active(self):
        contract = self._submitted()
        with freeze_time("2030-01-01"), self.assertRaisesRegex(UserError, "only an active lease"):
            contract._check_end_of_term()
        self.assertEqual(contract.state, "review")

    def test_cancel_allowed_until_activation(self):
        draft = self._create_contract()
        review = self._submitted()
        approved = self._submitted()
        self._complete_review(approved)
        approved.with_user(self.manager_2).action_approve()
        (draft | review | approved).action_cancel()
        self.assertEqual((draft | review | approved).mapped("state"), ["cancelled"] * 3)

    def test_cancel_refused_once_active(self):
        contract = self._activate(self._create_contract())
        with self.assertRaises(UserError):
            contract.action_cancel()
        self.assertEqual(contract.state, "active")

    def test_back_to_draft(self):
        contract = self._submitted()
        contract.action_draft()
        self.assertRecordValues(contract, [{"state": "draft", "submitted_by_id": False, "submitted_date": False}])
        contract.action_cancel()
        contract.action_draft()
        self.assertEqual(contract.state, "draft")
        # Back in draft, the terms are free again.
        contract.term = 4
        self.assertEqual(len(contract.schedule_line_ids), 4)

    def test_back_to_draft_refused_once_approved(self):
        contract = self._submitted()
        self._complete_review(contract)
        contract.with_user(self.manager_2).action_approve()
        with self.assertRaises(UserError):
            contract.action_draft()
        self.assertEqual(contract.state, "approved")
        contract.with_user(self.manager_2).action_activate()
        with self.assertRaises(UserError):
            contract.action_draft()
        self.assertEqual(contract.state, "active")

    def test_submit_only_from_draft(self):
        contract = self._submitted()
        with self.assertRaises(UserError):
            contract.with_user(self.manager_2).action_submit()
        self.assertEqual(contract.submitted_by_id, self.manager_1)

    def test_unlink_only_draft_or_cancelled(self):
        Contract = self.env["leasing.contract"]
        review = self._submitted()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            review.unlink()
        self.assertTrue(review.exists())
        active = self._activate(self._create_contract())
        with self.assertRaises(UserError), self.env.cr.savepoint():
            active.unlink()
        self.assertTrue(active.exists())
        self.assertEqual(len(active.schedule_line_ids), 3)

        draft = self._create_contract()
        review.action_cancel()
        ids = (draft | review).ids
        (draft | review).unlink()
        self.assertFalse(Contract.search([("id", "in", ids)]))
        self.assertFalse(self.env["leasing.schedule.line"].search([("contract_id", "in", ids)]))

    @freeze_time("2024-03-05")
    def test_sequence_names(self):
        first = self._create_contract()
        second = self._create_contract()
        self.assertRegex(first.name, r"^LC/2024/\d{5}$")
        self.assertRegex(second.name, r"^LC/2024/\d{5}$")
        self.assertEqual(int(second.name[-5:]), int(first.name[-5:]) + 1)
        # The reference is the system's: a name given by a user is refused.
        with self.assertRaises(AccessError):
            self.env["leasing.contract"].with_user(self.leasing_user).create(
                {"name": "LC/MANUAL/1", "partner_id": self.partner.id, "plan_id": self.plan_annuity.id}
            )
