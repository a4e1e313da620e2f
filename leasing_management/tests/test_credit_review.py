from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeasingCommon

# Findings that earn nothing; each test adds what it scores.
NOTHING = {
    "identity_verified": False,
    "years_in_business": 0,
    "monthly_income": 0.0,
    "existing_debt_monthly": 0.0,
    "total_assets": 0.0,
    "total_liabilities": 0.0,
    "documents_received": False,
}


@tagged("post_install", "-at_install")
class TestCreditReview(LeasingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guarantor_1 = cls.env["res.partner"].create({"name": "Guarantor One"})
        cls.guarantor_2 = cls.env["res.partner"].create({"name": "Guarantor Two"})
        cls.guarantor_3 = cls.env["res.partner"].create({"name": "Guarantor Three"})

    def setUp(self):
        super().setUp()
        # 1,000.00 financed, monthly instalment 340.02
        self.contract = self._create_contract()

    def _review(self, guarantors=(), contract=None, **findings):
        contract = contract or self.contract
        contract.guarantor_ids = [(6, 0, [g.id for g in guarantors])]
        return self.env["leasing.credit.review"].create(dict(NOTHING, contract_id=contract.id, **findings))

    def test_low_risk(self):
        review = self._review(
            guarantors=[self.guarantor_1],
            identity_verified=True,  # 15
            years_in_business=4,  # 4 x 3 = 12
            monthly_income=2000.0,  # (200 + 340.02) / 2000 = 27.0 % <= 30 %: 30
            existing_debt_monthly=200.0,
            total_assets=2500.0,  # (2500 - 1000) / 1000 = 150 % >= 100 %: 20
            total_liabilities=1000.0,
            documents_received=True,  # one guarantor with documents: 10
        )
        self.assertRecordValues(
            review,
            [
                {
                    "monthly_installment": 340.02,
                    "debt_service_ratio": 27.0,
                    "risk_score": 87,
                    "risk_level": "low",
                    "recommendation": "approve",
                    "state": "draft",
                }
            ],
        )

    def test_medium_risk(self):
        review = self._review(
            guarantors=[self.guarantor_1, self.guarantor_2],
            years_in_business=3,  # 9
            monthly_income=1200.0,  # (100 + 340.02) / 1200 = 36.7 %: 20
            existing_debt_monthly=100.0,
            total_assets=1000.0,  # 700 / 1000 = 70 %: 12
            total_liabilities=300.0,
            documents_received=False,  # two guarantors, no documents: 20 halved = 10
        )
        self.assertRecordValues(
            review,
            [
                {
                    "debt_service_ratio": 36.7,
                    "risk_score": 51,
                    "risk_level": "medium",
                    "recommendation": "approve_conditions",
                }
            ],
        )

    def test_high_risk(self):
        review = self._review(total_liabilities=500.0)  # no income: 0; net worth -50 %: 0
        self.assertRecordValues(
            review, [{"debt_service_ratio": 0.0, "risk_score": 0, "risk_level": "high", "recommendation": "reject"}]
        )

    def test_caps(self):
        review = self._review(
            guarantors=[self.guarantor_1, self.guarantor_2, self.guarantor_3],
            identity_verified=True,  # 15
            years_in_business=12,  # capped at 5 years: 15
            monthly_income=1000.0,  # 34.0 %: 20
            total_assets=1500.0,  # exactly 100 %: 20
            total_liabilities=500.0,
            documents_received=True,  # three guarantors count as two: 20
        )
        self.assertEqual(review.risk_score, 90)
        review.years_in_business = -2  # no negative points
        self.assertEqual(review.risk_score, 75)

    def test_level_boundaries(self):
        cases = [
            # identity 15 + 5 years 15 + 34 % 20 + cover 100 % 20 = 70
            ({"identity_verified": True, "years_in_business": 5, "monthly_income": 1000.0, "total_assets": 1000.0},
             [], 70, "low", "approve"),
            # 15 + 12 + 20 + cover 60 % 12 + one guarantor with documents 10 = 69
            ({"identity_verified": True, "years_in_business": 4, "monthly_income": 1000.0, "total_assets": 600.0,
              "documents_received": True}, [self.guarantor_1], 69, "medium", "approve_conditions"),
            # 15 + 0 + 30 % or less 30 + cover 0 % 5 = 50
            ({"identity_verified": True, "monthly_income": 2000.0}, [], 50, "medium", "approve_conditions"),
            # 3 years 9 + 20 + 20 = 49
            ({"years_in_business": 3, "monthly_income": 1000.0, "total_assets": 1000.0}, [], 49, "high", "reject"),
            # 15 + (109.98 + 340.02) / 1000 = 45 %: 10 + 5 + one guarantor without documents 5 = 35
            ({"identity_verified": True, "monthly_income": 1000.0, "existing_debt_monthly": 109.98},
             [self.guarantor_1], 35, "high", "reject"),
        ]  # fmt: skip
        for findings, guarantors, score, level, recommendation in cases:
            with self.subTest(score=score):
                review = self._review(guarantors=guarantors, **findings)
                self.assertRecordValues(
                    review, [{"risk_score": score, "risk_level": level, "recommendation": recommendation}]
                )

    def test_quarterly_instalment_counted_per_month(self):
        contract = self._create_contract(plan_id=self.plan_equal_principal.id)
        review = self._review(
            contract=contract,
            monthly_income=1000.0,  # (200 + 270 / 3) / 1000 = 29 %: 30
            existing_debt_monthly=200.0,
        )
        self.assertEqual(contract.installment_amount, 270.0)
        self.assertEqual(review.monthly_installment, 90.0)
        self.assertEqual(review.debt_service_ratio, 29.0)
        # 30 + net worth 0 %: 5
        self.assertEqual(review.risk_score, 35)

    def test_score_follows_the_contract(self):
        review = self._review(monthly_income=1000.0)  # 340.02 / 1000 = 34 %: 20; cover 0: 5
        self.assertEqual(review.risk_score, 25)
        # Six instalments of 172.55 (1000 * 0.01 / (1 - 1.01 ** -6) = 172.548...): 17.3 %: 30
        self.contract.term = 6
        self.assertEqual(review.monthly_installment, 172.55)
        self.assertEqual(review.risk_score, 35)
        # A guarantor without documents: 5
        self.contract.guarantor_ids = self.guarantor_1
        self.assertEqual(review.risk_score, 40)
        self.assertEqual(review.guarantor_count, 1)

    def test_recommendation_suggested_then_editable(self):
        review = self._review(monthly_income=1000.0, identity_verified=True, years_in_business=5, total_assets=1000.0)
        self.assertEqual((review.risk_score, review.recommendation), (70, "approve"))
        review.recommendation = "reject"
        self.env.invalidate_all()
        self.assertEqual(review.recommendation, "reject")
        # New findings while in progress suggest again.
        review.identity_verified = False
        self.assertEqual((review.risk_score, review.recommendation), (55, "approve_conditions"))
        review.years_in_business = 0
        self.assertEqual((review.risk_score, review.recommendation), (40, "reject"))

    def test_recommendation_kept_once_done(self):
        review = self._review(monthly_income=1000.0, identity_verified=True, years_in_business=5, total_assets=1000.0)
        review.action_done()
        self.assertEqual(review.state, "done")
        score = review.risk_score
        # Completed, its findings change only once reopened...
        with self.assertRaisesRegex(UserError, "reopen it"):
            review.with_user(self.leasing_user).write({"identity_verified": False, "years_in_business": 0})
        # ... and a change of the lease (a longer term, a lower instalment) leaves its figures.
        self.contract.term = 24
        self.assertEqual(review.risk_score, score)
        self.assertEqual(review.recommendation, "approve")

    def test_action_done_rules(self):
        review = self._review()
        review.recommendation = False
        with self.assertRaises(UserError):
            review.action_done()
        self.assertEqual(review.state, "draft")
        review.recommendation = "reject"
        review.action_done()
        self.assertEqual(review.state, "done")
        with self.assertRaises(UserError):
            review.action_done()

    def test_action_reopen_rules(self):
        review = self._review(monthly_income=1000.0, identity_verified=True, years_in_business=5, total_assets=1000.0)
        review.action_done()
        review.action_reopen()  # the contract is still a draft
        self.assertEqual(review.state, "draft")
        review.action_done()

        self.contract.with_user(self.manager_1).action_submit()
        review.action_reopen()  # under review
        self.assertEqual(review.state, "draft")
        self.assertNotEqual(self.contract.credit_review_id.state, "done")
        review.action_done()

        self.contract.with_user(self.manager_2).action_approve()
        with self.assertRaises(UserError):
            review.action_reopen()
        self.assertEqual(review.state, "done")
        self.contract.action_cancel()
        with self.assertRaises(UserError):
            review.action_reopen()
        self.assertEqual(review.state, "done")

    def test_latest_completed_review_decides(self):
        first = self._review()
        first.action_done()
        self.assertEqual((self.contract.credit_review_id, self.contract.recommendation), (first, "reject"))
        second = self._review(monthly_income=1000.0, identity_verified=True, years_in_business=5, total_assets=1000.0)
        # A review in progress does not replace a completed one.
        self.assertEqual(self.contract.credit_review_id, first)
        second.action_done()
        self.assertEqual((self.contract.credit_review_id, self.contract.risk_score), (second, 70))
        self.contract.with_user(self.manager_1).action_submit()
        self.contract.with_user(self.manager_2).action_approve()
        self.assertEqual(self.contract.state, "approved")

    def test_review_name_and_defaults(self):
        review = self._review()
        self.assertEqual(review.name, f"Review of {self.contract.name}")
        self.assertEqual(review.reviewer_id, self.env.user)
        self.assertEqual(review.partner_id, self.partner)
        self.assertIsInstance(review.review_date, date)

    def test_review_of_a_draft_without_start_date(self):
        """The debt service ratio is the real one before the start date is known (issue 9,
        item 16): (500.00 + 340.02) / 2,000.00 = 42.0 %."""
        contract = self._create_contract(start_date=False)
        review = self._review(contract=contract, monthly_income=2000.0, existing_debt_monthly=500.0)
        self.assertEqual(review.monthly_installment, 340.02)
        self.assertAlmostEqual(review.debt_service_ratio, 42.0, places=1)
