from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestInvoicingFailures(LeasingLedgerCommon):
    """A lease document needs only the plan settings it posts to.

    Leases of 1,000.00 less a 10 % down payment: 900.00 financed at 12 % a year, 3 monthly
    instalments in arrears from 2026-01-31, a deposit of 5 % (50.00). The first instalment, due
    2026-02-28, is 297.02 of principal and 9.00 of interest (900 x 0.01): 306.02. On 2026-02-20,
    with the 10-day horizon, it is the only one to invoice.
    """

    USER_PREFIX = "invfail"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Equipment 3 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 3,
                "annual_rate": 12.0,
                "min_down_payment_pct": 10.0,
                "deposit_pct": 5.0,
            }
        )
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Constructora Andina", "is_company": True})

    def _activate_on(self, plan):
        return self._activate_contract(self._lease_vals(plan_id=plan.id), at="2026-01-31")

    def _plan_copy(self, name):
        return self.plan.copy({"name": name})

    # ------------------------------------------------------------------
    def test_instalments_need_no_deposits_account(self):
        """The issue's plan: no deposits-held account. Instalment invoices do not use it."""
        no_deposit = self._plan_copy("No deposit")
        # A lease without deposit: activation needs no deposits account either.
        no_deposit.deposit_pct = 0.0
        no_deposit.deposit_account_id = False
        without_deposit = self._activate_on(no_deposit)
        self.assertEqual(without_deposit.state, "active")
        # A lease that took its deposit before its plan lost the account.
        with_deposit = self._activate_on(self.plan)
        self.assertEqual(with_deposit.deposit_held, 50.0)
        self.plan.deposit_account_id = False
        with freeze_time("2026-02-20"):
            moves = self._run_invoicing_cron()
        self.assertEqual(moves.leasing_contract_id, with_deposit | without_deposit)
        self.assertEqual(moves.mapped("amount_total"), [306.02, 306.02])

    def test_each_document_needs_only_the_settings_it_posts_to(self):
        contract = self._activate_on(self.plan)
        self.plan.deposit_account_id = False
        self.plan.interest_account_id = False

        def error(document, **figures):
            return contract._accounting_setup_error([document], figures=figures or None)

        # An instalment with interest needs the interest account; a residual value (no interest)
        # does not. Neither needs the deposits account.
        self.assertIn("Interest Income Account", error("installment", interest=9.0))
        self.assertNotIn("Deposits Held Account", error("installment", interest=9.0))
        self.assertEqual(error("installment", interest=0.0), "")
        self.assertEqual(error("prepayment"), "")
        self.assertEqual(error("discontinue"), "")
        self.assertEqual(error("commencement"), "")
        self.assertIn("Deposits Held Account", error("deposit_refund"))
        self.assertIn("Deposits Held Account", error("upfront"))
        # A payoff needs the interest account only for accrued interest, the deposits account
        # only for a deposit held.
        payoff = {"principal": 602.98, "fee": 0.0}
        self.assertEqual(error("payoff", **payoff, interest=0.0, deposit_held=0.0), "")
        message = error("payoff", **payoff, interest=3.0, deposit_held=50.0)
        self.assertEqual(
            message,
            f"{contract.name} cannot post its Early Payoff Invoice: its financing plan Equipment 3 months lacks "
            "Interest Income Account, Deposits Held Account. Set them on the plan (Accounting tab) or in the "
            "Leasing settings.",
        )
        with self.assertRaisesRegex(UserError, "Interest Income Account"):
            contract._check_accounting_setup("installment")
