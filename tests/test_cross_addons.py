"""Scenarios across the three addons, on the Odoo database (pytest-odoo)."""

from odoo import Command
from odoo.addons.leasing_collections.tests.common import give_cases
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestLeaseLifeAcrossAddons(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(cls.env, "x_seller", groups="leasing_management.group_leasing_user")
        cls.approver = new_test_user(cls.env, "x_approver", groups="leasing_management.group_leasing_manager")
        cls.collector = new_test_user(cls.env, "x_collector", groups="leasing_collections.group_leasing_collector")
        cls.warehouse = new_test_user(cls.env, "x_warehouse", groups="leasing_fleet.group_leasing_warehouse")
        cls.plan = cls.env["leasing.plan"].create(
            {"name": "Trucks 24", "term": 24, "annual_rate": 9.0, "min_down_payment_pct": 20.0}
        )
        cls.truck = cls.env["product.product"].create({"name": "Tractor unit", "lst_price": 90000.0})
        cls.lessee = cls.env["res.partner"].create({"name": "Transportes Andinos S.A.", "is_company": True})

    def test_contract_from_seller_to_collector(self):
        contract = (
            self.env["leasing.contract"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.lessee.id,
                    "plan_id": self.plan.id,
                    "start_date": "2026-03-31",
                    "line_ids": [Command.create({"product_id": self.truck.id})],
                }
            )
        )
        # 90,000 less 20 % down payment
        self.assertEqual(contract.financed_amount, 72000.0)
        self.assertEqual(len(contract.schedule_line_ids), 24)
        contract.action_submit()
        review = (
            self.env["leasing.credit.review"]
            .with_user(self.seller)
            .create(
                {
                    "contract_id": contract.id,
                    "identity_verified": True,
                    "years_in_business": 8,
                    "monthly_income": 60000.0,
                    "total_assets": 500000.0,
                    "total_liabilities": 100000.0,
                    "documents_received": True,
                }
            )
        )
        review.action_done()
        self.assertEqual(review.recommendation, "approve")

        # A collector sees nothing to follow until the lease is in force (and only the leases
        # behind their collection cases).
        give_cases(contract, self.collector)
        action = self.env.ref("leasing_collections.action_leasing_contract_collections")
        domain = safe_eval(action.domain) + [("id", "=", contract.id)]
        in_force = self.env["leasing.contract"].with_user(self.collector)
        self.assertFalse(in_force.search(domain))
        with self.assertRaises(AccessError):
            contract.with_user(self.collector).action_approve()
        with self.assertRaises(AccessError):
            contract.with_user(self.warehouse).action_approve()

        contract.with_user(self.approver).action_approve()
        contract.with_user(self.approver).action_activate()
        self.assertEqual(contract.state, "active")
        self.assertEqual(in_force.search(domain), contract)
        # Everyone downstream reads the frozen schedule.
        for user in (self.collector, self.warehouse):
            lines = contract.with_user(user).schedule_line_ids
            self.assertEqual(len(lines), 24)
            self.assertAlmostEqual(sum(lines.mapped("principal")), 72000.0, places=2)


@tagged("post_install", "-at_install")
class TestRightsInTheUserForm(TransactionCase):
    """Settings > Users offers each team's rights as one choice: Leasing (User / Manager),
    Collections (Collector / Collection Manager), Leased Units (Warehouse) and Dispatch Approval
    (Risk Approver), not as loose
    checkboxes shown only in debug mode."""

    def test_each_team_is_a_selection_of_the_user_form(self):
        arch = self.env.ref("base.user_groups_view").arch

        def group_ids(*xmlids):
            return "_".join(str(self.env.ref(xmlid).id) for xmlid in xmlids)

        for category, groups in (
            ("leasing_management.module_category_leasing", ("group_leasing_user", "group_leasing_manager")),
            (
                "leasing_collections.module_category_leasing_collections",
                ("group_leasing_collector", "group_leasing_collection_manager"),
            ),
            ("leasing_fleet.module_category_leasing_fleet", ("group_leasing_warehouse",)),
            ("leasing_fleet.module_category_leasing_risk", ("group_leasing_risk_approver",)),
        ):
            addon = category.split(".")[0]
            with self.subTest(category=category):
                groups_of_category = self.env["res.groups"].search([("category_id", "=", self.env.ref(category).id)])
                self.assertEqual(
                    set(groups_of_category.mapped(lambda g: g.get_external_id()[g.id])),
                    {f"{addon}.{group}" for group in groups},
                )
                field_name = "sel_groups_" + group_ids(*(f"{addon}.{group}" for group in groups))
                self.assertIn(f'name="{field_name}"', arch)
