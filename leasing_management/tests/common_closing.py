from datetime import date

from freezegun import freeze_time

from .common_ledger import LeasingLedgerCommon


class LeasingClosingCommon(LeasingLedgerCommon):
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

    USER_PREFIX = "close"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
                # No penalty interest in these figures: with leasing_collections installed, the
                # payoff bills it too (tested there, test_penalty_billing.py).
                "penalty_rate_daily": 0.0,
            }
        )
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 1000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Transportes Sierra", "is_company": True})

    def _activate(self, **values):
        """Create, submit (seller), review, approve and activate (a second user, a manager) the
        lease, all on 2026-01-31."""
        return self._activate_contract(self._lease_vals(**values), at="2026-01-31")

    def _invoice(self, day):
        """Run the daily invoicing on ``day``; return the instalment invoices it issued."""
        with freeze_time(day):
            return self._run_invoicing_cron()

    def _line(self, contract, sequence):
        return contract.schedule_line_ids.filtered(lambda line: line.sequence == sequence)

    def _run_term(self, contract, paid=4):
        """Invoice the 4 instalments on their invoicing days and pay the first ``paid`` of them
        on their due dates; the up-front invoice (the deposit) is paid with the first."""
        self._pay(contract.upfront_invoice_id, payment_date=self.DUE_DATES[0])
        for index, day in enumerate(self.INVOICING_DAYS):
            invoices = self._invoice(day)
            self.assertEqual(len(invoices), 1)
            if index < paid:
                with freeze_time(self.DUE_DATES[index]):
                    self._pay(invoices, payment_date=self.DUE_DATES[index])
        return contract

    def assertBalanced(self, move):
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), places=2)
