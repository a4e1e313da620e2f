from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


class LeasingClosingCommon(AccountTestInvoicingCommon):
    """One hand-worked lease, paid off early or run to the end of its term.

    Items 1,000.00, no down payment, deposit 10 % = 100.00 (invoiced up front), early
    termination fee 3 %. 12 % a year, monthly (r = 0.01), 4 instalments in arrears from
    2026-01-31. Level instalment 1,000 x 0.01 / (1 - 1.01 ** -4) = 10 / 0.0390197 = 256.2811
    -> 256.28:

    ===  ==========  =========  ========  ======  =======
     #   due         principal  interest  amount  balance
    ===  ==========  =========  ========  ======  =======
     1   2026-02-28     246.28     10.00  256.28   753.72
     2   2026-03-31     248.74      7.54  256.28   504.98
     3   2026-04-30     251.23      5.05  256.28   253.75
     4   2026-05-31     253.75      2.54  256.29     0.00
    ===  ==========  =========  ========  ======  =======

    (753.72 x 0.01 = 7.5372 -> 7.54; 504.98 x 0.01 = 5.0498 -> 5.05; 253.75 x 0.01 = 2.5375
    -> 2.54; the last instalment takes the 253.75 left.)
    """

    # Days on which the daily invoicing picks each instalment (10 days ahead), and the due dates.
    INVOICING_DAYS = ("2026-02-20", "2026-03-25", "2026-04-25", "2026-05-25")
    DUE_DATES = (date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # The accountant running these tests also manages leases: they pay off and close them.
        cls.env.user.groups_id |= cls.env.ref("leasing_management.group_leasing_manager")
        cls.seller = new_test_user(
            cls.env, "close_seller", groups="leasing_management.group_leasing_user", company_id=cls.company.id
        )
        cls.approver = new_test_user(
            cls.env, "close_approver", groups="leasing_management.group_leasing_manager", company_id=cls.company.id
        )
        cls.plan = cls.env["leasing.plan"].create(
            {
                "name": "Equipment 4 months",
                "company_id": cls.company.id,
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 4,
                "annual_rate": 12.0,
                "deposit_pct": 10.0,
                "early_termination_fee_pct": 3.0,
            }
        )
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Transportes Sierra", "is_company": True})

    def _activate(self, **values):
        """Create, submit (seller), review, approve and activate (a second user, a manager)."""
        vals = {
            "partner_id": self.lessee.id,
            "plan_id": self.plan.id,
            "company_id": self.company.id,
            "start_date": "2026-01-31",
            "line_ids": [Command.create({"product_id": self.excavator.id})],
        }
        vals.update(values)
        with freeze_time("2026-01-31"):
            contract = self.env["leasing.contract"].with_user(self.seller).create(vals)
            contract.action_submit()
            review = (
                self.env["leasing.credit.review"]
                .with_user(self.seller)
                .create(
                    {
                        "contract_id": contract.id,
                        "identity_verified": True,
                        "years_in_business": 6,
                        "monthly_income": 20000.0,
                        "total_assets": 50000.0,
                        "documents_received": True,
                    }
                )
            )
            review.action_done()
            contract.with_user(self.approver).action_approve()
            contract.with_user(self.approver).action_activate()
        return contract.with_user(self.env.user)

    def _pay(self, invoices, payment_date):
        """Pay ``invoices`` in full, one payment each."""
        for invoice in invoices:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": payment_date})._create_payments()

    def _invoice(self, day):
        """Run the daily invoicing on ``day``; return the instalment invoices it issued."""
        with freeze_time(day):
            return self.env["leasing.schedule.line"]._cron_invoice_due_lines()

    def _line(self, contract, sequence):
        return contract.schedule_line_ids.filtered(lambda line: line.sequence == sequence)

    def _run_term(self, contract, paid=4):
        """Invoice the 4 instalments on their invoicing days and pay the first ``paid`` of them
        on their due dates; the up-front invoice (the deposit) is paid with the first."""
        self._pay(contract.upfront_invoice_id, self.DUE_DATES[0])
        for index, day in enumerate(self.INVOICING_DAYS):
            invoices = self._invoice(day)
            self.assertEqual(len(invoices), 1)
            if index < paid:
                with freeze_time(self.DUE_DATES[index]):
                    self._pay(invoices, self.DUE_DATES[index])
        return contract

    def assertBalanced(self, move):
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), places=2)
