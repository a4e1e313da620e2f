from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import COLLECTION_MANAGER, COLLECTOR, CollectionsCommon


@tagged("post_install", "-at_install")
class TestCollectionWriteOff(CollectionsCommon):
    """Write-off requests (bad debt) on the hand-worked lease of ``test_penalty_billing.py``,
    billed on the 10th: instalment 1 (3,400.22, due Feb 28) paid 1,000.00 on March 2 and
    1,400.22 on March 16 (1,000.00 left); instalment 2 (3,400.22, due March 31) unpaid;
    instalment 3 (3,400.23, due April 30) not yet invoiced. The close of April 10 bills 48.50 of
    penalty (31.50 + 17.00).

    Written off on April 15, the penalty accrued and not yet invoiced is billed first, to April 14
    (the write-off settles the instalments on the 15th, as a payment that day would, so that day
    owes none): instalment 1, 63,003.30 + 4 x 1,000.00 = 67,003.30 euro-days x 0.0005 = 33.50,
    less 31.50: 2.00; instalment 2, 14 days x 3,400.22 = 47,603.08 x 0.0005 = 23.80, less 17.00:
    6.80; 8.80. Then the receivable written off is 1,000.00 + 3,400.22 + 48.50 + 8.80 = 4,457.52.
    """

    USER_PREFIX = "write_off"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.penalty_billing_day = 10
        cls.bad_debt_account = cls.company.leasing_bad_debt_account_id
        cls.recovery_account = cls.company.leasing_recovery_account_id
        cls.collector = new_test_user(cls.env, "write_off_collector", groups=COLLECTOR, company_id=cls.company.id)
        cls.collection_manager = new_test_user(
            cls.env, "write_off_manager", groups=COLLECTION_MANAGER, company_id=cls.company.id
        )

    def _behind_lease(self):
        contract = self._lease()
        self._invoice("2026-03-25")
        first, second = self._installment_invoices(contract)
        self._pay(first, amount=1000.0, payment_date="2026-03-02")
        self._pay(first, amount=1400.22, payment_date="2026-03-16")
        return contract, first, second

    def _request(self, contract, write_off_date):
        return (
            self.env["leasing.collection.request"]
            .with_user(self.collector)
            .create(
                {
                    "request_type": "write_off",
                    "contract_id": contract.id,
                    "date": write_off_date,
                    "reason": "The lessee is insolvent; the unit was not found.",
                }
            )
        )

    def _approve(self, request):
        """Submitted by the collector, approved (and so carried out) by a Leasing Manager, as every
        write-off is."""
        request.with_user(self.collector).action_submit()
        return request.with_user(self.approver).action_approve()

    def _penalty_invoices(self, contract):
        return self.env["account.move"].search(
            [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", "penalty")], order="id"
        )

    def _written_off(self):
        contract, first, second = self._behind_lease()
        self._close("2026-04-10")
        # Opened as the close (or a manager's button) opens it.
        case = self.env["leasing.collection.case"].sudo().create({"contract_id": contract.id})
        request = self._request(contract, date(2026, 4, 15))
        with freeze_time("2026-04-15"):
            self._approve(request)
        return contract, first, second, case, request

    # ------------------------------------------------------------------
    def test_write_off_entry_exact(self):
        contract, first, second, case, request = self._written_off()
        penalties = self._penalty_invoices(contract)
        self.assertEqual(penalties.mapped("amount_total"), [48.50, 8.80])
        self.assertEqual(penalties[1].invoice_date, date(2026, 4, 15))
        self.assertEqual(penalties[1].leasing_penalty_date, date(2026, 4, 14))
        move = request.write_off_move_id
        self.assertEqual(move, contract.write_off_move_id)
        self.assertRecordValues(
            move,
            [
                {
                    "state": "posted",
                    "move_type": "entry",
                    "date": date(2026, 4, 15),
                    "journal_id": self.plan.general_journal_id.id,
                    "leasing_move_kind": "write_off",
                    "leasing_contract_id": contract.id,
                }
            ],
        )
        receivable = first.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable").account_id
        self.assertEqual(
            sorted((line.account_id.id, line.debit, line.credit) for line in move.line_ids),
            sorted(
                [
                    (self.bad_debt_account.id, 4457.52, 0.0),
                    (receivable.id, 0.0, 1000.00),
                    (receivable.id, 0.0, 3400.22),
                    (receivable.id, 0.0, 48.50),
                    (receivable.id, 0.0, 8.80),
                ]
            ),
        )
        # The invoices are settled by the write-off.
        invoices = first | second | penalties
        invoices.invalidate_recordset(["amount_residual", "payment_state"])
        self.assertEqual(invoices.mapped("payment_state"), ["paid"] * 4)
        self.assertEqual(invoices.mapped("amount_residual"), [0.0] * 4)
        # The lease and the request.
        self.assertRecordValues(
            contract,
            [
                {
                    "state": "written_off",
                    "written_off_date": date(2026, 4, 15),
                    "amount_written_off": 4457.52,
                    "amount_recovered": 0.0,
                    "amount_due": 0.0,
                }
            ],
        )
        self.assertRecordValues(request, [{"state": "done", "amount": 4457.52}])
        lines = contract.schedule_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("cancelled"), [False, False, True])
        self.assertEqual(lines[2].state, "cancelled")
        # The case is over, in the Written Off stage.
        self.assertEqual(case.stage_id.stage_key, "written_off")
        self.assertTrue(case.is_closed)
        self.assertEqual(case.closed_date, date(2026, 4, 15))
        # Nothing is invoiced on it anymore; the close finds it current and bills no more penalty.
        self.assertFalse(self._invoice("2026-04-25"))
        self._close("2026-04-16")
        self.assertEqual(len(self._penalty_invoices(contract)), 2)
        contract.invalidate_recordset()
        self.assertEqual((contract.days_past_due, contract.penalty_due), (0, 0.0))
        # The write-off is no collection: only the two payments of instalment 1 are collected.
        collected = self.env["leasing.collection.report"].search([("contract_id", "=", contract.id)])
        self.assertEqual(sorted(collected.mapped("amount")), [1000.0, 1400.22])

    def test_later_payments_are_recovery_income(self):
        """500.00 received on May 5 is recovered in full; of 5,000.00 on May 20, 3,957.52 (what is
        left of the 4,457.52 written off) is recovered, and 1,042.48 stays the lessee's balance."""
        contract, *_rest = self._written_off()
        payment = self._pay_on_account(self.lessee, 500.0, "2026-05-05")
        with freeze_time("2026-05-05"):
            contract.action_allocate_payments()
        recovery = self.env["account.move"].search(
            [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", "recovery")]
        )
        self.assertRecordValues(
            recovery, [{"state": "posted", "date": date(2026, 5, 5), "journal_id": self.plan.general_journal_id.id}]
        )
        receivable = payment.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertEqual(
            sorted((line.account_id.id, line.debit, line.credit) for line in recovery.line_ids),
            sorted([(receivable.account_id.id, 500.0, 0.0), (self.recovery_account.id, 0.0, 500.0)]),
        )
        self.assertTrue(receivable.reconciled)
        self.assertEqual(
            recovery.line_ids.filtered(
                lambda line: line.account_id == receivable.account_id
            ).matched_credit_ids.credit_move_id,
            receivable,
        )
        contract.invalidate_recordset()
        self.assertEqual((contract.amount_recovered, contract.customer_balance), (500.0, 0.0))

        self._pay_on_account(self.lessee, 5000.0, "2026-05-20")
        with freeze_time("2026-05-20"):
            self.env["leasing.contract"].action_allocate_all_payments()
        recoveries = self.env["account.move"].search(
            [("leasing_contract_id", "=", contract.id), ("leasing_move_kind", "=", "recovery")], order="id"
        )
        self.assertEqual(
            recoveries[1].line_ids.filtered(lambda line: line.account_id == self.recovery_account).credit, 3957.52
        )
        contract.invalidate_recordset()
        self.assertEqual((contract.amount_recovered, contract.customer_balance), (4457.52, 1042.48))
        # Nothing more to recover: the balance stays the lessee's.
        with freeze_time("2026-05-21"):
            result = contract.action_allocate_payments()
        self.assertEqual(result["params"]["type"], "info")
        self.assertEqual(contract.amount_recovered, 4457.52)

    def test_write_off_refusals(self):
        # Nothing unpaid: both invoices paid in full.
        contract = self._lease()
        self._invoice("2026-03-25")
        self._pay(self._installment_invoices(contract), payment_date="2026-03-25")
        request = self._request(contract, date(2026, 3, 26))
        with freeze_time("2026-03-26"), self.assertRaisesRegex(UserError, "owes nothing"):
            self._approve(request)
        self.assertEqual(contract.state, "active")
        self.assertFalse(request.write_off_move_id)
        # A date to come.
        behind, *_rest = self._behind_lease()
        ahead = self._request(behind, date(2026, 4, 20))
        with freeze_time("2026-04-15"), self.assertRaisesRegex(UserError, "lies ahead"):
            self._approve(ahead)
        # Before the last unpaid invoice.
        early = self._request(behind, date(2026, 3, 1))
        with (
            freeze_time("2026-04-15"),
            self.assertRaisesRegex(UserError, "before 03/31/2026, the date of the last unpaid invoice"),
        ):
            self._approve(early)
        # Not active: written off already.
        with freeze_time("2026-04-15"):
            self._approve(self._request(behind, date(2026, 4, 15)))
            again = self._request(behind, date(2026, 4, 15))
            with self.assertRaisesRegex(UserError, "is Written Off: only an active lease can be written off"):
                self._approve(again)

    def test_recoveries_take_invoicing_rights(self):
        contract, *_rest = self._written_off()
        with self.assertRaises(AccessError):
            contract.with_user(self.collection_manager).action_allocate_payments()

    def test_accounts_for_existing_and_new_companies(self):
        """Created for each company with a chart: bad debts expense (6470...) and recovery income
        (4480...), once; a new company loading its chart gets them too."""
        self.assertEqual(self.bad_debt_account.account_type, "expense")
        self.assertTrue(self.bad_debt_account.code.startswith("647"))
        self.assertEqual(self.recovery_account.account_type, "income_other")
        self.assertTrue(self.recovery_account.code.startswith("448"))
        self.company.leasing_bad_debt_account_id = False
        self.env["res.company"].sudo()._leasing_setup_penalty_accounts()
        created = self.company.leasing_bad_debt_account_id
        self.assertTrue(created and created != self.bad_debt_account)
        self.assertEqual(self.company.leasing_recovery_account_id, self.recovery_account)
        self.env["res.company"].sudo()._leasing_setup_penalty_accounts()
        self.assertEqual(self.company.leasing_bad_debt_account_id, created)
        other = self.setup_other_company(name="Write-off Co")["company"]
        self.assertTrue(other.leasing_bad_debt_account_id)
        self.assertEqual(other.leasing_recovery_account_id.company_ids, other)
