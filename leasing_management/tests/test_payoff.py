from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_closing import LeasingClosingCommon


@tagged("post_install", "-at_install")
class TestEarlyPayoff(LeasingClosingCommon):
    """Early payoff of the lease of ``LeasingClosingCommon``.

    Instalment 1 (and the deposit) paid, instalment 2 invoiced on 2026-03-25 and left unpaid,
    paid off on 2026-04-10:

    * outstanding principal (lines 3 and 4, not invoiced) = 251.23 + 253.75 = 504.98
    * interest from 2026-03-31 (due date of line 2, the last invoiced) = 10 days:
      504.98 x 0.12 x 10 / 365 = 605.976 / 365 = 1.66021 -> 1.66
    * fee 3 % x 504.98 = 15.1494 -> 15.15
    * unpaid invoices: instalment 2 = 256.28
    * deposit held 100.00
    * total = 504.98 + 1.66 + 15.15 + 256.28 - 100.00 = 678.07
    * settlement invoice = 504.98 + 1.66 + 15.15 - 100.00 = 421.79 (the unpaid instalment
      stays on its own invoice)
    """

    def _prepare(self, **values):
        contract = self._activate(**values)
        self._pay(contract.upfront_invoice_id, payment_date=date(2026, 2, 28))
        with freeze_time("2026-02-28"):
            self._pay(self._invoice("2026-02-20"), payment_date=date(2026, 2, 28))
        self._invoice("2026-03-25")
        return contract

    def _wizard(self, contract, payoff_date=None):
        action = contract.action_open_payoff_wizard()
        form = Form(contract.env[action["res_model"]].with_context(**action["context"]))
        if payoff_date:
            form.payoff_date = payoff_date
        return form

    @freeze_time("2026-04-10")
    def test_quote_shows_every_component(self):
        contract = self._prepare()
        form = self._wizard(contract)
        self.assertEqual(form.payoff_date, date(2026, 4, 10))  # today by default
        self.assertEqual(form.accrual_start, date(2026, 3, 31))
        self.assertEqual(form.accrual_days, 10)
        self.assertEqual(form.outstanding_principal, 504.98)
        self.assertEqual(form.accrued_interest, 1.66)
        self.assertEqual(form.early_termination_fee, 15.15)
        self.assertEqual(form.amount_tax, 0.0)
        self.assertEqual(form.unpaid_invoices, 256.28)
        self.assertEqual(form.deposit_applied, -100.0)
        self.assertEqual(form.deposit_remaining, 0.0)
        self.assertEqual(form.amount_total, 678.07)
        self.assertFalse(form.warning)
        # A later date accrues more: 2026-04-20 is 20 days, 504.98 x 0.12 x 20 / 365 = 3.3204 -> 3.32.
        form.payoff_date = date(2026, 4, 20)
        self.assertEqual((form.accrual_days, form.accrued_interest), (20, 3.32))

    @freeze_time("2026-04-10")
    def test_confirm_posts_the_settlement_invoice_and_cancels_the_future(self):
        contract = self._prepare()
        line2 = self._line(contract, 2)
        self._wizard(contract).save().action_confirm()

        invoice = contract.payoff_invoice_id
        plan = self.plan
        self.assertEqual(contract.payoff_date, date(2026, 4, 10))
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "leasing_move_kind": "payoff",
                    "leasing_contract_id": contract.id,
                    "journal_id": plan.journal_id.id,
                    "partner_id": self.lessee.id,
                    "invoice_date": date(2026, 4, 10),
                    "amount_untaxed": 421.79,
                    "amount_total": 421.79,
                }
            ],
        )
        self.assertRecordValues(
            invoice.invoice_line_ids.sorted("price_subtotal", reverse=True),
            [
                {"account_id": plan.receivable_account_id.id, "price_subtotal": 504.98},
                {"account_id": plan.fee_account_id.id, "price_subtotal": 15.15},
                {"account_id": plan.interest_account_id.id, "price_subtotal": 1.66},
                {"account_id": plan.deposit_account_id.id, "price_subtotal": -100.0},
            ],
        )
        # Debits: receivable 421.79 + deposits held 100.00 = 521.79; credits: 504.98 + 15.15 + 1.66.
        self.assertBalanced(invoice)
        deposit_line = invoice.line_ids.filtered(lambda line: line.account_id == plan.deposit_account_id)
        self.assertEqual((deposit_line.debit, deposit_line.credit), (100.0, 0.0))
        self.assertEqual(contract.deposit_held, 0.0)

        # The daily run marks what fell due unpaid as overdue.
        self.env["leasing.schedule.line"]._cron_refresh_overdue()
        self.assertRecordValues(
            contract.schedule_line_ids.sorted("sequence"),
            [
                {"sequence": 1, "cancelled": False, "state": "paid"},
                {"sequence": 2, "cancelled": False, "state": "overdue"},  # due 2026-03-31
                {"sequence": 3, "cancelled": True, "state": "cancelled"},
                {"sequence": 4, "cancelled": True, "state": "cancelled"},
            ],
        )
        # The unpaid instalment is left as it was, and the lease stays active until paid.
        self.assertEqual(line2.invoice_id.amount_residual, 256.28)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.amount_due, 678.07)  # 421.79 + 256.28
        # Nothing is left to fall due: the cancelled lines are no longer outstanding.
        contract.invalidate_recordset(["outstanding_principal"])
        self.assertEqual(contract.outstanding_principal, 0.0)
        self.lessee.invalidate_recordset()
        self.assertEqual(self.lessee.leasing_outstanding_principal, 0.0)
        self.assertIn("678.07", contract.message_ids[0].body)
        # Cancelled lines are not invoiced by the daily run any more.
        self.assertFalse(self._invoice("2026-04-25"))

    def test_paying_every_invoice_closes_the_lease(self):
        contract = self._prepare()
        with freeze_time("2026-04-10"):
            self._wizard(contract).save().action_confirm()
        with freeze_time("2026-04-12"):
            self._pay(contract.payoff_invoice_id, payment_date=date(2026, 4, 12))
        # Instalment 2 is still open: not closed yet.
        self.assertEqual(contract.state, "active")
        self.assertFalse(contract.ownership_transferred_date)
        with freeze_time("2026-04-15"):
            self._pay(self._line(contract, 2).invoice_id, payment_date=date(2026, 4, 15))
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.ownership_transferred_date, date(2026, 4, 15))
        self.assertIn("Ownership", contract.message_ids[0].body)
        contract.invalidate_recordset()  # the ledger figures are read again after the payments
        self.assertEqual(contract.amount_due, 0.0)

    def test_payoff_date_before_the_last_paid_instalment_is_refused(self):
        contract = self._prepare()
        moves_before = contract.move_ids
        with freeze_time("2026-04-10"):
            form = self._wizard(contract, payoff_date=date(2026, 2, 20))
            self.assertIn("2026", form.warning or "")
            wizard = form.save()
            with self.assertRaisesRegex(UserError, "already paid"):
                wizard.action_confirm()
        self.assertFalse(contract.payoff_invoice_id)
        self.assertFalse(contract.payoff_date)
        self.assertEqual(contract.move_ids, moves_before)
        self.assertFalse(contract.schedule_line_ids.filtered("cancelled"))
        self.assertEqual(contract.state, "active")

    def test_only_active_leases_are_paid_off(self):
        contract = self.env["leasing.contract"].create(self._lease_vals())
        with self.assertRaisesRegex(UserError, "only an active lease"):
            contract.action_open_payoff_wizard()
        with self.assertRaisesRegex(UserError, "only an active lease"):
            self.env["leasing.payoff.wizard"].create(
                {"contract_id": contract.id, "payoff_date": date(2026, 4, 10)}
            )._do_payoff()

    @freeze_time("2026-04-10")
    def test_a_second_payoff_is_refused(self):
        contract = self._prepare()
        self._wizard(contract).save().action_confirm()
        with self.assertRaisesRegex(UserError, "already paid off"):
            self._wizard(contract).save().action_confirm()
        self.assertEqual(len(contract.move_ids.filtered(lambda m: m.leasing_move_kind == "payoff")), 1)

    @freeze_time("2026-04-10")
    def test_taxes_on_interest(self):
        # A 15 % tax on interest: 1.66 x 15 % = 0.249 -> 0.25 on the settlement, 421.79 + 0.25 =
        # 422.04. Instalment 2 carries it too: 7.54 x 15 % = 1.131 -> 1.13, unpaid 256.28 + 1.13
        # = 257.41. Total 504.98 + 1.66 + 15.15 + 0.25 + 257.41 - 100.00 = 679.45.
        tax = self.env["account.tax"].create(
            {"name": "Interest VAT 15 %", "amount": 15.0, "type_tax_use": "sale", "company_id": self.company.id}
        )
        self.plan.interest_tax_ids = tax
        contract = self._prepare()
        form = self._wizard(contract)
        self.assertEqual((form.amount_tax, form.unpaid_invoices, form.amount_total), (0.25, 257.41, 679.45))
        form.save().action_confirm()
        invoice = contract.payoff_invoice_id
        self.assertRecordValues(invoice, [{"amount_untaxed": 421.79, "amount_tax": 0.25, "amount_total": 422.04}])
        interest_line = invoice.invoice_line_ids.filtered(lambda line: line.account_id == self.plan.interest_account_id)
        self.assertEqual(interest_line.tax_ids, tax)
        self.assertBalanced(invoice)

    def test_deposit_larger_than_what_is_left(self):
        # Deposit 300.00; instalments 1 to 3 invoiced and paid; paid off on 2026-05-12:
        #   principal = 253.75 (line 4); 12 days from 2026-04-30:
        #   interest = 253.75 x 0.12 x 12 / 365 = 365.4 / 365 = 1.0011 -> 1.00
        #   fee = 3 % x 253.75 = 7.6125 -> 7.61; nothing unpaid
        #   owed = 253.75 + 1.00 + 7.61 = 262.36: the deposit covers it all, total 0.00,
        #   300.00 - 262.36 = 37.64 goes back to the lessee by a credit note.
        contract = self._activate(deposit=300.0)
        self._pay(contract.upfront_invoice_id, payment_date=date(2026, 2, 28))
        for index, day in enumerate(self.INVOICING_DAYS[:3]):
            with freeze_time(self.DUE_DATES[index]):
                self._pay(self._invoice(day), payment_date=self.DUE_DATES[index])
        with freeze_time("2026-05-12"):
            form = self._wizard(contract)
            self.assertEqual(
                (form.outstanding_principal, form.accrued_interest, form.early_termination_fee),
                (253.75, 1.0, 7.61),
            )
            self.assertEqual((form.deposit_applied, form.deposit_remaining, form.amount_total), (-262.36, 37.64, 0.0))
            form.save().action_confirm()
        invoice = contract.payoff_invoice_id
        self.assertEqual((invoice.amount_total, invoice.payment_state), (0.0, "paid"))
        refund = contract.deposit_refund_id
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "leasing_move_kind": "deposit_refund",
                    "amount_total": 37.64,
                }
            ],
        )
        self.assertEqual(contract.deposit_held, 0.0)
        self.assertEqual(contract.customer_balance, 37.64)
        # Nothing is left to pay: the lease closed at once.
        self.assertEqual(contract.state, "closed")

    @freeze_time("2026-04-10")
    def test_paying_off_takes_a_manager_with_invoicing_rights(self):
        contract = self._prepare()
        wizard = self._wizard(contract).save()
        for login, groups in (
            ("payoff_user", "leasing_management.group_leasing_user,account.group_account_invoice"),
            ("payoff_mgr_only", "leasing_management.group_leasing_manager"),
        ):
            user = new_test_user(self.env, login, groups=groups, company_id=self.company.id)
            with self.assertRaises(AccessError):
                contract.with_user(user).action_open_payoff_wizard()
            with self.assertRaises(AccessError):
                wizard.with_user(user).action_confirm()
        self.assertFalse(contract.payoff_invoice_id)
        self.assertFalse(contract.schedule_line_ids.filtered("cancelled"))

    def test_an_invoice_settled_by_a_credit_note_also_closes(self):
        # After the payoff and its invoice paid, instalment 2 (256.28) is written off by a credit
        # note: Odoo marks it reversed, not paid, and the lease closes all the same.
        contract = self._prepare()
        with freeze_time("2026-04-10"):
            self._wizard(contract).save().action_confirm()
            self._pay(contract.payoff_invoice_id, payment_date=date(2026, 4, 10))
            self.assertEqual(contract.state, "active")
            instalment = self._line(contract, 2).invoice_id
            credit_note = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.lessee.id,
                    "invoice_date": "2026-04-10",
                    "invoice_line_ids": [
                        Command.create({"name": "Goodwill", "price_unit": 256.28, "tax_ids": [Command.clear()]})
                    ],
                }
            )
            credit_note.action_post()
            receivables = (instalment | credit_note).line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            receivables.reconcile()
        self.assertEqual(instalment.payment_state, "reversed")
        self.assertEqual(contract.state, "closed")
