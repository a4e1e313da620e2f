from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_closing import LeasingClosingCommon


@tagged("post_install", "-at_install")
class TestEndOfTerm(LeasingClosingCommon):
    """Closing the lease of ``LeasingClosingCommon`` at the end of its term: the four
    instalments (1,025.13 in all: 3 x 256.28 + 256.29) and the deposit of 100.00 paid."""

    def _close(self, contract, deposit_action="refund"):
        action = contract.action_open_close_wizard()
        form = Form(contract.env[action["res_model"]].with_context(**action["context"]))
        if form.deposit_held:
            form.deposit_action = deposit_action
        return form.save().action_confirm()

    def test_closing_refused_while_something_is_unpaid(self):
        contract = self._run_term(self._activate(), paid=3)
        with freeze_time("2026-06-05"):
            with self.assertRaisesRegex(UserError, r"Still unpaid: #4 due .*256\.29"):
                contract.action_open_close_wizard()
            wizard = self.env["leasing.close.wizard"].create({"contract_id": contract.id})
            with self.assertRaisesRegex(UserError, "#4"):
                wizard.action_confirm()
        self.assertEqual(contract.state, "active")
        self.assertFalse(contract.deposit_refund_id)
        self.assertEqual(contract.deposit_held, 100.0)

    def test_close_with_refund_credits_the_deposit_and_passes_ownership(self):
        contract = self._run_term(self._activate())
        self.assertEqual(set(contract.schedule_line_ids.mapped("state")), {"paid"})
        with freeze_time("2026-06-05"):
            self._close(contract, "refund")
        refund = contract.deposit_refund_id
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "leasing_move_kind": "deposit_refund",
                    "leasing_contract_id": contract.id,
                    "journal_id": self.plan.journal_id.id,
                    "partner_id": self.lessee.id,
                    "amount_total": 100.0,
                    "payment_state": "not_paid",
                }
            ],
        )
        deposit_line = refund.line_ids.filtered(lambda line: line.account_id == self.plan.deposit_account_id)
        self.assertEqual((deposit_line.debit, deposit_line.credit), (100.0, 0.0))
        self.assertBalanced(refund)
        self.assertEqual(contract.deposit_held, 0.0)
        # The lessee's balance shows the 100.00 to pay out.
        self.assertEqual(contract.customer_balance, 100.0)
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.ownership_transferred_date, date(2026, 6, 5))
        self.assertIn("Ownership of the leased items passes", contract.message_ids[0].body)
        self.assertIn("Excavator", contract.message_ids[0].body)

    def test_close_applying_the_deposit_settles_an_open_invoice(self):
        contract = self._run_term(self._activate())
        # A repair of 60.00 invoiced to the lessee under the lease (a lease document, which only
        # the system tags, as the collections addon's penalty invoices) and left unpaid.
        repair = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.lessee.id,
                    "invoice_date": "2026-06-01",
                    "leasing_contract_id": contract.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Repair of the bucket",
                                "quantity": 1.0,
                                "price_unit": 60.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        repair.action_post()
        with freeze_time("2026-06-05"):
            self._close(contract, "apply")
        # 100.00 of deposit: 60.00 settle the repair, 40.00 are left to refund.
        # Settled by a credit note alone, Odoo calls the invoice reversed.
        self.assertEqual((repair.amount_residual, repair.payment_state), (0.0, "reversed"))
        self.assertEqual(contract.deposit_refund_id.amount_residual, 40.0)
        self.assertEqual(contract.customer_balance, 40.0)
        self.assertEqual(contract.deposit_held, 0.0)
        self.assertEqual(contract.state, "closed")
        # Nothing is due: the 40.00 to refund is the lessee's balance, not a negative debt.
        self.assertEqual(contract.amount_due, 0.0)

    def test_close_without_deposit(self):
        contract = self._run_term(self._activate(deposit=0.0))
        with freeze_time("2026-06-05"):
            self._close(contract)
        self.assertFalse(contract.deposit_refund_id)
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.ownership_transferred_date, date(2026, 6, 5))

    def test_closing_takes_a_manager_with_invoicing_rights(self):
        contract = self._run_term(self._activate())
        manager = new_test_user(
            self.env, "close_mgr_only", groups="leasing_management.group_leasing_manager", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            contract.with_user(manager).action_open_close_wizard()
        self.assertEqual(contract.state, "active")
