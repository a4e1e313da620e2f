from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon, give_cases


@tagged("post_install", "-at_install")
class TestPenaltyBilling(CollectionsCommon):
    """Penalty invoices on the hand-worked lease of ``test_close.py`` (0.05 % a day, 3 grace
    days, cap 2 %), billed on the 10th of each month.

    The lease: instalment 1 (3,400.22, due Feb 28) is paid 1,000.00 on March 2 and 1,400.22 on
    March 16 (1,000.00 left); instalment 2 (3,400.22, due March 31) unpaid; instalment 3
    (3,400.23, due April 30) invoiced on April 25 and unpaid. Penalty to date D:

    * instalment 1: 63,003.30 euro-days to April 10, then 1,000.00 a day, x 0.0005:
      April 10: 31.50; April 16: 69,003.30 -> 34.50; April 20: 73,003.30 -> 36.50;
      May 10: 93,003.30 -> 46.50;
    * instalment 2: 3,400.22 a day from April 1, x 0.0005, capped at 68.0044 (2 %):
      April 10: 10 days -> 17.00; April 20: 20 days -> 34.00; May 10: 40 days -> 136,008.80
      x 0.0005 = 68.0044 -> 68.00 (the cap);
    * instalment 3: 3,400.23 a day from May 1: May 10, 10 days -> 17.00115 -> 17.00.
    """

    USER_PREFIX = "penalty_billing"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.penalty_billing_day = 10
        cls.penalty_account = cls.company.leasing_penalty_account_id
        cls.collector = new_test_user(cls.env, "penalty_billing_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.collection_manager = new_test_user(
            cls.env, "penalty_billing_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id
        )

    def _behind_lease(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        first, second = self._installment_invoices(contract)
        self._pay(first, amount=1000.0, payment_date="2026-03-02")
        self._pay(first, amount=1400.22, payment_date="2026-03-16")
        return contract, first, second

    def _penalty_invoices(self, contract, kind="penalty"):
        return self.env["account.move"].search(
            [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", kind)], order="id"
        )

    def _lines(self, contract):
        lines = contract.schedule_line_ids.sorted("sequence")
        lines.invalidate_recordset()
        return lines

    def _manual_close(self, at):
        """The close run again by hand for the day ``at`` (Run the Close)."""
        with freeze_time(at):
            self.env["leasing.close.run"].sudo()._create_manual(self.company, date.fromisoformat(at))._run_all(100)

    def _invoice_lines(self, invoice):
        return [
            (line.leasing_penalty_line_id.sequence, line.price_unit, line.account_id)
            for line in invoice.invoice_line_ids.sorted("sequence")
        ]

    # ------------------------------------------------------------------
    def test_billing_day_one_invoice_per_lease_never_twice(self):
        """On the plan's billing day the close invoices the penalty accrued and not yet
        invoiced, one line per instalment; run again that day, or on other days, it bills
        nothing more; the next billing day bills only the days since."""
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        invoice = self._penalty_invoices(contract)
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "move_type": "out_invoice",
                    "partner_id": self.lessee.id,
                    "journal_id": self.plan.journal_id.id,
                    "currency_id": contract.currency_id.id,
                    "invoice_date": date(2026, 4, 10),
                    "leasing_penalty_date": date(2026, 4, 10),
                    "amount_total": 48.50,
                }
            ],
        )
        self.assertEqual(
            self._invoice_lines(invoice), [(1, 31.50, self.penalty_account), (2, 17.00, self.penalty_account)]
        )
        labels = invoice.invoice_line_ids.sorted("sequence").mapped("name")
        self.assertIn("instalment 1", labels[0])
        self.assertIn("41 days", labels[0])  # March 1 to April 10
        self.assertIn("10 days", labels[1])  # April 1 to April 10
        self.assertRecordValues(
            self._lines(contract),
            [
                {"penalty_accrued": 31.50, "penalty_invoiced": 31.50, "penalty_due": 0.0},
                {"penalty_accrued": 17.00, "penalty_invoiced": 17.00, "penalty_due": 0.0},
                {"penalty_accrued": 0.0, "penalty_invoiced": 0.0, "penalty_due": 0.0},
            ],
        )
        self.assertEqual(contract.penalty_due, 0.0)

        # The close again, the same day: nothing more.
        self._manual_close("2026-04-10")
        self.assertEqual(len(self._penalty_invoices(contract)), 1)
        # Another day, nothing paid: accrued, not billed.
        self._close("2026-04-20")
        self.assertEqual(len(self._penalty_invoices(contract)), 1)
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [5.00, 17.00, 0.0])

        # The next billing day: the days since April 10 only.
        self._invoice("2026-04-25")
        self._close("2026-05-10")
        invoices = self._penalty_invoices(contract)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(
            self._invoice_lines(invoices[1]),
            [(1, 15.00, self.penalty_account), (2, 51.00, self.penalty_account), (3, 17.00, self.penalty_account)],
        )
        self.assertIn("30 days", invoices[1].invoice_line_ids.sorted("sequence")[0].name)
        self.assertEqual(invoices[1].amount_total, 83.00)
        self.assertRecordValues(
            self._lines(contract),
            [
                {"penalty_accrued": 46.50, "penalty_invoiced": 46.50, "penalty_due": 0.0},
                {"penalty_accrued": 68.00, "penalty_invoiced": 68.00, "penalty_due": 0.0},
                {"penalty_accrued": 17.00, "penalty_invoiced": 17.00, "penalty_due": 0.0},
            ],
        )
        run = self._run("2026-05-10")
        self.assertEqual((run.state, run.error_count), ("done", 0))

    def test_paid_up_instalment_is_billed_at_the_next_close(self):
        """Instalment 2 paid in full on April 15: the close of April 16 (no billing day) bills
        the lease's penalty not yet invoiced; the close after bills nothing."""
        contract, _first, second = self._behind_lease()
        self._close("2026-04-10")
        self._pay(second, payment_date="2026-04-15")
        self._close("2026-04-16")
        invoices = self._penalty_invoices(contract)
        self.assertEqual(len(invoices), 2)
        # Instalment 2: April 1-14, 14 x 3,400.22 = 47,603.08 x 0.0005 = 23.80, less 17.00;
        # instalment 1 to April 16: 34.50 less 31.50.
        self.assertEqual(
            self._invoice_lines(invoices[1]), [(1, 3.00, self.penalty_account), (2, 6.80, self.penalty_account)]
        )
        self._close("2026-04-17")
        self.assertEqual(len(self._penalty_invoices(contract)), 2)
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [0.50, 0.0, 0.0])

    def test_invoice_penalty_on_demand(self):
        """The contract's button bills the penalty due as of the last close; with nothing due it
        says so. Leasing Users and Collection Managers may; a collector may not."""
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        self._close("2026-04-20")
        with self.assertRaises(AccessError):
            contract.with_user(self.collector).action_invoice_penalty()
        with freeze_time("2026-04-21"):
            action = contract.with_user(self.seller).action_invoice_penalty()
        invoice = self._penalty_invoices(contract)[1]
        self.assertEqual(action["res_id"], invoice.id)
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "invoice_date": date(2026, 4, 21),
                    "leasing_penalty_date": date(2026, 4, 20),
                    "amount_total": 22.00,
                }
            ],
        )
        self.assertEqual(
            self._invoice_lines(invoice), [(1, 5.00, self.penalty_account), (2, 17.00, self.penalty_account)]
        )
        self.assertIn("10 days", invoice.invoice_line_ids.sorted("sequence")[0].name)
        with freeze_time("2026-04-21"), self.assertRaisesRegex(UserError, "Nothing to invoice"):
            contract.with_user(self.collection_manager).action_invoice_penalty()

    def test_cancelled_or_reversed_penalty_is_due_again(self):
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        invoice = self._penalty_invoices(contract)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [31.50, 17.00, 0.0])
        self.assertEqual(contract.penalty_due, 48.50)
        # Billed again (the cancelled invoice does not count), then reversed in full.
        with freeze_time("2026-04-11"):
            contract.action_invoice_penalty()
        again = self._penalty_invoices(contract) - invoice
        self.assertEqual(again.amount_total, 48.50)
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [0.0, 0.0, 0.0])
        with freeze_time("2026-04-12"):
            reversal = (
                self.env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=again.ids)
                .create({"journal_id": again.journal_id.id, "reason": "billed in error"})
            )
            reversal.modify_moves()
        credit_note = again.reversal_move_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(
            credit_note.invoice_line_ids.sorted("sequence").leasing_penalty_line_id, self._lines(contract)[:2]
        )
        self.assertEqual(self._lines(contract).mapped("penalty_invoiced"), [0.0, 0.0, 0.0])
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [31.50, 17.00, 0.0])
        # Due again: the next billing bills it once more.
        self._close("2026-05-10")
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [0.0, 0.0, 0.0])

    def test_taxes_of_the_plan(self):
        tax = self.env["account.tax"].create(
            {"name": "VAT 10 % penalty", "amount": 10.0, "type_tax_use": "sale", "company_id": self.company.id}
        )
        self.plan.penalty_tax_ids = tax
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        invoice = self._penalty_invoices(contract)
        # 31.50 + 17.00 = 48.50, VAT 3.15 + 1.70 = 4.85 on top.
        self.assertRecordValues(invoice, [{"amount_untaxed": 48.50, "amount_tax": 4.85, "amount_total": 53.35}])
        self.assertEqual(invoice.invoice_line_ids.tax_ids, tax)
        # The penalty invoiced is the penalty, not its tax.
        self.assertEqual(self._lines(contract).mapped("penalty_invoiced"), [31.50, 17.00, 0.0])

    def test_plan_without_penalty_account_is_logged_and_skipped(self):
        self.plan.penalty_account_id = False
        contract, _first, _second = self._behind_lease()
        run = self._close("2026-04-10")
        self.assertFalse(self._penalty_invoices(contract))
        self.assertEqual(run.error_count, 1)
        self.assertIn("Penalty Interest Income Account", run.error_ids.message)
        # Its figures are written all the same.
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [31.50, 17.00, 0.0])

    # ------------------------------------------------------------------
    # Waivers
    # ------------------------------------------------------------------
    def test_waive_before_and_after_invoicing(self):
        """As of April 20 instalment 1 has 36.50 accrued, 31.50 of it invoiced on April 10 and
        5.00 due. Waiving 3.00 leaves 2.00 due, nothing credited; waiving 10.00 more takes the
        2.00 not invoiced and credits 8.00 back on the penalty invoice; 23.50 is all that is
        left to waive. The next billing bills only the days since."""
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        self._close("2026-04-20")
        invoice = self._penalty_invoices(contract)
        line = self._lines(contract)[0]
        with self.assertRaises(AccessError):
            line.with_user(self.collector)._leasing_waive_penalty(3.0, "Goodwill")
        with freeze_time("2026-04-21"):
            waiver = line.with_user(self.collection_manager)._leasing_waive_penalty(3.0, "Goodwill")
        self.assertRecordValues(
            waiver,
            [{"amount": 3.0, "amount_credited": 0.0, "credit_note_id": False, "user_id": self.collection_manager.id}],
        )
        self.assertRecordValues(line, [{"penalty_invoiced": 31.50, "penalty_waived": 3.0, "penalty_due": 2.0}])

        with freeze_time("2026-04-21"):
            waivers = line.with_user(self.collection_manager)._leasing_waive_penalty(10.0, "Hardship")
        credit_note = waivers.credit_note_id
        self.assertEqual(waivers.mapped("amount"), [2.0, 8.0])
        self.assertRecordValues(
            credit_note,
            [{"move_type": "out_refund", "state": "posted", "amount_total": 8.0, "reversed_entry_id": invoice.id}],
        )
        self.assertEqual(credit_note.invoice_line_ids.leasing_penalty_line_id, line)
        self.assertEqual(invoice.amount_residual, 40.50)  # 48.50 less the 8.00 credited
        line.invalidate_recordset()
        self.assertRecordValues(line, [{"penalty_invoiced": 23.50, "penalty_waived": 13.0, "penalty_due": 0.0}])
        with self.assertRaisesRegex(UserError, "cannot be waived"):
            line.with_user(self.collection_manager)._leasing_waive_penalty(23.51, "Too much")
        with self.assertRaisesRegex(UserError, "why"):
            line.with_user(self.collection_manager)._leasing_waive_penalty(1.0, " ")
        with self.assertRaisesRegex(UserError, "more than zero"):
            line.with_user(self.collection_manager)._leasing_waive_penalty(0.0, "Nothing")
        # The collectors read the waivers of the leases behind their cases.
        self.assertFalse(
            self.env["leasing.penalty.waiver"].with_user(self.collector).search([("contract_id", "=", contract.id)])
        )
        give_cases(contract, self.collector)
        self.assertEqual(
            self.env["leasing.penalty.waiver"].with_user(self.collector).search([("contract_id", "=", contract.id)]),
            waiver | waivers,
        )
        # Another company's collectors do not see them.
        other_company = self.env["res.company"].create({"name": "Other Lessor"})
        outsider = new_test_user(
            self.env,
            "penalty_billing_outsider",
            groups=COLLECTOR,
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.assertFalse(
            self.env["leasing.penalty.waiver"].with_user(outsider).search([("contract_id", "=", contract.id)])
        )
        with self.assertRaises(AccessError):
            self.env["leasing.penalty.waiver"].with_user(self.collection_manager).create(
                {"schedule_line_id": line.id, "amount": 5.0, "reason": "by hand"}
            )

        # May 10: instalment 1 accrued 46.50; 23.50 invoiced, 13.00 waived: 10.00 is billed
        # (April 21 to May 10, 20 x 1,000.00 x 0.0005).
        self._invoice("2026-04-25")
        self._close("2026-05-10")
        last = self._penalty_invoices(contract)[-1]
        self.assertEqual(self._invoice_lines(last)[0], (1, 10.0, self.penalty_account))

    def test_cancelled_waiver_credit_note_makes_the_penalty_invoiced_again(self):
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        line = self._lines(contract)[1]
        waiver = line._leasing_waive_penalty(7.0, "Goodwill")
        self.assertRecordValues(line, [{"penalty_invoiced": 10.0, "penalty_waived": 7.0, "penalty_due": 0.0}])
        waiver.credit_note_id.button_draft()
        waiver.credit_note_id.button_cancel()
        line.invalidate_recordset()
        self.assertRecordValues(line, [{"penalty_invoiced": 17.0, "penalty_waived": 0.0, "penalty_due": 0.0}])

    def test_waive_on_the_contract_oldest_first(self):
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        self._close("2026-04-20")
        # Due: 5.00 and 17.00 not invoiced; 31.50 and 17.00 invoiced: 70.50 in all.
        with self.assertRaisesRegex(UserError, "cannot be waived"):
            contract._leasing_waive_penalty(70.51, "Too much")
        waivers = contract._leasing_waive_penalty(40.0, "Settlement")
        # Instalment 1: its 5.00, then 31.50 credited; instalment 2: 3.50 of its 17.00 due.
        self.assertEqual(
            [(w.schedule_line_id.sequence, w.amount, w.amount_credited) for w in waivers],
            [(1, 5.0, 0.0), (1, 31.5, 31.5), (2, 3.5, 0.0)],
        )
        self.assertEqual(self._lines(contract).mapped("penalty_due"), [0.0, 13.50, 0.0])

    # ------------------------------------------------------------------
    # Early payoff
    # ------------------------------------------------------------------
    def test_payoff_bills_the_penalty_to_its_date(self):
        """Paid off on April 20: the quote adds the penalty accrued to April 20 and not
        invoiced (5.00 + 17.00), billed on the payoff invoice, one line per instalment; the
        close of that day bills nothing more."""
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        with freeze_time("2026-04-20"):
            wizard = self.env["leasing.payoff.wizard"].create(
                {"contract_id": contract.id, "payoff_date": date(2026, 4, 20)}
            )
            self.assertEqual(wizard.penalty_interest, 22.00)
            self.assertEqual(
                wizard.amount_total,
                round(
                    wizard.outstanding_principal
                    + wizard.accrued_interest
                    + wizard.early_termination_fee
                    + 22.00
                    + wizard.amount_tax
                    + wizard.unpaid_invoices
                    + wizard.deposit_applied,
                    2,
                ),
            )
            payoff = wizard._do_payoff()
        penalty_lines = payoff.invoice_line_ids.filtered("leasing_penalty_line_id").sorted("sequence")
        self.assertEqual(
            [(line.leasing_penalty_line_id.sequence, line.price_unit, line.account_id) for line in penalty_lines],
            [(1, 5.00, self.penalty_account), (2, 17.00, self.penalty_account)],
        )
        self.assertEqual(payoff.leasing_penalty_date, date(2026, 4, 20))
        self.assertEqual(self._lines(contract).mapped("penalty_invoiced")[:2], [36.50, 34.00])
        self._close("2026-04-20")
        self.assertEqual(len(self._penalty_invoices(contract)), 1)
        self.assertEqual(self._lines(contract).mapped("penalty_due")[:2], [0.0, 0.0])

    # ------------------------------------------------------------------
    # Payment order
    # ------------------------------------------------------------------
    def _pay_on_account_and_allocate(self, order):
        self.company.leasing_payment_order = order
        contract, first, second = self._behind_lease()
        self._close("2026-04-10")
        penalty = self._penalty_invoices(contract)
        self._pay_on_account(self.lessee, 500.0, "2026-04-12")
        with freeze_time("2026-04-12"):
            contract.action_allocate_payments()
        (first | second | penalty).invalidate_recordset(["amount_residual"])
        return first, second, penalty

    def test_payment_order_penalties_before_rents(self):
        first, second, penalty = self._pay_on_account_and_allocate("penalty_first")
        # 48.50 to the penalty invoice, the 451.50 left to the oldest rent (1,000.00 left of it).
        self.assertEqual(
            (penalty.amount_residual, first.amount_residual, second.amount_residual), (0.0, 548.50, 3400.22)
        )

    def test_payment_order_oldest_due_first(self):
        first, second, penalty = self._pay_on_account_and_allocate("oldest_first")
        self.assertEqual(
            (penalty.amount_residual, first.amount_residual, second.amount_residual), (48.50, 500.0, 3400.22)
        )

    # ------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------
    def test_billing_day_must_be_in_every_month(self):
        for day in (0, 29, -1):
            with self.assertRaisesRegex(ValidationError, "1 to 28"):
                self.plan.penalty_billing_day = day
        self.plan.penalty_billing_day = 28
        self.assertEqual(self.env["leasing.plan"].create({"name": "Defaults"}).penalty_billing_day, 1)

    def test_penalty_account_for_existing_companies_at_install(self):
        """Installed on a company that already has its chart and plans: the account is created
        (income, code 4470...) and set on the company and on its plans that lack one."""
        self.company.leasing_penalty_account_id = False
        self.plan.penalty_account_id = False
        self.env["res.company"].sudo()._leasing_setup_penalty_accounts()
        account = self.company.leasing_penalty_account_id
        self.assertTrue(account)
        self.assertEqual(account.account_type, "income")
        self.assertTrue(account.code.startswith("447"))
        self.assertEqual(self.plan.penalty_account_id, account)
        # Run again, nothing changes.
        self.env["res.company"].sudo()._leasing_setup_penalty_accounts()
        self.assertEqual(self.company.leasing_penalty_account_id, account)

    def test_penalty_invoice_links_are_the_systems(self):
        contract, _first, _second = self._behind_lease()
        self._close("2026-04-10")
        line = self._lines(contract)[0]
        with self.assertRaises(AccessError):
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.lessee.id,
                    "invoice_line_ids": [
                        Command.create({"name": "fake", "price_unit": 100.0, "leasing_penalty_line_id": line.id})
                    ],
                }
            )
