from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LeasingCommon, irr_apr
from .view_helpers import view_arch


@tagged("post_install", "-at_install")
class TestQuoteWizard(LeasingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The annuity plan with a 10 % minimum down payment, a financed insurance of 50.00 and a
        # registration of 20.00 paid up front.
        cls.plan_with_fees = cls.plan_annuity.copy({"name": "Annuity with fees", "min_down_payment_pct": 10.0})
        cls.plan_with_fees.fee_ids = [
            Command.create({"fee_type_id": cls.fee_type_insurance.id, "amount": 50.0}),
            Command.create({"fee_type_id": cls.fee_type_registration.id, "amount": 20.0}),
        ]

    def _form(self, plan, price, start_date=date(2024, 1, 31)):
        form = Form(self.env["leasing.quote.wizard"])
        form.plan_id = plan
        form.price = price
        form.start_date = start_date
        return form

    def test_quote_annuity(self):
        form = self._form(self.plan_annuity, 1200.0)
        self.assertEqual(form.down_payment, 0.0)
        form.down_payment = 200.0
        # 1,000.00 at 1 % a month over 3 months: see test_contract_schedule.
        self.assertEqual(form.financed_amount, 1000.0)
        self.assertEqual(form.installment_amount, 340.02)
        self.assertEqual(form.total_interest, 20.07)
        self.assertEqual(form.total_amount, 1020.07)
        self.assertAlmostEqual(form.periodic_rate, 1.0, places=6)
        self.assertAlmostEqual(form.effective_rate, 12.6825, places=4)
        self.assertAlmostEqual(form.apr, irr_apr([-1000.00, 340.02, 340.02, 340.03], 1), delta=0.0001)
        self.assertEqual(len(form.line_ids), 3)
        self.assertFalse(form.quote_error)
        wizard = form.save()
        self.assertRecordValues(
            wizard.line_ids.sorted("sequence"),
            [
                {"due_date": date(2024, 2, 29), "principal": 330.02, "interest": 10.00, "amount": 340.02},
                {"due_date": date(2024, 3, 31), "principal": 333.32, "interest": 6.70, "amount": 340.02},
                {"due_date": date(2024, 4, 30), "principal": 336.66, "interest": 3.37, "amount": 340.03},
            ],
        )

    def test_quote_with_plan_fees(self):
        """Price 1,000.00, down payment 10 % = 100.00, financed insurance 50.00: 950.00 financed.

        A = 950 * 0.01 / (1 - 1.01 ** -3) = 323.0210... -> 323.02
        interest 9.50, then 636.48 * 1 % = 6.36, then 319.82 * 1 % = 3.20 (3.1982)
        The lessee really receives 950.00 - 20.00 of registration = 930.00.
        """
        form = self._form(self.plan_with_fees, 1000.0)
        self.assertEqual((form.down_payment, form.financed_fees, form.upfront_fees), (100.0, 50.0, 20.0))
        self.assertEqual(form.financed_amount, 950.0)
        self.assertEqual(form.installment_amount, 323.02)
        self.assertEqual(form.total_interest, 19.06)
        self.assertEqual(form.total_amount, 969.06)
        self.assertAlmostEqual(form.apr, irr_apr([-930.00, 323.02, 323.02, 323.02], 1), delta=0.0001)
        self.assertGreater(form.apr, form.effective_rate + 1.0)
        self.assertEqual(len(form.line_ids), 3)

    def test_terms_follow_the_plan_and_stay_editable(self):
        form = self._form(self.plan_equal_principal, 1000.0, start_date=date(2023, 11, 30))
        self.assertEqual(
            (form.term, form.period_months, form.annual_rate, form.repayment_method, form.payment_timing),
            (4, 3, 8.0, "equal_principal", "arrears"),
        )
        self.assertEqual(form.installment_amount, 270.0)
        self.assertEqual(form.total_interest, 50.0)
        form.term = 2
        # 500.00 a quarter: interest 20.00 then 10.00.
        self.assertEqual(form.installment_amount, 520.0)
        self.assertEqual(form.total_interest, 30.0)
        self.assertEqual(len(form.line_ids), 2)

    def test_down_payment_not_below_price_shows_error(self):
        form = self._form(self.plan_annuity, 1200.0)
        form.down_payment = 1200.0
        self.assertEqual(form.quote_error, "The down payment must be lower than the price.")
        self.assertEqual(form.installment_amount, 0.0)
        self.assertEqual(form.financed_amount, 0.0)
        self.assertEqual(len(form.line_ids), 0)
        form.partner_id = self.partner
        form.product_id = self.product_excavator
        wizard = form.save()
        count = self.env["leasing.contract"].search_count([])
        with self.assertRaises(UserError):
            wizard.action_create_contract()
        self.assertEqual(self.env["leasing.contract"].search_count([]), count)

        form = Form(wizard)
        form.down_payment = 1199.99
        self.assertFalse(form.quote_error)
        self.assertEqual(form.financed_amount, 0.01)

    def test_other_input_errors(self):
        form = self._form(self.plan_annuity, 1000.0)
        cases = [
            ({"term": 0}, "The term must be at least one instalment."),
            ({"period_months": 2}, "The period must be 1, 3, 6 or 12 months."),
            ({"annual_rate": 120.0}, "The annual rate must lie between 0 and 100 %."),
            ({"residual_value": -1.0}, "Amounts cannot be negative."),
            ({"residual_value": 1000.0}, "The residual value must be lower than the amount financed."),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals):
                old = {name: form[name] for name in vals}
                for name, value in vals.items():
                    setattr(form, name, value)
                self.assertEqual(form.quote_error, message)
                self.assertEqual(len(form.line_ids), 0)
                for name, value in old.items():
                    setattr(form, name, value)
                self.assertFalse(form.quote_error)

    def test_create_contract_without_partner_refused(self):
        form = self._form(self.plan_annuity, 1000.0)
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_create_contract()

    def _assert_contract_matches(self, wizard, contract):
        self.assertRecordValues(
            contract,
            [
                {
                    "state": "draft",
                    "partner_id": self.partner.id,
                    "plan_id": wizard.plan_id.id,
                    "start_date": wizard.start_date,
                    "term": wizard.term,
                    "period_months": wizard.period_months,
                    "annual_rate": wizard.annual_rate,
                    "repayment_method": wizard.repayment_method,
                    "payment_timing": wizard.payment_timing,
                    "items_total": wizard.price,
                    "down_payment": wizard.down_payment,
                    "residual_value": wizard.residual_value,
                    "fees_financed": wizard.financed_fees,
                    "fees_upfront": wizard.upfront_fees,
                    "financed_amount": wizard.financed_amount,
                    "installment_amount": wizard.installment_amount,
                    "total_interest": wizard.total_interest,
                    "total_amount": wizard.total_amount,
                    "apr": wizard.apr,
                }
            ],
        )
        self.assertEqual(
            [(line.due_date, line.principal, line.interest, line.amount) for line in contract.schedule_line_ids],
            [(line.due_date, line.principal, line.interest, line.amount) for line in wizard.line_ids],
        )

    def test_create_contract_from_quote(self):
        form = self._form(self.plan_with_fees, 1000.0)
        form.term = 4
        form.annual_rate = 9.0
        form.down_payment = 150.0
        form.partner_id = self.partner
        form.product_id = self.product_excavator
        wizard = form.save()
        action = wizard.action_create_contract()
        contract = self.env["leasing.contract"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "leasing.contract")
        self.assertEqual(contract.line_ids.product_id, self.product_excavator)
        self.assertEqual(len(contract.schedule_line_ids), 4)
        self._assert_contract_matches(wizard, contract)

    def test_create_contract_keeps_quoted_fees(self):
        """The quote shows the plan's fees, and the contract carries exactly those: what the
        lessee was quoted is what is financed. The totals follow the fee lines."""
        form = self._form(self.plan_with_fees, 1000.0)
        with self.assertRaises(AssertionError):
            form.financed_fees = 0.0  # the sum of the fee lines
        form.partner_id = self.partner
        form.product_id = self.product_excavator
        wizard = form.save()
        # 1,000.00 - 100.00 down + 50.00 financed insurance: 950.00 financed
        self.assertEqual(wizard.financed_amount, 950.0)
        contract = self.env["leasing.contract"].browse(wizard.action_create_contract()["res_id"])
        self.assertEqual((contract.fees_financed, contract.fees_upfront), (50.0, 20.0))
        self._assert_contract_matches(wizard, contract)

    def test_quote_bounds(self):
        """A term of 6,000 took 179 s and 496 MB in the quote: now a message, at once."""
        wizard = self.env["leasing.quote.wizard"].create(
            {"plan_id": self.plan_annuity.id, "price": 1000.0, "start_date": "2026-01-31", "term": 6000}
        )
        self.assertIn("at most 600 instalments", wizard.quote_error)
        self.assertFalse(wizard.line_ids)
        wizard.term = 12
        wizard.start_date = "9999-01-31"
        self.assertIn("between 1900 and 2199", wizard.quote_error)
        wizard.start_date = "2026-01-31"
        wizard.price = 1e13
        self.assertIn("below", wizard.quote_error)
        wizard.price = 1000.0
        self.assertFalse(wizard.quote_error)
        self.assertEqual(len(wizard.line_ids), 12)

    # ------------------------------------------------------------------
    # The screen
    # ------------------------------------------------------------------
    def test_whole_schedule_on_one_page(self):
        """Five years of monthly instalments: every line is listed (no page of 40), so the
        list's totals are the schedule's."""
        form = self._form(self.plan_annuity, 12000.0)
        form.term = 60
        self.assertEqual(len(form.line_ids), 60)
        schedule = view_arch(self.env["leasing.quote.wizard"]).xpath("//field[@name='line_ids']/list")[0]
        self.assertGreaterEqual(int(schedule.get("limit", 40)), 601, "a list of up to 600 instalments and a residual")

    def test_nothing_shown_before_a_price(self):
        """A plan and a start date, no price yet: no quote, and no error about what is not typed."""
        form = Form(self.env["leasing.quote.wizard"])
        form.plan_id = self.plan_with_fees
        self.assertFalse(form.quote_error)
        self.assertEqual(len(form.line_ids), 0)
        self.assertEqual(form.installment_amount, 0.0)
        form.price = 1000.0
        self.assertFalse(form.quote_error)
        self.assertEqual(len(form.line_ids), 3)
        wizard = form.save()
        wizard.price = 0.0
        wizard.partner_id, wizard.product_id = self.partner, self.product_excavator
        with self.assertRaisesRegex(UserError, "no quote yet"):
            wizard.action_create_contract()

    def test_only_leasable_products_offered(self):
        """Items are products marked Can be Leased: the screens offer no others (a domain, not
        a constraint)."""
        self.product_excavator.leasing_ok = True
        for model in ("leasing.quote.wizard", "leasing.contract.line"):
            with self.subTest(model=model):
                domain = self.env[model]._fields["product_id"].domain
                offered = self.env["product.product"].search(domain)
                self.assertIn(self.product_excavator, offered)
                self.assertNotIn(self.product_trailer, offered)
        # Searching the products by the flag.
        search = view_arch(self.env["product.template"], "search")
        self.assertEqual(
            search.xpath("//filter[@name='filter_to_lease']")[0].get("domain"), "[('leasing_ok', '=', True)]"
        )

    def test_fees_editable_and_carried_into_the_contract(self):
        """The plan's fees by default (insurance 50.00 financed, registration 20.00 up front);
        the insurance raised to 80.00 and a GPS device of 30.00, financed, added:

        financed = 1,000.00 - 100.00 down + 80.00 + 30.00 = 1,010.00
        A = 1010 x 0.01 / (1 - 1.01 ** -3) = 343.4222... -> 343.42
        """
        gps = self.env.ref("leasing_management.fee_type_gps")
        form = self._form(self.plan_with_fees, 1000.0)
        fees = []
        for index in range(len(form.fee_ids)):
            with form.fee_ids.edit(index) as fee:
                fees.append((fee.fee_type_id, fee.financed, fee.amount))
        self.assertEqual(fees, [(self.fee_type_insurance, True, 50.0), (self.fee_type_registration, False, 20.0)])
        with form.fee_ids.edit(0) as fee:
            fee.amount = 80.0
        with form.fee_ids.new() as fee:
            fee.fee_type_id = gps
            fee.financed = True
            fee.amount = 30.0
        self.assertEqual((form.financed_fees, form.upfront_fees), (110.0, 20.0))
        self.assertEqual(form.financed_amount, 1010.0)
        self.assertEqual(form.installment_amount, 343.42)
        # The registration paid up front instead becomes financed: it joins the credit.
        with form.fee_ids.edit(1) as fee:
            fee.financed = True
        self.assertEqual((form.financed_fees, form.upfront_fees), (130.0, 0.0))
        with form.fee_ids.edit(1) as fee:
            fee.financed = False
        with form.fee_ids.edit(0) as fee:
            fee.amount = -5.0
        self.assertEqual(form.quote_error, "Amounts cannot be negative.")
        with form.fee_ids.edit(0) as fee:
            fee.amount = 80.0
        form.partner_id = self.partner
        form.product_id = self.product_excavator
        wizard = form.save()
        contract = self.env["leasing.contract"].browse(wizard.action_create_contract()["res_id"])
        self.assertEqual(
            [(fee.fee_type_id, fee.financed, fee.amount) for fee in contract.fee_ids],
            [(self.fee_type_insurance, True, 80.0), (self.fee_type_registration, False, 20.0), (gps, True, 30.0)],
        )
        self._assert_contract_matches(wizard, contract)
        # A new plan brings its own fees.
        form = Form(wizard)
        form.plan_id = self.plan_annuity
        self.assertEqual(len(form.fee_ids), 0)
