from datetime import date

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestContractValidation(LeasingCommon):
    def _counts(self):
        return (
            self.env["leasing.contract"].search_count([]),
            self.env["leasing.contract.line"].search_count([]),
            self.env["leasing.contract.fee"].search_count([]),
            self.env["leasing.schedule.line"].search_count([]),
        )

    def assertCreateRefused(self, exception, **overrides):
        before = self._counts()
        with self.assertRaises(exception), self.env.cr.savepoint():
            self._create_contract(**overrides)
        self.assertEqual(self._counts(), before, "nothing of the refused contract may be saved")

    def assertWriteRefused(self, exception, records, vals):
        old = {name: records[name] for name in vals}
        with self.assertRaises(exception), self.env.cr.savepoint():
            records.write(vals)
        for name, value in old.items():
            self.assertEqual(records[name], value, f"{name} must keep its value")

    # ------------------------------------------------------------------
    # Terms (Python constraints)
    # ------------------------------------------------------------------
    def test_bounds_no_lessor_reaches_are_refused_with_a_message(self):
        """Issue 9, item 9: a term of 6,000 or 90,000 instalments, more than 50 years, a start in
        year 9999 and amounts of 10**13 are refused with a clear message, nothing half-saved
        (before: minutes of computing, a MemoryError, a raw ValueError, drifting cents)."""
        for vals, message in (
            ({"term": 6000}, "at most 600 instalments"),
            ({"term": 90000}, "at most 600 instalments"),
            ({"term": 201, "period_months": 3}, "50 years"),
            ({"start_date": date(9999, 1, 31)}, "between 1900 and 2199"),
            ({"line_ids": [Command.create({"product_id": self.product_excavator.id, "price_unit": 1e13})]}, "below"),
        ):
            with self.subTest(vals=vals):
                before = self._counts()
                with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                    self._create_contract(**vals)
                self.assertEqual(self._counts(), before)
        contract = self._create_contract()
        self.assertWriteRefused(ValidationError, contract, {"term": 601})
        self.assertWriteRefused(ValidationError, contract, {"start_date": date(1899, 12, 31)})
        # 600 monthly instalments, the longest lease there is, still computes.
        contract.term = 600
        self.assertEqual(len(contract.schedule_line_ids), 600)
        self.assertGreater(contract.apr, 12.0)

    def test_bad_terms_refused_at_create(self):
        for vals in ({"term": 0}, {"term": -3}, {"annual_rate": -0.5}, {"annual_rate": 101.0}, {"period_months": 2}):
            with self.subTest(vals=vals):
                self.assertCreateRefused(ValidationError, **vals)

    def test_bad_terms_refused_at_write(self):
        contract = self._create_contract()
        amounts = contract.schedule_line_ids.sorted("sequence").mapped("amount")
        for vals in ({"term": 0}, {"annual_rate": -1.0}, {"annual_rate": 101.0}, {"period_months": 2}):
            with self.subTest(vals=vals):
                self.assertWriteRefused(ValidationError, contract, vals)
        self.assertEqual(contract.schedule_line_ids.sorted("sequence").mapped("amount"), amounts)

    def test_limit_terms_accepted(self):
        contract = self._create_contract(annual_rate=100.0, term=1, period_months=12)
        # One yearly instalment at 100 %: 1,000.00 + 1,000.00 of interest.
        self.assertEqual(contract.schedule_line_ids.mapped("amount"), [2000.0])

    # ------------------------------------------------------------------
    # Amounts (Python constraints)
    # ------------------------------------------------------------------
    def test_down_payment_must_stay_below_items_price(self):
        self.assertCreateRefused(ValidationError, down_payment=1000.0)
        self.assertCreateRefused(ValidationError, down_payment=1500.0)
        contract = self._create_contract(down_payment=999.99)
        self.assertEqual(contract.financed_amount, 0.01)
        self.assertWriteRefused(ValidationError, contract, {"down_payment": 1000.0})

    def test_residual_must_stay_below_financed_amount(self):
        # 1,000.00 - 200.00 down = 800.00 financed
        self.assertCreateRefused(ValidationError, down_payment=200.0, residual_value=800.0)
        self.assertCreateRefused(ValidationError, down_payment=200.0, residual_value=900.0)
        contract = self._create_contract(down_payment=200.0, residual_value=799.99)
        self.assertEqual(len(contract.schedule_line_ids), 4)
        self.assertWriteRefused(ValidationError, contract, {"residual_value": 800.0})
        # Raising the down payment over the residual breaks the same rule.
        self.assertWriteRefused(ValidationError, contract, {"down_payment": 300.0})

    def test_negative_amounts_refused(self):
        for field_name in ("down_payment", "deposit", "residual_value"):
            with self.subTest(field=field_name):
                self.assertCreateRefused(ValidationError, **{field_name: -1.0})
        contract = self._create_contract()
        for field_name in ("down_payment", "deposit", "residual_value"):
            with self.subTest(field=field_name):
                self.assertWriteRefused(ValidationError, contract, {field_name: -0.01})

    def test_lease_type_must_be_allowed_by_plan(self):
        self.assertFalse(self.plan_annuity.allow_leaseback)
        self.assertCreateRefused(ValidationError, lease_type="leaseback")
        contract = self._create_contract()
        self.assertWriteRefused(ValidationError, contract, {"lease_type": "leaseback"})
        self.plan_annuity.allow_leaseback = True
        contract.lease_type = "leaseback"
        self.assertEqual(contract.lease_type, "leaseback")

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    def test_negative_item_price_refused(self):
        before = self._counts()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self._create_contract(
                line_ids=[Command.create({"product_id": self.product_excavator.id, "price_unit": -1.0})]
            )
        self.assertEqual(self._counts(), before)

        # On an existing contract the recomputed items price trips the Python check of the down
        # payment (0.00 must stay below -5.00) before the SQL constraint is reached.
        contract = self._create_contract()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            contract.line_ids.write({"price_unit": -5.0})
            contract.line_ids.flush_recordset()
        self.assertEqual(contract.line_ids.price_unit, 1000.0)
        self.assertEqual(contract.financed_amount, 1000.0)

    def test_zero_quantity_refused(self):
        before = self._counts()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self._create_contract(line_ids=[Command.create({"product_id": self.product_excavator.id, "quantity": 0.0})])
        self.assertEqual(self._counts(), before)
        contract = self._create_contract()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            contract.line_ids.write({"quantity": 0.0})
            contract.line_ids.flush_recordset()
        self.assertEqual(contract.line_ids.quantity, 1.0)

    def test_negative_fee_refused(self):
        before = self._counts()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self._create_contract(
                fee_ids=[Command.create({"fee_type_id": self.fee_type_insurance.id, "amount": -10.0})]
            )
        self.assertEqual(self._counts(), before)

    def test_bad_plan_refused(self):
        Plan = self.env["leasing.plan"]
        count = Plan.search_count([])
        for vals in (
            {"term": 0},
            {"annual_rate": 100.5},
            {"annual_rate": -1.0},
            {"period_months": 2},
            {"residual_pct": 100.0},
            {"allow_direct": False, "allow_leaseback": False},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                Plan.create(dict({"name": "Bad plan"}, **vals))
        self.assertEqual(Plan.search_count([]), count)

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------
    def test_submit_without_items_refused(self):
        contract = self._create_contract(line_ids=[])
        self.assertEqual(contract.financed_amount, 0.0)
        with self.assertRaises(UserError):
            contract.action_submit()
        self.assertRecordValues(contract, [{"state": "draft", "submitted_by_id": False}])

    def test_submit_below_plan_minimum_down_payment_refused(self):
        # The plan asks for 10 % of 1,000.00 = 100.00 at least.
        contract = self._create_contract(plan_id=self.plan_interest_only.id, down_payment=99.99)
        with self.assertRaises(UserError):
            contract.action_submit()
        self.assertEqual(contract.state, "draft")
        contract.down_payment = 100.0
        contract.action_submit()
        self.assertEqual(contract.state, "review")
