from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestBatchCancel(LeasingCommon):
    """The list's "Cancel" action: drafts and contracts under review go together, in one write;
    an approved (or later) contract in the selection stops everything."""

    ACTION = "leasing_management.action_leasing_contract_batch_cancel"

    def _run_action(self, contracts, user):
        action = self.env.ref(self.ACTION).with_user(user)
        return action.with_context(
            active_model="leasing.contract", active_ids=contracts.ids, active_id=contracts[:1].id
        ).run()

    def test_binding(self):
        action = self.env.ref(self.ACTION)
        self.assertEqual(action.binding_model_id.model, "leasing.contract")
        self.assertEqual(action.binding_view_types, "list")

    def test_cancels_drafts_and_reviews(self):
        draft = self._create_contract()
        review = self._create_contract()
        review.with_user(self.leasing_user).action_submit()
        cancelled = self._create_contract()
        cancelled.action_cancel()
        contracts = (draft | review | cancelled).with_user(self.leasing_user)
        result = self._run_action(contracts, self.leasing_user)
        self.assertEqual((draft | review | cancelled).mapped("state"), ["cancelled"] * 3)
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("2 lease contracts cancelled", result["params"]["message"])

    def test_one_write(self):
        contracts = self._create_contract() | self._create_contract() | self._create_contract()
        Contract = type(contracts)
        original = Contract.write
        calls = []

        def spy(records, vals):
            calls.append((records, vals))
            return original(records, vals)

        with patch.object(Contract, "write", spy):
            contracts.action_batch_cancel()
        self.assertEqual(contracts.mapped("state"), ["cancelled"] * 3)
        state_writes = [records for records, vals in calls if "state" in vals]
        self.assertEqual(len(state_writes), 1)
        self.assertEqual(state_writes[0], contracts)

    def test_refuses_beyond_approval_and_changes_nothing(self):
        draft = self._create_contract()
        approved = self._create_contract()
        approved.with_user(self.manager_1).action_submit()
        self._complete_review(approved)
        approved.with_user(self.manager_2).action_approve()
        active = self._activate(self._create_contract())
        for beyond in (approved, active):
            with self.assertRaises(UserError) as caught:
                self._run_action(draft | beyond, self.manager_2)
            self.assertIn(beyond.name, str(caught.exception))
            self.assertEqual(draft.state, "draft")
        self.assertEqual(approved.state, "approved")
        self.assertEqual(active.state, "active")
