from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common_ledger import LeasingLedgerCommon


@tagged("post_install", "-at_install")
class TestLedgerVatRateCurrency(LeasingLedgerCommon):
    """Issue 10, against figures worked by hand: VAT included in the rent, the rate of a balloon
    extension for the changes after it, and a lease in a foreign currency."""

    USER_PREFIX = "vatfx"
    # Leases of 100,000.00: a lessee whose review recommends approval.
    REVIEW_FINDINGS = dict(LeasingLedgerCommon.REVIEW_FINDINGS, monthly_income=200000.0, total_assets=1000000.0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lessee = cls.env["res.partner"].create({"name": "Maquinaria Pesada del Norte", "is_company": True})
        cls.excavator = cls.env["product.product"].create({"name": "Excavator", "lst_price": 100000.0})
        cls.plan = cls.env["leasing.plan"]

    def _plan(self, **values):
        return self._create_plan(**{"term": 12, **values})

    def _receivable(self, contract):
        """Balance of the contract's lease receivable (net investment): (in the company's
        currency, in the contract's)."""
        lines = self.env["account.move.line"].search(
            [
                ("leasing_contract_id", "=", contract.id),
                ("account_id", "=", contract.plan_id.receivable_account_id.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return (
            contract.company_id.currency_id.round(sum(lines.mapped("balance"))),
            contract.currency_id.round(sum(lines.mapped("amount_currency"))),
        )

    # ------------------------------------------------------------------
    # 1. VAT included in the rent
    # ------------------------------------------------------------------
    def test_vat_included_credits_the_whole_principal(self):
        """Items 100,000.00, down payment 10,000.00, 12 monthly instalments at 7.2 % from
        2026-01-31 (r = 0.006): 90,000 x 0.006 / (1 - 1.006 ** -12) = 7,795.7094 -> 7,795.71;
        instalment 1: interest 540.00, principal 7,255.71. VAT 13 % included in the price, on
        principal and on interest: the invoice asks for 7,795.71 (VAT inside: 7,255.71 x 13 / 113
        = 834.73 and 540.00 x 13 / 113 = 62.12), the lease receivable is credited with the whole
        7,255.71 (82,744.29 left, not 83,579.02) and the assets clearing account is debited with
        the 834.73 of VAT in the principal. Twelve instalments later the receivable is at 0."""
        # The company's sales tax (and its tax accounts), at 13 % included in the price.
        vat = self.company_data["default_tax_sale"].copy(
            {"name": "VAT 13 % included", "amount": 13.0, "price_include_override": "tax_included"}
        )
        plan = self._plan(
            annual_rate=7.2,
            min_down_payment_pct=10.0,
            principal_tax_ids=[Command.set(vat.ids)],
            interest_tax_ids=[Command.set(vat.ids)],
        )
        contract = self._activate_contract(self._lease_vals(plan_id=plan.id), at="2026-01-31")
        first = contract.schedule_line_ids[:1]
        self.assertEqual((first.principal, first.interest, first.amount), (7255.71, 540.0, 7795.71))
        with freeze_time("2026-02-20"):
            invoice = self._run_invoicing_cron().filtered(lambda move: move.leasing_contract_id == contract)
        self.assertEqual(invoice.amount_total, 7795.71)
        self.assertEqual(invoice.amount_tax, 896.85)
        self.assertEqual(self._receivable(contract), (82744.29, 82744.29))
        clearing = invoice.line_ids.filtered(lambda line: line.account_id == plan.clearing_account_id)
        self.assertEqual(clearing.debit, 834.73)
        with freeze_time("2027-01-25"):
            self._run_invoicing_cron()
        self.assertEqual(len(contract.schedule_line_ids.invoice_id), 12)
        self.assertEqual(self._receivable(contract), (0.0, 0.0))

    # ------------------------------------------------------------------
    # 2. The rate of a balloon extension stays for the changes after it
    # ------------------------------------------------------------------
    def test_extension_rate_is_the_rate_of_every_later_change(self):
        """100,000.00 with a residual of 30,000.00, 6 monthly instalments at 6 % from 2026-01-31;
        the 6 invoiced, the residual extended over 6 instalments at 9 % (r = 0.0075): 5,132.07;
        #7 (2026-08-31): interest 225.00, principal 4,907.07, 25,092.93 left. 10,000.00 prepaid
        that day (lower instalment): the first new instalment's interest is 15,092.93 x 0.0075 =
        113.1970 -> 113.20 (at 6 %: 75.46). A payoff 30 days after #8 (2026-09-30) accrues on the
        principal left 9 % x 30 / 365."""
        plan = self._plan(annual_rate=6.0, term=6, residual_pct=30.0)
        contract = self._activate_contract(self._lease_vals(plan_id=plan.id), at="2026-01-31")
        installments = contract.schedule_line_ids.filtered(lambda line: line.line_type == "installment")
        installments._create_invoices()
        self.env["leasing.extension.wizard"].create(
            {"contract_id": contract.id, "extra_count": 6, "annual_rate": 9.0}
        ).action_confirm()
        self.assertEqual((contract.annual_rate, contract.rate_in_force), (6.0, 9.0))
        line_7 = contract.schedule_line_ids.filtered(lambda line: line.sequence == 7)
        self.assertEqual((line_7.principal, line_7.interest, line_7.amount), (4907.07, 225.0, 5132.07))
        line_7._create_invoices()
        self.env["leasing.prepayment.wizard"].create(
            {"contract_id": contract.id, "amount": 10000.0, "date": "2026-08-31", "mode": "lower"}
        ).action_confirm()
        line_8 = contract.schedule_line_ids.filtered(lambda line: line.sequence == 8 and not line.cancelled)
        self.assertEqual(line_8.interest, 113.2)
        # The extension wizard and the quote of a payoff start from the rate in force.
        self.assertEqual(self.env["leasing.extension.wizard"].new({"contract_id": contract.id}).annual_rate, 9.0)
        line_8._create_invoices()
        left = contract.currency_id.round(15092.93 - line_8.principal)
        wizard = self.env["leasing.payoff.wizard"].create({"contract_id": contract.id, "payoff_date": "2026-10-30"})
        self.assertEqual(wizard.outstanding_principal, left)
        self.assertEqual(wizard.accrued_interest, contract.currency_id.round(left * 0.09 * 30 / 365))

    # ------------------------------------------------------------------
    # 3 and 4. A lease in a foreign currency
    # ------------------------------------------------------------------
    def test_foreign_currency_lease_figures_and_exchange_rounding(self):
        """A EUR lease in a USD company, at 0.913 EUR for 1 USD: items EUR 100,000.00, down
        payment 10,000.00, 12 monthly instalments of 7,795.71 at 7.2 %. After the up-front
        invoice and #1 and #2, the lease owes EUR 25,591.42 (10,000.00 + 2 x 7,795.71), shown in
        euros; the lessee's form shows it once converted: USD 28,030.03 (25,591.42 / 0.913).
        EUR 500.00 paid on account are a balance of EUR 500.00 (USD 547.65). The commencement
        entry converts 90,000.00 as one amount (USD 98,576.12), the invoices their principals one
        by one (USD 98,576.13 in all): once the lease is closed, an exchange rounding entry leaves
        its receivable at 0 in both currencies."""
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 0.913)])
        plan = self._plan(annual_rate=7.2, min_down_payment_pct=10.0, currency_id=eur.id)
        contract = self._activate_contract(self._lease_vals(plan_id=plan.id), at="2026-01-31")
        self.assertEqual(contract.currency_id, eur)
        with freeze_time("2026-03-25"):
            self._run_invoicing_cron()
        with freeze_time("2026-04-15"):
            contract.invalidate_recordset()
            self.assertEqual((contract.amount_due, contract.amount_overdue), (25591.42, 25591.42))
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.lessee.id,
                    "amount": 26091.42,
                    "currency_id": eur.id,
                    "date": "2026-04-15",
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )
            payment.action_post()
            contract.action_allocate_payments()
            contract.invalidate_recordset()
            self.assertEqual((contract.amount_due, contract.customer_balance), (0.0, 500.0))
            self.lessee.invalidate_recordset()
            # Converted once: 500 / 0.913 = 547.6451 -> 547.65 (not the ledger's 547.64 labelled EUR).
            self.assertEqual(self.lessee.leasing_customer_balance, 547.65)
        with freeze_time("2026-04-20"):
            third = self._run_invoicing_cron()
            contract.invalidate_recordset()
            # #3 (7,795.71) less the 500.00 on account.
            self.assertEqual(contract.amount_due, 7295.71)
            self.lessee.invalidate_recordset()
            self.assertEqual(self.lessee.leasing_amount_due, 7990.92)
        # The rest of the term, paid, then closed.
        with freeze_time("2027-01-25"):
            invoices = self._run_invoicing_cron()
        self._pay(third, amount=7295.71, payment_date="2026-04-30")
        self._pay(invoices, payment_date="2027-01-31")
        self.assertEqual(self._receivable(contract), (-0.01, 0.0))
        with freeze_time("2027-02-02"):
            self.env["leasing.close.wizard"].create({"contract_id": contract.id}).action_confirm()
        self.assertEqual(contract.state, "closed")
        self.assertEqual(self._receivable(contract), (0.0, 0.0))
        exchange = contract.move_ids.filtered(lambda move: move.leasing_move_kind == "exchange")
        self.assertEqual((exchange.state, exchange.date), ("posted", date(2027, 2, 2)))
