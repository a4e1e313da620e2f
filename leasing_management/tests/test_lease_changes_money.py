from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import dated_apr
from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestLeaseChangesMoney(LeasingLedgerCommon):
    """The money of the changes during a lease, against figures worked by hand (issue 9, items
    10 and 12 to 15): interest on a prepaid principal, a returned item's residual share, the
    payoff of a 0 % interest-only lease, what a prepayment may and may not do, and the APR of
    the lease as it now stands."""

    USER_PREFIX = "money"
    # Leases of up to 200,000.00: a lessee whose review recommends approval.
    REVIEW_FINDINGS = dict(LeasingLedgerCommon.REVIEW_FINDINGS, monthly_income=200000.0, total_assets=1000000.0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lessee = cls.env["res.partner"].create({"name": "Agroindustrias del Valle", "is_company": True})
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 50000.0})
        cls.crane = cls.env["product.product"].create({"name": "Crane", "lst_price": 50000.0})
        # Each test makes its own plan (_plan) and passes it to _lease_vals.
        cls.plan = cls.env["leasing.plan"]

    def _plan(self, **values):
        return self._create_plan(**{"term": 12, "annual_rate": 12.0, **values})

    def _lease(self, plan, price, at="2026-01-31", **values):
        vals = self._lease_vals(
            plan_id=plan.id,
            line_ids=[Command.create({"product_id": self.excavator.id, "price_unit": price})],
            **values,
        )
        return self._activate_contract(vals, at=at)

    def _prepayment(self, contract, amount, on_date, mode="lower"):
        return self.env["leasing.prepayment.wizard"].create(
            {"contract_id": contract.id, "amount": amount, "date": on_date, "mode": mode}
        )

    # ------------------------------------------------------------------
    # 10. Interest on a prepaid principal
    # ------------------------------------------------------------------
    def test_prepayment_charges_the_interest_of_the_prepaid_principal(self):
        """200,000.00 at 12 %, 12 monthly instalments from 2026-01-31; instalment 1 (due
        2026-02-28) invoiced; 50,000.00 prepaid on 2026-03-27, 27 days after that due date:
        50,000 x 12 % x 27 / 365 = 443.8356 -> 443.84, charged on the prepayment invoice as
        interest (no instalment charges it: the next one accrues on the balance after)."""
        contract = self._lease(self._plan(), 200000.0)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
        with freeze_time("2026-03-27"):
            wizard = self._prepayment(contract, 50000.0, "2026-03-27")
            self.assertEqual((wizard.accrual_start, wizard.interest_amount), (date(2026, 2, 28), 443.84))
            invoice = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self.assertRecordValues(
            invoice.invoice_line_ids.sorted("price_unit", reverse=True),
            [
                {"account_id": self.plan_accounts(contract)["receivable"].id, "price_subtotal": 50000.0},
                {"account_id": self.plan_accounts(contract)["interest"].id, "price_subtotal": 443.84},
            ],
        )
        self.assertEqual(invoice.amount_total, 50443.84)

    def test_prepayment_on_the_due_date_of_the_last_instalment_invoiced_charges_no_interest(self):
        contract = self._lease(self._plan(), 200000.0)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
        wizard = self._prepayment(contract, 50000.0, "2026-02-28")
        self.assertEqual(wizard.interest_amount, 0.0)
        invoice = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(invoice.amount_total, 50000.0)

    # ------------------------------------------------------------------
    # 12. A returned item's share of the residual
    # ------------------------------------------------------------------
    def test_returned_item_takes_its_rounded_share_and_leaves_the_rest(self):
        """Two items of 50,000.00, a residual value of 20,000.01: the crane returned takes
        20,000.01 x 50,000 / 100,000 = 10,000.005 -> 10,000.01 with it, and 10,000.00 stay."""
        plan = self._plan(term=6)
        vals = self._lease_vals(
            plan_id=plan.id,
            line_ids=[Command.create({"product_id": self.excavator.id}), Command.create({"product_id": self.crane.id})],
        )
        with freeze_time("2026-01-31"):
            draft = self.env["leasing.contract"].with_user(self.seller).create(vals)
            draft.residual_value = 20000.01
            contract = self._submit_and_activate(draft).with_user(self.env.user)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
            self.env["leasing.discontinue.wizard"].create(
                {
                    "contract_id": contract.id,
                    "line_id": contract.line_ids.filtered(lambda line: line.product_id == self.crane).id,
                    "reason": "Returned: hydraulic failure",
                    "date": "2026-02-25",
                }
            ).action_confirm()
        residual_line = contract.schedule_line_ids.filtered(lambda line: line.line_type == "residual")
        self.assertEqual(contract.residual_value, 10000.0)
        self.assertEqual(residual_line.amount, 10000.0)

    # ------------------------------------------------------------------
    # 13. Early payoff of a 0 % interest-only lease
    # ------------------------------------------------------------------
    def test_payoff_of_an_interest_only_lease_at_zero_rate(self):
        """100,000.00 over 12 months at 0 %, interest only: eleven instalments of 0.00 and the
        principal in the last. Nothing paid; paid off on 2026-03-15 for 100,000.00."""
        contract = self._lease(self._plan(repayment_method="interest_only", annual_rate=0.0), 100000.0)
        self.assertEqual(contract.schedule_line_ids.mapped("amount"), [0.0] * 11 + [100000.0])
        with freeze_time("2026-03-15"):
            wizard = self.env["leasing.payoff.wizard"].create({"contract_id": contract.id, "payoff_date": "2026-03-15"})
            self.assertFalse(wizard.warning)
            self.assertEqual((wizard.outstanding_principal, wizard.accrued_interest), (100000.0, 0.0))
            self.assertEqual(wizard.amount_total, 100000.0)
            invoice = wizard._do_payoff()
        self.assertEqual(invoice.amount_total, 100000.0)
        self.assertTrue(all(contract.schedule_line_ids.mapped("cancelled")))

    def test_payoff_date_stays_within_the_lease(self):
        contract = self._lease(self._plan(term=3), 10000.0)
        for payoff_date in ("2026-01-30", "2026-05-01", "9999-12-31"):
            with self.subTest(payoff_date=payoff_date):
                wizard = self.env["leasing.payoff.wizard"].create(
                    {"contract_id": contract.id, "payoff_date": payoff_date}
                )
                self.assertIn("payoff date between", wizard.warning)
                self.assertEqual(wizard.amount_total, 0.0)
                with self.assertRaisesRegex(UserError, "payoff date between"):
                    wizard._do_payoff()
        self.assertFalse(contract.payoff_invoice_id)

    # ------------------------------------------------------------------
    # 14. What a prepayment may and may not do
    # ------------------------------------------------------------------
    def test_prepaying_all_the_instalments_principal_is_refused_with_a_residual(self):
        """100,000.00 at 12 %, a residual value of 20,000.00: prepaying all the principal the
        instalments still carry would leave instalments of interest only (200.00 each)."""
        contract = self._lease(self._plan(residual_pct=20.0), 100000.0)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
        owed = self._prepayment(contract, 1.0, "2026-02-25").amount_owed
        every_instalments_principal = contract.currency_id.round(owed - 20000.0)
        wizard = self._prepayment(contract, every_instalments_principal, "2026-02-25")
        self.assertIn("would repay all the principal", wizard.preview_error)
        with self.assertRaisesRegex(UserError, "would repay all the principal"):
            wizard.action_confirm()
        self.assertEqual(len(contract.schedule_line_ids), 13)

    def test_shorter_term_never_lengthens_the_lease(self):
        """Equal principal, 500.02 over 5 months: 100.00 a month and 100.02 for the last. With
        instalments 1 to 3 invoiced, 200.02 are owed over 2 instalments; 0.01 prepaid with a
        shorter term leaves 200.01: still 2 instalments (100.00 and 100.01), never 3."""
        contract = self._lease(self._plan(repayment_method="equal_principal", term=5), 500.02)
        self.assertEqual(contract.schedule_line_ids.mapped("principal"), [100.0, 100.0, 100.0, 100.0, 100.02])
        with freeze_time("2026-04-25"):
            contract.action_invoice_due()
            self._prepayment(contract, 0.01, "2026-04-25", mode="shorter").action_confirm()
        open_lines = contract.schedule_line_ids.filtered(lambda line: not line.invoice_id)
        self.assertEqual(open_lines.mapped("principal"), [100.0, 100.01])
        self.assertEqual(contract.term, 5)

    # ------------------------------------------------------------------
    # 15. The APR of the lease as it now stands
    # ------------------------------------------------------------------
    def test_apr_at_signing_is_kept_and_the_current_apr_follows_the_real_flows(self):
        """200,000.00 at 12 %, 12 months; 50,000.00 prepaid on 2026-03-27 (with its 443.84 of
        interest), lower instalment. The APR at signing stays; the current APR is the rate of the
        real flows at their dates, against an independent Decimal oracle, and near the 12.68 %
        effective rate the lease charges (not the 6 % shown before)."""
        contract = self._lease(self._plan(), 200000.0)
        signed = contract.apr
        self.assertAlmostEqual(contract.apr_current, signed, places=9)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
        with freeze_time("2026-03-27"):
            self._prepayment(contract, 50000.0, "2026-03-27").action_confirm()
        contract.invalidate_recordset(["apr", "apr_current"])
        self.assertEqual(contract.apr, signed)
        flows = [(date(2026, 1, 31), -200000.0), (date(2026, 3, 27), 50443.84)]
        flows += [(line.due_date, line.amount) for line in contract.schedule_line_ids if not line.cancelled]
        self.assertAlmostEqual(contract.apr_current, dated_apr(date(2026, 1, 31), flows, 1), delta=5e-5)
        self.assertAlmostEqual(contract.apr_current, 12.68, delta=0.05)

    def test_current_apr_after_an_item_is_returned(self):
        """Two items of 50,000.00 over 6 months; the crane returned on 2026-02-25 takes its share
        of the principal owed back to the lessor: a flow to the lessor at that date, so the
        lease's APR stays near its rate instead of turning negative."""
        plan = self._plan(term=6)
        vals = self._lease_vals(
            plan_id=plan.id,
            line_ids=[Command.create({"product_id": self.excavator.id}), Command.create({"product_id": self.crane.id})],
        )
        contract = self._activate_contract(vals, at="2026-01-31")
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
            self.env["leasing.discontinue.wizard"].create(
                {
                    "contract_id": contract.id,
                    "line_id": contract.line_ids.filtered(lambda line: line.product_id == self.crane).id,
                    "reason": "Returned",
                    "date": "2026-02-25",
                }
            ).action_confirm()
        entry = contract.move_ids.filtered(lambda move: move.leasing_move_kind == "discontinue")
        share = entry.amount_total
        flows = [(date(2026, 1, 31), -100000.0), (date(2026, 2, 25), share)]
        flows += [(line.due_date, line.amount) for line in contract.schedule_line_ids if not line.cancelled]
        contract.invalidate_recordset(["apr_current"])
        self.assertAlmostEqual(contract.apr_current, dated_apr(date(2026, 1, 31), flows, 1), delta=5e-5)
        self.assertGreater(contract.apr_current, 10.0)

    # ------------------------------------------------------------------
    def plan_accounts(self, contract):
        plan = contract.plan_id
        return {"receivable": plan.receivable_account_id, "interest": plan.interest_account_id}
