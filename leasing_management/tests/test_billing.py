from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestLeaseBilling(LeasingLedgerCommon):
    """The lease in the ledger, on one hand-worked contract.

    Items 1,000.00; down payment 10 % = 100.00; financed 900.00; deposit 5 % = 50.00; a
    registration fee of 20.00 paid up front. 12 % a year, monthly (r = 0.01), 3 instalments in
    arrears from 2026-01-31. Level instalment 900 x 0.01 / (1 - 1.01 ** -3) = 306.0200 -> 306.02:

    ===  ==========  =========  ========  ======  =======
     #   due         principal  interest  amount  balance
    ===  ==========  =========  ========  ======  =======
     1   2026-02-28     297.02      9.00  306.02   602.98
     2   2026-03-31     299.99      6.03  306.02   302.99
     3   2026-04-30     302.99      3.03  306.02     0.00
    ===  ==========  =========  ========  ======  =======

    (6.0298 -> 6.03, 3.0299 -> 3.03; the principal sums to 900.00.)
    """

    USER_PREFIX = "bill"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls._create_billing_plan()
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Constructora Andina", "is_company": True})

    def _activate(self, **values):
        return self._activate_contract(self._lease_vals(**values))

    # ------------------------------------------------------------------
    def test_activation_posts_balanced_commencement_and_upfront_invoice(self):
        contract = self._activate()
        plan = self.plan
        entry = contract.commencement_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.date, date(2026, 1, 31))
        self.assertRecordValues(
            entry.line_ids.sorted("debit", reverse=True),
            [
                {"account_id": plan.receivable_account_id.id, "debit": 900.0, "credit": 0.0},
                {"account_id": plan.clearing_account_id.id, "debit": 0.0, "credit": 900.0},
            ],
        )
        upfront = contract.upfront_invoice_id
        self.assertEqual((upfront.move_type, upfront.state), ("out_invoice", "posted"))
        self.assertRecordValues(
            upfront.invoice_line_ids.sorted("price_subtotal", reverse=True),
            [
                # down payment against the assets clearing, fee to income, deposit as a liability
                {"account_id": plan.clearing_account_id.id, "price_subtotal": 100.0},
                {"account_id": plan.deposit_account_id.id, "price_subtotal": 50.0},
                {"account_id": plan.fee_account_id.id, "price_subtotal": 20.0},
            ],
        )
        self.assertEqual(upfront.amount_total, 170.0)
        self.assertEqual(upfront.invoice_date_due, date(2026, 1, 31))
        for move in contract.move_ids:
            self.assertEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        self.assertEqual(contract.deposit_held, 50.0)
        self.assertEqual(contract.amount_due, 170.0)
        self.assertFalse(contract.leaseback_bill_id)

    def test_leaseback_is_carried_by_a_vendor_bill_to_the_lessee(self):
        contract = self._activate(lease_type="leaseback")
        bill = contract.leaseback_bill_id
        self.assertEqual((bill.move_type, bill.state, bill.partner_id), ("in_invoice", "posted", self.lessee))
        # The assets bought for 1,000.00 less the 100.00 down payment the lessee keeps.
        self.assertEqual(bill.amount_total, 900.0)
        receivable = self.plan.receivable_account_id
        net_investment = sum(
            self.env["account.move.line"]
            .search([("leasing_contract_id", "=", contract.id), ("account_id", "=", receivable.id)])
            .mapped("balance")
        )
        self.assertEqual(net_investment, 900.0)
        # No financed fee: no commencement entry; the down payment is not invoiced again.
        self.assertFalse(contract.commencement_move_id)
        self.assertEqual(contract.upfront_invoice_id.amount_total, 70.0)

    @freeze_time("2026-02-20")
    def test_instalment_invoice_equals_its_schedule_line(self):
        contract = self._activate()
        moves = self._run_invoicing_cron()
        # The horizon is 10 days: only the instalment due on 2026-02-28 is invoiced.
        self.assertEqual(len(moves), 1)
        line = contract.schedule_line_ids.filtered(lambda line: line.sequence == 1)
        invoice = line.invoice_id
        self.assertEqual(invoice, moves)
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.lessee.id,
                    "invoice_date": date(2026, 2, 28),
                    "invoice_date_due": date(2026, 2, 28),
                    "amount_total": 306.02,
                    "leasing_move_kind": "installment",
                    "leasing_contract_id": contract.id,
                }
            ],
        )
        self.assertRecordValues(
            invoice.invoice_line_ids.sorted("price_subtotal", reverse=True),
            [
                {"account_id": self.plan.receivable_account_id.id, "price_subtotal": 297.02, "credit": 297.02},
                {"account_id": self.plan.interest_account_id.id, "price_subtotal": 9.0, "credit": 9.0},
            ],
        )
        self.assertEqual(line.state, "invoiced")
        self.assertEqual(contract.schedule_line_ids.filtered(lambda line: line.sequence == 2).state, "planned")

    @freeze_time("2026-02-20")
    def test_taxes_follow_the_plan_principal_and_interest_apart(self):
        tax = self.env["account.tax"].create(
            {"name": "VAT on interest 10 %", "amount": 10.0, "type_tax_use": "sale", "company_id": self.company.id}
        )
        self.plan.interest_tax_ids = tax
        contract = self._activate()
        invoice = self._run_invoicing_cron()
        # 297.02 + 9.00 + 10 % of the interest only (0.90)
        self.assertEqual(invoice.amount_untaxed, 306.02)
        self.assertEqual(invoice.amount_tax, 0.9)
        self.assertEqual(invoice.amount_total, 306.92)
        self.assertEqual(contract.schedule_line_ids[0].amount_invoiced, 306.92)

    def test_paying_the_invoice_marks_the_line_paid(self):
        with freeze_time("2026-02-20"):
            contract = self._activate()
            invoice = self._run_invoicing_cron()
        line = contract.schedule_line_ids[0]
        with freeze_time("2026-02-27"):
            self._pay(invoice, 306.02, date(2026, 2, 27))
            self.assertEqual(line.state, "paid")
            self.assertEqual(line.amount_paid, 306.02)
            self.assertEqual(line.amount_residual, 0.0)
            self.assertEqual(line.last_payment_date, date(2026, 2, 27))

    def test_partial_payment_then_overdue(self):
        with freeze_time("2026-02-20"):
            contract = self._activate()
            invoice = self._run_invoicing_cron()
            self._pay(invoice, 100.0, date(2026, 2, 20))
            line = contract.schedule_line_ids[0]
            self.assertEqual(line.state, "partial")
            self.assertEqual(line.amount_paid, 100.0)
        with freeze_time("2026-03-05"):
            self.env["leasing.schedule.line"]._cron_refresh_overdue()
            self.assertEqual(line.state, "overdue")
            contract.invalidate_recordset()
            # 206.02 of the instalment and the 170.00 up-front invoice, both past due
            self.assertEqual(contract.amount_overdue, 376.02)

    def test_lessee_shows_the_ledger_figures_of_their_leases(self):
        contact = self.env["res.partner"].create({"name": "Ana Ruiz", "parent_id": self.lessee.id})
        with freeze_time("2026-03-05"):
            first = self._activate()
            second = self._activate()
            first.action_invoice_due()  # the instalment of 02-28 (306.02), past due
            # 500.00 received on account: 170.00 + 306.02 of the first lease and 23.98 of the
            # second's up-front invoice (oldest first per lease), nothing left over.
            self._pay_on_account(self.lessee, 500.0, date(2026, 3, 5))
            (first | second).action_allocate_payments()
            self.env.invalidate_all()  # the figures are read from the ledger, not cached fields
            for partner in (self.lessee, contact):
                # Due: the second lease's up-front invoice, 170.00 - 23.98 = 146.02, past due.
                self.assertEqual(partner.leasing_amount_due, 146.02)
                self.assertEqual(partner.leasing_amount_overdue, 146.02)
                self.assertEqual(partner.leasing_customer_balance, 0.0)
                # Two deposits of 50.00 held.
                self.assertEqual(partner.leasing_deposit_held, 100.0)
            self._pay_on_account(self.lessee, 200.0, date(2026, 3, 5))
            (first | second).action_allocate_payments()
            self.env.invalidate_all()
            # 146.02 settled, 53.98 left as the lessee's balance (counted once, not per lease).
            self.assertEqual(self.lessee.leasing_amount_due, 0.0)
            self.assertEqual(self.lessee.leasing_customer_balance, 53.98)

    def test_overpayment_is_a_balance_that_settles_the_next_invoice(self):
        with freeze_time("2026-02-20"):
            contract = self._activate()
            first = self._run_invoicing_cron()
            self._pay(contract.upfront_invoice_id, 170.0, date(2026, 2, 20))
        with freeze_time("2026-02-27"):
            # 400.00 received for an instalment of 306.02: 93.98 stays as the customer's balance.
            self._pay_on_account(self.lessee, 400.0, date(2026, 2, 27))
            contract.action_allocate_payments()
            self.assertEqual(first.payment_state, "paid")
            contract.invalidate_recordset()
            self.assertEqual(contract.customer_balance, 93.98)
        with freeze_time("2026-03-25"):
            second = self._run_invoicing_cron()
            # Posted, the next instalment takes the balance at once.
            self.assertEqual(second.amount_residual, 212.04)
            self.assertEqual(contract.schedule_line_ids[1].state, "partial")
            contract.invalidate_recordset()
            self.assertEqual(contract.customer_balance, 0.0)
            self.assertEqual(contract.amount_due, 212.04)

    def test_allocation_pays_the_oldest_due_first(self):
        with freeze_time("2026-03-25"):
            contract = self._activate()
            self._run_invoicing_cron()  # instalments of 2026-02-28 and 2026-03-31
            self._pay_on_account(self.lessee, 400.0, date(2026, 3, 25))
            contract.action_allocate_payments()
            upfront, first, second = (
                contract.upfront_invoice_id,
                contract.schedule_line_ids[0].invoice_id,
                contract.schedule_line_ids[1].invoice_id,
            )
            # 400.00 = 170.00 (due 01-31) + 230.00 of 306.02 (due 02-28); nothing left for 03-31.
            self.assertEqual(upfront.payment_state, "paid")
            self.assertEqual(first.amount_residual, 76.02)
            self.assertEqual(second.amount_residual, 306.02)

    def test_running_the_cron_twice_invoices_nothing_more(self):
        with freeze_time("2026-04-25"):
            contract = self._activate()
            first_run = self._run_invoicing_cron()
            self.assertEqual(len(first_run), 3)
            invoices_before = self.env["account.move"].search_count([("leasing_contract_id", "=", contract.id)])
            self.assertFalse(self._run_invoicing_cron())
            self.assertFalse(contract.action_invoice_due()["params"]["type"] != "info")
            self.assertEqual(
                self.env["account.move"].search_count([("leasing_contract_id", "=", contract.id)]), invoices_before
            )
            self.assertEqual(contract.schedule_line_ids.mapped("state"), ["overdue", "overdue", "invoiced"])

    def test_a_line_cannot_get_a_second_live_invoice(self):
        with freeze_time("2026-02-20"):
            contract = self._activate()
            self._run_invoicing_cron()
        line = contract.schedule_line_ids[0]
        duplicate_vals = line._prepare_invoice_vals()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["account.move"].sudo().create(duplicate_vals)
            self.env.flush_all()
        # Locked and re-checked, the line is no longer to invoice.
        self.assertFalse(line._lock_for_invoicing())

    def test_manual_invoicing_of_chosen_contracts(self):
        with freeze_time("2026-03-25"):
            contract = self._activate()
            other = self._activate()
            contract.action_invoice_due()
            # invoiced now, the instalment of 02-28 is already past due
            self.assertEqual(contract.schedule_line_ids.mapped("state"), ["overdue", "invoiced", "planned"])
            self.assertEqual(set(other.schedule_line_ids.mapped("state")), {"planned"})

    def test_allocation_refused_on_a_cancelled_contract(self):
        contract = self.env["leasing.contract"].create(
            {
                "partner_id": self.lessee.id,
                "plan_id": self.plan.id,
                "company_id": self.company.id,
                "line_ids": [Command.create({"product_id": self.excavator.id})],
            }
        )
        contract.action_cancel()
        with self.assertRaises(UserError):
            contract.action_allocate_payments()
        self.assertEqual(contract.state, "cancelled")

    def test_activation_refused_without_accounting_settings(self):
        self.plan.interest_account_id = False
        contract = self.env["leasing.contract"].create(self._lease_vals())
        with self.assertRaisesRegex(UserError, "Interest Income Account"):
            contract._check_accounting_setup("commencement", "leaseback_bill", "upfront", "installment")
        self.assertFalse(contract.move_ids)
