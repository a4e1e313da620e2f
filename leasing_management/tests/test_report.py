from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_ledger import LEASING_MANAGER, LeasingLedgerCommon

MEASURES = ("down_payment", "deposit", "financed_amount", "collected", "outstanding", "overdue", "uncollected")


@tagged("post_install", "-at_install")
class TestLeasingReport(LeasingLedgerCommon):
    """Leasing statistics (``leasing.report``) against hand-worked figures.

    Three contracts, no taxes, rates per month r = 12 % / 12 = 1 %:

    * C1, plan A (annuity, monthly, in arrears, 3 instalments), active from 2024-01-31: an
      excavator at 1,000 and a trailer at 500 (items 1,500), down payment 300, deposit 150,
      financed 1,200. Instalment = 1200 x 0.01 / (1 - 1.01^-3) = 408.0264 -> 408.03:
        #1 2024-02-29 interest 12.00, principal 396.03, balance 803.97 - paid in full
        #2 2024-03-31 interest 8.04 (803.97 x 1 %), principal 399.99, balance 403.98 - 200 paid
        #3 2024-04-30 interest 4.04 (403.98 x 1 %), principal 403.98, amount 408.02 - unpaid
      collected 408.03 + 200 = 608.03; outstanding (unpaid principal) 399.99 + 403.98 = 803.97;
      overdue 208.03 + 408.02 = 616.05 (both past due on 2024-05-15).
    * C2, plan B (equal principal, monthly, in arrears, 2 instalments), active from 2024-03-31:
      a forklift at 800 and a trailer at 500 (items 1,300), down payment 100, no deposit,
      financed 1,200:
        #1 2024-04-30 principal 600, interest 12.00, amount 612.00 - paid in full
        #2 2024-05-31 principal 600, interest 6.00, amount 606.00 - not yet invoiced
      collected 612.00, outstanding 600.00, nothing overdue.
    * C3, plan A, draft: an excavator at 1,000, down payment 200, deposit 100, financed 800;
      nothing collected, and its schedule is not outstanding (not in force).

    Items' shares, by price / items price, rounded, the contract's last item taking the rest:
    C1 excavator 2/3, trailer 1/3; C2 forklift 8/13, trailer 5/13.
    """

    USER_PREFIX = "h8_report"
    APPROVER_GROUPS = f"{LEASING_MANAGER},account.group_account_invoice"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Product = cls.env["product.product"]
        cls.excavator = Product.create({"name": "Excavator", "lst_price": 1000.0})
        cls.trailer = Product.create({"name": "Trailer", "lst_price": 500.0})
        cls.forklift = Product.create({"name": "Forklift", "lst_price": 800.0})
        cls.lessee_1 = cls.env["res.partner"].create({"name": "Northwind Haulage", "is_company": True})
        cls.lessee_2 = cls.env["res.partner"].create({"name": "Tajo Logistics", "is_company": True})
        Plan = cls.env["leasing.plan"]
        common = {"payment_timing": "arrears", "period_months": 1, "annual_rate": 12.0}
        cls.plan_a = Plan.create(dict(common, name="Plan A", repayment_method="annuity", term=3))
        cls.plan_b = Plan.create(dict(common, name="Plan B", repayment_method="equal_principal", term=2))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _contract(self, plan, partner, start, items, **values):
        return self.env["leasing.contract"].create(
            {
                "plan_id": plan.id,
                "partner_id": partner.id,
                "start_date": start,
                "signing_date": start,
                "line_ids": [Command.create({"product_id": p.id, "price_unit": price}) for p, price in items],
                **values,
            }
        )

    def _report(self, groupby, domain=()):
        rows = self.env["leasing.report"]._read_group(
            [("contract_id", "in", self.contracts.ids), *domain], [groupby], [f"{m}:sum" for m in MEASURES]
        )
        return {key: dict(zip(MEASURES, sums)) for key, *sums in rows}

    def _scenario(self):
        self.c1 = self._contract(
            self.plan_a,
            self.lessee_1,
            date(2024, 1, 31),
            [(self.excavator, 1000.0), (self.trailer, 500.0)],
            down_payment=300.0,
            deposit=150.0,
        )
        self.c2 = self._contract(
            self.plan_b,
            self.lessee_2,
            date(2024, 3, 31),
            [(self.forklift, 800.0), (self.trailer, 500.0)],
            down_payment=100.0,
            deposit=0.0,
        )
        self.c3 = self._contract(
            self.plan_a, self.lessee_1, date(2024, 5, 31), [(self.excavator, 1000.0)], down_payment=200.0, deposit=100.0
        )
        self.contracts = self.c1 | self.c2 | self.c3
        with freeze_time("2024-01-31"):
            self._submit_and_activate(self.c1)
            self._pay(self.c1.upfront_invoice_id, 450.0, date(2024, 1, 31))
        with freeze_time("2024-03-31"):
            self._submit_and_activate(self.c2)
            self._pay(self.c2.upfront_invoice_id, 100.0, date(2024, 3, 31))
        with freeze_time("2024-05-15"):
            # Due within the 10-day horizon: C1 #1-#3, C2 #1 (C2 #2 falls due on 2024-05-31).
            (self.c1 | self.c2).action_invoice_due()
            c1_lines = self.c1.schedule_line_ids.sorted("sequence")
            self._pay(c1_lines[0].invoice_id, 408.03, date(2024, 3, 1))
            self._pay(c1_lines[1].invoice_id, 200.0, date(2024, 4, 5))
            self._pay(self.c2.schedule_line_ids.sorted("sequence")[0].invoice_id, 612.0, date(2024, 5, 10))
            self.env["leasing.schedule.line"]._cron_refresh_overdue()

    def assertFigures(self, actual, expected):
        for measure, amount in expected.items():
            self.assertAlmostEqual(actual[measure], amount, places=2, msg=measure)

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_sums_per_plan_and_product(self):
        self._scenario()
        self.assertEqual(self.c1.schedule_line_ids.sorted("sequence").mapped("state"), ["paid", "overdue", "overdue"])
        self.assertEqual(self.c2.schedule_line_ids.sorted("sequence").mapped("state"), ["paid", "planned"])

        per_plan = self._report("plan_id")
        # Plan A = C1 + C3: down 300 + 200, deposit 150 + 100, financed 1,200 + 800; C3 is a draft.
        self.assertFigures(
            per_plan[self.plan_a],
            {
                "down_payment": 500.0,
                "deposit": 250.0,
                "financed_amount": 2000.0,
                "collected": 608.03,
                "outstanding": 803.97,
                "overdue": 616.05,
                # Overdue since 2024: far more than 90 days by the database's clock.
                "uncollected": 616.05,
            },
        )
        self.assertFigures(
            per_plan[self.plan_b],
            {
                "down_payment": 100.0,
                "deposit": 0.0,
                "financed_amount": 1200.0,
                "collected": 612.0,
                "outstanding": 600.0,
                "overdue": 0.0,
                "uncollected": 0.0,
            },
        )

        per_product = self._report("product_id")
        # Excavator: C1 x 2/3 (300 -> 200.00, 150 -> 100.00, 1200 -> 800.00, 608.03 -> 405.35,
        # 803.97 -> 535.98, 616.05 -> 410.70) + C3 whole (200, 100, 800, nothing else).
        self.assertFigures(
            per_product[self.excavator],
            {
                "down_payment": 400.0,
                "deposit": 200.0,
                "financed_amount": 1600.0,
                "collected": 405.35,
                "outstanding": 535.98,
                "overdue": 410.70,
                "uncollected": 410.70,
            },
        )
        # Trailer: C1's rest (100, 50, 400, 608.03 - 405.35 = 202.68, 803.97 - 535.98 = 267.99,
        # 616.05 - 410.70 = 205.35) + C2's rest (100 - 61.54 = 38.46, 0, 1200 - 738.46 = 461.54,
        # 612 - 376.62 = 235.38, 600 - 369.23 = 230.77).
        self.assertFigures(
            per_product[self.trailer],
            {
                "down_payment": 138.46,
                "deposit": 50.0,
                "financed_amount": 861.54,
                "collected": 438.06,
                "outstanding": 498.76,
                "overdue": 205.35,
                "uncollected": 205.35,
            },
        )
        # Forklift: C2 x 8/13: 100 -> 61.54, 1200 -> 738.46, 612 -> 376.62 (376.615), 600 -> 369.23.
        self.assertFigures(
            per_product[self.forklift],
            {
                "down_payment": 61.54,
                "deposit": 0.0,
                "financed_amount": 738.46,
                "collected": 376.62,
                "outstanding": 369.23,
                "overdue": 0.0,
                "uncollected": 0.0,
            },
        )

        # Filtered by status: only the contracts in force.
        in_force = self._report("plan_id", [("state", "in", ("active", "closed"))])
        self.assertAlmostEqual(in_force[self.plan_a]["financed_amount"], 1200.0, places=2)

    def test_items_add_up_to_the_contracts_own_figures(self):
        self._scenario()
        per_contract = self._report("contract_id")
        with freeze_time("2024-05-15"):
            for contract in self.contracts:
                lines = contract.schedule_line_ids
                overdue_lines = lines.filtered(lambda line: line.state == "overdue")
                figures = per_contract[contract]
                currency = contract.currency_id
                for measure, own in (
                    ("down_payment", contract.down_payment),
                    ("deposit", contract.deposit),
                    ("financed_amount", contract.financed_amount),
                    ("collected", sum(lines.mapped("amount_paid"))),
                    ("overdue", sum(overdue_lines.mapped("amount_residual"))),
                ):
                    self.assertFalse(currency.compare_amounts(figures[measure], own), f"{contract.name} {measure}")
                if contract.state == "active":
                    # Unpaid principal: not yet due, plus what fell due and is still unpaid.
                    own = contract.outstanding_principal + sum(overdue_lines.mapped("principal"))
                    self.assertFalse(currency.compare_amounts(figures["outstanding"], own), contract.name)
                    # The upfront invoices are paid: the ledger's overdue is the schedule's.
                    self.assertFalse(currency.compare_amounts(figures["overdue"], contract.amount_overdue))

    def test_uncollected_after_ninety_days(self):
        """Overdue for more than 90 days by the database's clock (CURRENT_DATE, which freeze_time
        cannot move): the dates are relative to today, weeks away from the 90-day line.

        Quarterly annuity at 12 % (r = 3 %), 2 instalments on 1,000 financed:
        1000 x 0.03 / (1 - 1.03^-2) = 522.6108 -> 522.61; #1 interest 30.00, principal 492.61,
        balance 507.39; #2 interest 15.22 (507.39 x 3 %), principal 507.39, amount 522.61.
        Start 200 days ago: #1 fell due 108 to 111 days ago, #2 17 to 20 days ago."""
        plan = self.env["leasing.plan"].create(
            {
                "name": "Quarterly",
                "repayment_method": "annuity",
                "payment_timing": "arrears",
                "period_months": 3,
                "term": 2,
                "annual_rate": 12.0,
            }
        )
        today = date.today()
        contract = self._contract(plan, self.lessee_2, today - timedelta(days=200), [(self.forklift, 1000.0)])
        self.contracts = contract
        self._submit_and_activate(contract)
        contract.action_invoice_due()
        self.assertEqual(contract.schedule_line_ids.mapped("state"), ["overdue", "overdue"])
        figures = self._report("contract_id")[contract]
        self.assertFigures(figures, {"overdue": 1045.22, "uncollected": 522.61, "outstanding": 1000.0})

    def test_shares_add_up_to_the_cent(self):
        """Three items at 100.00 sharing a down payment of 100.00: 33.33, 33.33 and, for the
        last item, the remaining 33.34; the amount financed 200.00: 66.67, 66.67, 66.66."""
        contract = self._contract(
            self.plan_a,
            self.lessee_1,
            date(2024, 1, 31),
            [(self.excavator, 100.0), (self.trailer, 100.0), (self.forklift, 100.0)],
            down_payment=100.0,
        )
        rows = self.env["leasing.report"].search([("contract_id", "=", contract.id)], order="id")
        self.assertEqual(rows.product_id, self.excavator | self.trailer | self.forklift)
        self.assertEqual(rows.mapped("down_payment"), [33.33, 33.33, 33.34])
        self.assertEqual(rows.mapped("financed_amount"), [66.67, 66.67, 66.66])

    def test_read_only_and_per_company(self):
        self._scenario()
        Report = self.env["leasing.report"].with_user(self.seller)
        rows = Report.search([("contract_id", "in", self.contracts.ids)])
        # One row per leased item: 2 + 2 + 1.
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows.contract_id, self.contracts)
        with self.assertRaises(AccessError):
            rows[:1].write({"deposit": 1.0})
        with self.assertRaises(AccessError):
            self.env["leasing.report"].with_user(self.internal_user()).search([])
        other = self.setup_other_company()["company"]
        outsider = new_test_user(
            self.env, "h8_report_outsider", groups="leasing_management.group_leasing_user", company_id=other.id
        )
        self.assertFalse(
            self.env["leasing.report"].with_user(outsider).search([("contract_id", "in", self.contracts.ids)])
        )

    def internal_user(self):
        return new_test_user(self.env, "h8_report_internal", groups="base.group_user", company_id=self.company.id)
