from datetime import date
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged

from .common_ledger import LEASING_MANAGER, LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestMainFlowTour(LeasingLedgerCommon, HttpCase):
    """The main flow of a lease in the browser (static/tests/tours/leasing_main_flow_tour.js).

    A Leasing User (``tour_seller``) creates the lease in Leasing > Leases > Lease Contracts:
    lessee Quillmore Freight Tour, plan "Tour Annuity 12 x 9 %" (annuity, 12 monthly
    instalments in arrears at 9 %, minimum down payment 10 %), start 2026-03-01, one forklift at
    25,000.00. Down payment 10 % = 2,500.00, financed 22,500.00. Rate of a month r = 9 % / 12 =
    0.0075; (1 + r) ** 12 = 1.0075 ** 12 = 1.0938069, so the instalment is

        22,500.00 x 0.0075 x 1.0938069 / (1.0938069 - 1) = 168.75 x 1.0938069 / 0.0938069
                                                         = 1,967.658 -> 1,967.66

    First line: interest 22,500.00 x 0.0075 = 168.75, principal 1,967.66 - 168.75 = 1,798.91,
    due 2026-04-01. The rounding works out to the last line: its principal, the 1,953.01 left,
    plus the interest 1,953.01 x 0.0075 = 14.6476 -> 14.65 is again 1,967.66, due 2027-03-01.
    Interest over the term 12 x 1,967.66 - 22,500.00 = 1,111.92.

    The user completes the credit review (identity verified 15, 6 years in business 15, debt
    service (0 + 1,967.66) / 12,000 = 16 % 30, net worth (30,000 - 5,000) / 22,500 >= 100 %
    20, no guarantor 0: score 80, low risk, approve) and submits the lease. A Leasing Manager
    with invoicing rights (``tour_approver``) approves and activates it: the commencement
    entry posts the 22,500.00 financed, the up-front invoice the 2,500.00 down payment.
    """

    USER_PREFIX = "tour"
    APPROVER_GROUPS = f"{LEASING_MANAGER},account.group_account_invoice"

    INSTALMENT = 1967.66
    # As the form shows it to a user in English (en_US).
    INSTALMENT_SHOWN = "1,967.66"
    TERM = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Tour Annuity 12 x 9 %",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": cls.TERM,
                "annual_rate": 9.0,
                "min_down_payment_pct": 10.0,
            }
        )
        cls.lessee = cls.env["res.partner"].create({"name": "Quillmore Freight Tour", "is_company": True})
        cls.forklift = cls.env["product.product"].create(
            {"name": "Tour Forklift QX-9", "lst_price": 25000.0, "leasing_ok": True}
        )

    def _contracts(self):
        return self.env["leasing.contract"].search([("partner_id", "=", self.lessee.id)])

    def _submit_in_browser(self):
        """The Leasing User's tour; returns the contract it created."""
        self.assertFalse(self._contracts())
        query = urlencode({"lines": self.TERM, "instalment": self.INSTALMENT_SHOWN})
        self.start_tour(f"/odoo?{query}", "leasing_management_main_flow_submit", login=self.seller.login)
        self.env.invalidate_all()
        contract = self._contracts()
        self.assertEqual(len(contract), 1, "the tour creates one lease contract for the lessee")
        return contract

    def test_main_flow_tour(self):
        contract = self._submit_in_browser()

        # What the Leasing User did: the contract, as entered and submitted.
        self.assertRecordValues(
            contract,
            [
                {
                    "state": "review",
                    "company_id": self.company.id,
                    "plan_id": self.plan.id,
                    "start_date": date(2026, 3, 1),
                    "term": 12,
                    "annual_rate": 9.0,
                    "repayment_method": "annuity",
                    "items_total": 25000.0,
                    "down_payment": 2500.0,
                    "financed_amount": 22500.0,
                    "installment_amount": self.INSTALMENT,
                    "total_interest": 1111.92,
                    "user_id": self.seller.id,
                    "submitted_by_id": self.seller.id,
                    "approved_by_id": False,
                    "commencement_move_id": False,
                }
            ],
        )
        self.assertRecordValues(
            contract.line_ids, [{"product_id": self.forklift.id, "quantity": 1.0, "price_unit": 25000.0}]
        )
        schedule = contract.schedule_line_ids.sorted("sequence")
        self.assertEqual(len(schedule), 12)
        self.assertEqual(set(schedule.mapped("amount")), {self.INSTALMENT})
        self.assertRecordValues(
            schedule[0] + schedule[-1],
            [
                {"due_date": date(2026, 4, 1), "interest": 168.75, "principal": 1798.91, "balance": 20701.09},
                {"due_date": date(2027, 3, 1), "interest": 14.65, "principal": 1953.01, "balance": 0.0},
            ],
        )
        self.assertAlmostEqual(sum(schedule.mapped("principal")), 22500.0, places=2)
        review = contract.credit_review_ids
        self.assertRecordValues(
            review,
            [
                {
                    "state": "done",
                    "reviewer_id": self.seller.id,
                    "identity_verified": True,
                    "identity_notes": "Passport and company register extract checked.",
                    "years_in_business": 6,
                    "monthly_income": 12000.0,
                    "total_assets": 30000.0,
                    "total_liabilities": 5000.0,
                    "documents_received": True,
                    "risk_score": 80,
                    "risk_level": "low",
                    "recommendation": "approve",
                }
            ],
        )
        self.assertEqual(contract.credit_review_id, review)

        # The Leasing Manager approves and activates it.
        self.start_tour("/odoo", "leasing_management_main_flow_approve", login=self.approver.login)
        self.env.invalidate_all()
        self.assertRecordValues(
            contract,
            [
                {
                    "state": "active",
                    "submitted_by_id": self.seller.id,
                    "approved_by_id": self.approver.id,
                    "installment_amount": self.INSTALMENT,
                    "invoice_count": 1,
                }
            ],
        )
        self.assertTrue(contract.approved_date)
        self.assertTrue(contract.activated_date)
        self.assertEqual(len(contract.schedule_line_ids), 12)
        commencement = contract.commencement_move_id
        self.assertRecordValues(
            commencement, [{"state": "posted", "date": date(2026, 3, 1), "leasing_move_kind": "commencement"}]
        )
        self.assertRecordValues(
            commencement.line_ids.sorted("debit", reverse=True),
            [
                {"account_id": self.plan.receivable_account_id.id, "debit": 22500.0, "credit": 0.0},
                {"account_id": self.plan.clearing_account_id.id, "debit": 0.0, "credit": 22500.0},
            ],
        )
        self.assertRecordValues(
            contract.upfront_invoice_id,
            [
                {
                    "state": "posted",
                    "move_type": "out_invoice",
                    "partner_id": self.lessee.id,
                    "amount_total": 2500.0,
                    "invoice_date": date(2026, 3, 1),
                    "leasing_move_kind": "upfront",
                }
            ],
        )
