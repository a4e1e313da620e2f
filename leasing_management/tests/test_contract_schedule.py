from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LeasingCommon, irr_apr


def _cents(amounts):
    """Exact decimal sum of amounts already rounded to the cent."""
    return sum((Decimal(str(amount)).quantize(Decimal("0.01")) for amount in amounts), Decimal(0))


@tagged("post_install", "-at_install")
class TestContractSchedule(LeasingCommon):
    # ------------------------------------------------------------------
    # Hand-worked schedules
    # ------------------------------------------------------------------
    def test_annuity_monthly_in_arrears(self):
        """1,000.00 at 12 % a year, monthly (1 % a period), 3 instalments in arrears.

        A = 1000 * 0.01 / (1 - 1.01 ** -3) = 340.0221... -> 340.02
        1: interest 10.00, principal 330.02, balance 669.98
        2: interest  6.6998 -> 6.70, principal 333.32, balance 336.66
        3: interest  3.3666 -> 3.37, principal 336.66 (the rest), amount 340.03
        Start on January 31 of a leap year: due Feb 29, Mar 31, Apr 30.
        """
        contract = self._create_contract()
        self.assertRecordValues(
            self._schedule(contract),
            [
                {
                    "sequence": 1,
                    "line_type": "installment",
                    "due_date": date(2024, 2, 29),
                    "principal": 330.02,
                    "interest": 10.00,
                    "amount": 340.02,
                    "balance": 669.98,
                },
                {
                    "sequence": 2,
                    "line_type": "installment",
                    "due_date": date(2024, 3, 31),
                    "principal": 333.32,
                    "interest": 6.70,
                    "amount": 340.02,
                    "balance": 336.66,
                },
                {
                    "sequence": 3,
                    "line_type": "installment",
                    "due_date": date(2024, 4, 30),
                    "principal": 336.66,
                    "interest": 3.37,
                    "amount": 340.03,
                    "balance": 0.00,
                },
            ],
        )
        self.assertRecordValues(
            contract,
            [
                {
                    "financed_amount": 1000.00,
                    "installment_amount": 340.02,
                    "total_interest": 20.07,
                    "total_amount": 1020.07,
                    "end_date": date(2024, 4, 30),
                }
            ],
        )

    def test_annuity_in_advance_with_residual(self):
        """1,000.00 at 12 % monthly, 3 instalments in advance, residual 200.00 (20 % of the items).

        A = (1000 * 1.01 ** 3 - 200) * 0.01 / (1.01 * (1.01 ** 3 - 1)) = 271.3046... -> 271.30
        Principal left after the last instalment: T = 200 / 1.01 = 198.0198 -> 198.02
        1 (start date): no interest yet, principal 271.30, balance 728.70
        2: interest 7.287 -> 7.29, principal 264.01, balance 464.69
        3: interest 4.6469 -> 4.65, principal 464.69 - 198.02 = 266.67, amount 271.32
        residual: principal 198.02, interest 1.98, amount 200.00 exactly, one period after the last.
        """
        contract = self._create_contract(
            plan_id=self.plan_interest_only.id,
            repayment_method="annuity",
            down_payment=0.0,
            start_date=date(2024, 3, 15),
        )
        self.assertEqual(contract.residual_value, 200.00)
        self.assertRecordValues(
            self._schedule(contract),
            [
                {
                    "sequence": 1,
                    "line_type": "installment",
                    "due_date": date(2024, 3, 15),
                    "principal": 271.30,
                    "interest": 0.00,
                    "amount": 271.30,
                    "balance": 728.70,
                },
                {
                    "sequence": 2,
                    "line_type": "installment",
                    "due_date": date(2024, 4, 15),
                    "principal": 264.01,
                    "interest": 7.29,
                    "amount": 271.30,
                    "balance": 464.69,
                },
                {
                    "sequence": 3,
                    "line_type": "installment",
                    "due_date": date(2024, 5, 15),
                    "principal": 266.67,
                    "interest": 4.65,
                    "amount": 271.32,
                    "balance": 198.02,
                },
                {
                    "sequence": 4,
                    "line_type": "residual",
                    "due_date": date(2024, 6, 15),
                    "principal": 198.02,
                    "interest": 1.98,
                    "amount": 200.00,
                    "balance": 0.00,
                },
            ],
        )
        self.assertEqual(_cents(contract.schedule_line_ids.mapped("principal")), Decimal("1000.00"))
        self.assertRecordValues(
            contract,
            [{"installment_amount": 271.30, "total_interest": 13.92, "total_amount": 1013.92}],
        )

    def test_interest_only_in_advance_with_residual(self):
        """Items 1,000.00, plan down payment 10 % (100.00), residual 20 % (200.00): 900.00 financed
        at 1 % a month, interest only, in advance.

        T = 200 / 1.01 -> 198.02
        1 (start date): nothing accrued, nothing repaid
        2: interest 9.00 on 900.00
        3: interest 9.00, principal 900.00 - 198.02 = 701.98
        residual: principal 198.02, interest 1.98, amount 200.00
        """
        contract = self._create_contract(plan_id=self.plan_interest_only.id, start_date=date(2024, 3, 15))
        self.assertRecordValues(
            contract,
            [{"down_payment": 100.00, "residual_value": 200.00, "deposit": 0.00, "financed_amount": 900.00}],
        )
        self.assertRecordValues(
            self._schedule(contract),
            [
                {"sequence": 1, "line_type": "installment", "due_date": date(2024, 3, 15),
                 "principal": 0.00, "interest": 0.00, "amount": 0.00, "balance": 900.00},
                {"sequence": 2, "line_type": "installment", "due_date": date(2024, 4, 15),
                 "principal": 0.00, "interest": 9.00, "amount": 9.00, "balance": 900.00},
                {"sequence": 3, "line_type": "installment", "due_date": date(2024, 5, 15),
                 "principal": 701.98, "interest": 9.00, "amount": 710.98, "balance": 198.02},
                {"sequence": 4, "line_type": "residual", "due_date": date(2024, 6, 15),
                 "principal": 198.02, "interest": 1.98, "amount": 200.00, "balance": 0.00},
            ],
        )  # fmt: skip
        residual_line = contract.schedule_line_ids.filtered(lambda line: line.line_type == "residual")
        self.assertEqual(self.currency.compare_amounts(residual_line.amount, contract.residual_value), 0)
        self.assertRecordValues(contract, [{"total_interest": 19.98, "total_amount": 919.98}])

    def test_equal_principal_quarterly(self):
        """1,000.00 at 8 % a year, quarterly (2 % a period), 4 instalments of 250.00 principal.
        Start on November 30: due Feb 29 (leap year), May 30, Aug 30, Nov 30."""
        contract = self._create_contract(plan_id=self.plan_equal_principal.id, start_date=date(2023, 11, 30))
        keys = ("due_date", "principal", "interest", "amount", "balance")
        rows = [
            (date(2024, 2, 29), 250.0, 20.0, 270.0, 750.0),
            (date(2024, 5, 30), 250.0, 15.0, 265.0, 500.0),
            (date(2024, 8, 30), 250.0, 10.0, 260.0, 250.0),
            (date(2024, 11, 30), 250.0, 5.0, 255.0, 0.0),
        ]
        self.assertRecordValues(self._schedule(contract), [dict(zip(keys, row)) for row in rows])
        self.assertRecordValues(
            contract,
            [
                {
                    "installment_amount": 270.0,
                    "total_interest": 50.0,
                    "total_amount": 1050.0,
                    "end_date": date(2024, 11, 30),
                    "periodic_rate": 2.0,
                    # (1.02 ** 4 - 1) * 100 = 8.243216
                    "effective_rate": 8.2432,
                }
            ],
        )

    def test_due_dates_clamped_to_month_end_without_drift(self):
        """From January 31 of a common year: Feb 28, then back to the 31st / 30th (not the 28th)."""
        contract = self._create_contract(start_date=date(2023, 1, 31), term=4)
        self.assertEqual(
            self._schedule(contract).mapped("due_date"),
            [date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30), date(2023, 5, 31)],
        )
        self.assertEqual(contract.end_date, date(2023, 5, 31))

    def test_principal_sums_to_financed_amount(self):
        """Over a long odd-rate schedule every cent of the amount financed is repaid, no more."""
        for plan, term in ((self.plan_annuity, 37), (self.plan_equal_principal, 13), (self.plan_interest_only, 24)):
            with self.subTest(plan=plan.name):
                contract = self._create_contract(
                    plan_id=plan.id, term=term, annual_rate=7.35, down_payment=123.45, residual_value=0.0
                )
                # 1000.00 - 123.45
                self.assertEqual(contract.financed_amount, 876.55)
                lines = self._schedule(contract)
                self.assertEqual(len(lines), term)
                self.assertEqual(_cents(lines.mapped("principal")), Decimal("876.55"))
                self.assertEqual(lines[-1].balance, 0.0)
                for line in lines:
                    self.assertEqual(
                        Decimal(str(line.amount)), Decimal(str(line.principal)) + Decimal(str(line.interest))
                    )

    # ------------------------------------------------------------------
    # Amounts and terms
    # ------------------------------------------------------------------
    def test_financed_amount_items_plus_financed_fees_less_down_payment(self):
        contract = self._create_contract(
            line_ids=[
                Command.create({"product_id": self.product_trailer.id, "quantity": 2.0}),  # 2 x 450.00
                Command.create({"product_id": self.product_excavator.id}),  # 1,000.00
            ],
            fee_ids=[
                Command.create({"fee_type_id": self.fee_type_insurance.id, "amount": 150.0}),
                Command.create({"fee_type_id": self.fee_type_registration.id, "amount": 30.0}),
            ],
            down_payment=400.0,
        )
        self.assertRecordValues(contract.fee_ids.sorted("id"), [{"financed": True}, {"financed": False}])
        self.assertRecordValues(
            contract,
            [
                {
                    "items_total": 1900.00,
                    "fees_financed": 150.00,
                    "fees_upfront": 30.00,
                    "down_payment": 400.00,
                    # 1,900.00 + 150.00 - 400.00; the registration is paid up front
                    "financed_amount": 1650.00,
                }
            ],
        )
        self.assertEqual(_cents(contract.schedule_line_ids.mapped("principal")), Decimal("1650.00"))

    def test_plan_terms_copied_and_changeable_in_draft(self):
        contract = self._create_contract(plan_id=self.plan_equal_principal.id, start_date=date(2023, 11, 30))
        self.assertRecordValues(
            contract,
            [
                {
                    "term": 4,
                    "period_months": 3,
                    "annual_rate": 8.0,
                    "repayment_method": "equal_principal",
                    "payment_timing": "arrears",
                    "lease_type": "direct",
                }
            ],
        )
        # Six quarters of 1,000.00 / 6 = 166.666... -> 166.67, the last one 166.65.
        contract.term = 6
        lines = self._schedule(contract)
        self.assertEqual(len(lines), 6)
        self.assertEqual(lines.mapped("principal"), [166.67] * 5 + [166.65])
        self.assertEqual(contract.end_date, date(2025, 5, 30))
        self.assertEqual(self.plan_equal_principal.term, 4, "the plan keeps its own term")

        # Another plan brings its own terms and a new schedule.
        contract.plan_id = self.plan_annuity
        self.assertRecordValues(
            contract,
            [{"term": 3, "period_months": 1, "annual_rate": 12.0, "repayment_method": "annuity"}],
        )
        self.assertEqual(self._schedule(contract).mapped("amount"), [340.02, 340.02, 340.03])

    def test_rate_change_under_review_rebuilds_schedule(self):
        contract = self._create_contract()
        contract.action_submit()
        self.assertEqual(contract.state, "review")
        contract.annual_rate = 0.0
        # No interest: 1000 / 3 = 333.33, the last one takes the remaining cent.
        self.assertEqual(self._schedule(contract).mapped("amount"), [333.33, 333.33, 333.34])
        self.assertEqual(contract.total_interest, 0.0)
        self.assertEqual(contract.apr, 0.0)

    def test_no_schedule_without_start_date_but_its_figures(self):
        """A draft without a start date has no schedule lines yet, but its instalment, interest
        and APR do not depend on the date (issue 9, item 16): 1,000.00 at 12 %, 3 monthly
        instalments in arrears: 1000 x 0.01 / (1 - 1.01 ** -3) = 340.0221 -> 340.02, and the
        last one 340.03 (interest 10.00 + 6.70 + 3.37 = 20.07)."""
        contract = self._create_contract(start_date=False)
        self.assertFalse(contract.schedule_line_ids)
        self.assertFalse(contract.end_date)
        self.assertEqual(contract.installment_amount, 340.02)
        self.assertEqual(contract.total_interest, 20.07)
        self.assertEqual(contract.total_amount, 1020.07)
        self.assertAlmostEqual(contract.apr, irr_apr([-1000.00, 340.02, 340.02, 340.03], 1), delta=0.0001)
        contract.start_date = date(2024, 1, 31)
        self.assertEqual(len(contract.schedule_line_ids), 3)
        self.assertEqual((contract.installment_amount, contract.total_interest), (340.02, 20.07))
        self.assertEqual(contract.end_date, date(2024, 4, 30))

    # ------------------------------------------------------------------
    # Freezing
    # ------------------------------------------------------------------
    def _schedule_snapshot(self, contract):
        return [
            (line.id, line.due_date, line.principal, line.interest, line.amount, line.balance)
            for line in self._schedule(contract)
        ]

    def test_terms_frozen_once_active(self):
        contract = self._activate(self._create_contract())
        self.assertEqual(contract.state, "active")
        snapshot = self._schedule_snapshot(contract)
        forbidden = {
            "term": {"term": 6},
            "annual_rate": {"annual_rate": 5.0},
            "down_payment": {"down_payment": 50.0},
            "residual_value": {"residual_value": 100.0},
            "line_ids": {"line_ids": [Command.create({"product_id": self.product_trailer.id})]},
            "fee_ids": {"fee_ids": [Command.create({"fee_type_id": self.fee_type_insurance.id, "amount": 10.0})]},
            "start_date": {"start_date": date(2024, 2, 15)},
        }
        for label, vals in forbidden.items():
            with self.subTest(field=label), self.assertRaises(UserError):
                contract.with_user(self.manager_1).write(vals)
        self.assertRecordValues(
            contract,
            [
                {
                    "term": 3,
                    "annual_rate": 12.0,
                    "down_payment": 0.0,
                    "residual_value": 0.0,
                    "start_date": date(2024, 1, 31),
                    "financed_amount": 1000.0,
                    "installment_amount": 340.02,
                }
            ],
        )
        self.assertEqual(len(contract.line_ids), 1)
        self.assertFalse(contract.fee_ids)
        self.assertEqual(self._schedule_snapshot(contract), snapshot)

        # Writing the same start date again is harmless.
        contract.write({"start_date": date(2024, 1, 31)})
        self.assertEqual(self._schedule_snapshot(contract), snapshot)

    def test_items_fees_and_schedule_lines_frozen_once_active(self):
        contract = self._activate(
            self._create_contract(fee_ids=[Command.create({"fee_type_id": self.fee_type_insurance.id, "amount": 60.0})])
        )
        snapshot = self._schedule_snapshot(contract)
        # As a Leasing Manager (any user but the system itself, which rewrites an active lease's
        # schedule through the changes during the lease).
        as_manager = contract.with_user(self.manager_1)
        line, fee, schedule_line = as_manager.line_ids, as_manager.fee_ids, self._schedule(as_manager)[0]
        with self.assertRaises(UserError):
            line.write({"price_unit": 2000.0})
        with self.assertRaises(UserError):
            fee.write({"amount": 0.0})
        # The frozen schedule's own check, then the access rules: nobody but the system writes it.
        with self.assertRaisesRegex(UserError, "frozen"):
            schedule_line.write({"amount": 1.0})
        with self.assertRaisesRegex(UserError, "frozen"):
            schedule_line.write({"due_date": date(2030, 1, 1)})
        with self.assertRaises(AccessError):
            schedule_line.write({"state": "paid"})
        with self.assertRaises(UserError):
            as_manager.action_compute_schedule()
        for records, error in ((line, UserError), (fee, UserError), (schedule_line, AccessError)):
            with self.subTest(model=records._name), self.assertRaises(error), self.env.cr.savepoint():
                records.unlink()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.env["leasing.contract.line"].with_user(self.manager_1).create(
                {"contract_id": contract.id, "product_id": self.product_trailer.id}
            )
        with self.assertRaisesRegex(UserError, "frozen"), self.env.cr.savepoint():
            self.env["leasing.schedule.line"].with_user(self.manager_1).create(
                {"contract_id": contract.id, "sequence": 9, "due_date": date(2030, 1, 1), "amount": 5.0}
            )
        self.assertEqual(line.price_unit, 1000.0)
        self.assertEqual(fee.amount, 60.0)
        self.assertEqual(contract.financed_amount, 1060.0)
        self.assertEqual(len(contract.line_ids), 1)
        self.assertEqual(self._schedule_snapshot(contract), snapshot)

    def test_terms_frozen_at_approval_but_start_date_still_moves_schedule(self):
        contract = self._create_contract()
        contract.with_user(self.manager_1).action_submit()
        self._complete_review(contract)
        contract.with_user(self.manager_2).action_approve()
        with self.assertRaises(UserError):
            contract.with_user(self.manager_1).write({"term": 12})
        self.assertEqual(contract.term, 3)
        contract.start_date = date(2024, 2, 29)
        self.assertEqual(
            self._schedule(contract).mapped("due_date"), [date(2024, 3, 29), date(2024, 4, 29), date(2024, 5, 29)]
        )
        self.assertEqual(self._schedule(contract).mapped("amount"), [340.02, 340.02, 340.03])

    # ------------------------------------------------------------------
    # Rates
    # ------------------------------------------------------------------
    def test_periodic_and_effective_rates(self):
        contract = self._create_contract()
        # 12 % / 12 = 1 % a month; (1.01 ** 12 - 1) * 100 = 12.682503...
        self.assertAlmostEqual(contract.periodic_rate, 1.0, places=6)
        self.assertAlmostEqual(contract.effective_rate, 12.6825, places=4)

    def test_apr_without_fees_is_the_effective_rate(self):
        contract = self._create_contract()
        expected = irr_apr([-1000.00, 340.02, 340.02, 340.03], 1)
        self.assertAlmostEqual(contract.apr, expected, delta=0.0001)
        # The rounding of the instalments moves it by less than a hundredth of a point.
        self.assertAlmostEqual(contract.apr, 12.6825, delta=0.01)

    def test_apr_rises_with_upfront_fees(self):
        plain = self._create_contract()
        with_fee = self._create_contract(
            fee_ids=[Command.create({"fee_type_id": self.fee_type_registration.id, "amount": 30.0})]
        )
        # An up-front fee changes neither the credit nor the schedule...
        self.assertEqual(with_fee.financed_amount, 1000.0)
        self.assertEqual(with_fee.fees_upfront, 30.0)
        self.assertEqual(self._schedule(with_fee).mapped("amount"), [340.02, 340.02, 340.03])
        # ... but the lessee really receives 970.00 for the same instalments.
        expected = irr_apr([-970.00, 340.02, 340.02, 340.03], 1)
        self.assertAlmostEqual(with_fee.apr, expected, delta=0.0001)
        self.assertGreater(with_fee.apr, plain.apr + 1.0)

    def test_apr_in_advance_nets_first_instalment(self):
        """In advance the first instalment is paid on the day of the disbursement."""
        contract = self._create_contract(
            plan_id=self.plan_interest_only.id, repayment_method="annuity", down_payment=0.0
        )
        # Period 0: -1000 + 271.30; the residual falls with the last period's cash flow.
        expected = irr_apr([-1000.00 + 271.30, 271.30, 271.32, 200.00], 1)
        self.assertAlmostEqual(contract.apr, expected, delta=0.0001)
        self.assertAlmostEqual(contract.apr, 12.6825, delta=0.02)

    def test_half_cent_ties_round_up(self):
        """Issue 9, item 11: financed 1,000,000.00, residual 999,000.01, 2 instalments at 6 %,
        equal principal, in arrears: (F - R) / n = 999.99 / 2 = 499.995 rounds half-up to 500.00
        (a float subtraction gave 499.99 before)."""
        plan = self.env["leasing.plan"].create(
            {
                "name": "Equal principal, 2 months",
                "repayment_method": "equal_principal",
                "payment_timing": "arrears",
                "period_months": 1,
                "term": 2,
                "annual_rate": 6.0,
            }
        )
        contract = self._create_contract(
            plan_id=plan.id,
            line_ids=[Command.create({"product_id": self.product_excavator.id, "price_unit": 1000000.0})],
        )
        contract.residual_value = 999000.01
        principals = self._schedule(contract).mapped("principal")
        self.assertEqual(principals, [500.0, 499.99, 999000.01])
