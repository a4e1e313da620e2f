from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LeasingCommon


@tagged("post_install", "-at_install")
class TestSecurity(LeasingCommon):
    def test_groups(self):
        self.assertTrue(self.manager_1.has_group("leasing_management.group_leasing_user"))
        self.assertFalse(self.leasing_user.has_group("leasing_management.group_leasing_manager"))
        self.assertFalse(self.internal_user.has_group("leasing_management.group_leasing_user"))

    def test_leasing_user_reads_contracts(self):
        contract = self._create_contract()
        Contract = self.env["leasing.contract"].with_user(self.leasing_user)
        self.assertIn(contract, Contract.search([]))
        as_user = contract.with_user(self.leasing_user)
        self.assertEqual(as_user.installment_amount, 340.02)
        self.assertEqual(len(as_user.schedule_line_ids), 3)
        self.assertEqual(as_user.schedule_line_ids.mapped("amount"), [340.02, 340.02, 340.03])

    def test_leasing_user_prepares_contract_without_start_date(self):
        contract = self._create_contract(start_date=False)
        as_user = (
            self.env["leasing.contract"]
            .with_user(self.leasing_user)
            .create(
                {
                    "partner_id": self.partner.id,
                    "plan_id": self.plan_annuity.id,
                    "line_ids": [Command.create({"product_id": self.product_excavator.id})],
                }
            )
        )
        self.assertEqual(as_user.financed_amount, contract.financed_amount)
        self.assertEqual(as_user.user_id, self.leasing_user)
        as_user.action_submit()
        self.assertEqual(as_user.state, "review")

    def test_leasing_user_creates_contract_with_schedule(self):
        """Leasing Users prepare contracts: the schedule is part of a contract with a start date."""
        contract = (
            self.env["leasing.contract"]
            .with_user(self.leasing_user)
            .create(
                {
                    "partner_id": self.partner.id,
                    "plan_id": self.plan_annuity.id,
                    "start_date": date(2024, 1, 31),
                    "line_ids": [Command.create({"product_id": self.product_excavator.id})],
                }
            )
        )
        self.assertEqual(contract.schedule_line_ids.mapped("amount"), [340.02, 340.02, 340.03])
        # ... and changes its terms while it is a draft.
        contract.term = 4
        self.assertEqual(len(contract.schedule_line_ids), 4)

    def test_leasing_user_changes_draft_terms(self):
        """A draft prepared by a manager and handed to a Leasing User, who renegotiates the term."""
        contract = self._create_contract()
        contract.with_user(self.leasing_user).write({"term": 4})
        self.assertEqual(len(contract.schedule_line_ids), 4)

    def test_leasing_user_cannot_configure_plans(self):
        Plan = self.env["leasing.plan"].with_user(self.leasing_user)
        self.assertIn(self.plan_annuity, Plan.search([]))
        with self.assertRaises(AccessError):
            Plan.create({"name": "My own plan"})
        with self.assertRaises(AccessError):
            self.plan_annuity.with_user(self.leasing_user).write({"annual_rate": 1.0})
        self.assertEqual(self.plan_annuity.annual_rate, 12.0)
        with self.assertRaises(AccessError):
            self.env["leasing.fee.type"].with_user(self.leasing_user).create({"name": "Hidden fee"})

    def test_leasing_user_cannot_approve_delete_or_touch_schedule(self):
        contract = self._create_contract()
        contract.with_user(self.manager_1).action_submit()
        self._complete_review(contract)
        with self.assertRaises(AccessError):
            contract.with_user(self.leasing_user).action_approve()
        self.assertEqual(contract.state, "review")
        with self.assertRaises(AccessError):
            contract.schedule_line_ids[0].with_user(self.leasing_user).write({"amount": 1.0})
        self.assertEqual(contract.schedule_line_ids[0].amount, 340.02)

        draft = self._create_contract()
        with self.assertRaises(AccessError):
            draft.with_user(self.leasing_user).unlink()
        self.assertTrue(draft.exists())
        draft.with_user(self.manager_1).unlink()
        self.assertFalse(draft.exists())

    def test_leasing_user_cannot_approve_by_writing_the_state(self):
        """The approval (by another manager, after a completed review) cannot be skipped by
        writing the state: the buttons are not the only way in (RPC, imports, server actions)."""
        contract = self._create_contract()
        contract.with_user(self.leasing_user).action_submit()
        self._complete_review(contract)
        as_user = contract.with_user(self.leasing_user)
        # AccessError is a UserError: either refusal will do.
        with self.assertRaises(UserError):
            as_user.write({"state": "approved", "approved_by_id": self.leasing_user.id})
        self.assertEqual(contract.state, "review")
        self.assertFalse(contract.approved_by_id)

        draft = self._create_contract()
        with self.assertRaises(UserError):
            draft.with_user(self.leasing_user).write({"state": "active"})
        self.assertEqual(draft.state, "draft")

    def test_plain_user_cannot_read_leasing(self):
        contract = self._create_contract()
        for model, record in (
            ("leasing.contract", contract),
            ("leasing.schedule.line", contract.schedule_line_ids[0]),
            ("leasing.plan", self.plan_annuity),
        ):
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.internal_user).search([])
                with self.assertRaises(AccessError):
                    record.with_user(self.internal_user).read(["display_name"])
        with self.assertRaises(AccessError):
            self.env["leasing.contract"].with_user(self.internal_user).create(
                {"partner_id": self.partner.id, "plan_id": self.plan_annuity.id}
            )

    def test_plain_user_still_reads_partners(self):
        """The leasing figures added to partners must not lock other users out of partners: the
        figures are restricted to Leasing Users, and so must be every field that computes them."""
        self._create_contract()
        partner = self.partner.with_user(self.internal_user)
        readable = partner.fields_get(attributes=["type"])
        self.assertNotIn("leasing_contract_count", readable)
        self.assertNotIn("leasing_outstanding_principal", readable)
        leasing_fields = [name for name in readable if name.startswith("leasing_")]
        values = partner.read(["name", *leasing_fields])[0]
        self.assertEqual(values["name"], "Northwind Haulage")


@tagged("post_install", "-at_install")
class TestMultiCompany(LeasingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "Leasing B", "currency_id": cls.currency.id})
        cls.plan_b = (
            cls.env["leasing.plan"]
            .with_company(cls.company_b)
            .create({"name": "Plan B", "term": 2, "annual_rate": 0.0, "period_months": 1})
        )
        cls.user_a = new_test_user(
            cls.env,
            "mc_user_a",
            groups="leasing_management.group_leasing_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.user_ab = new_test_user(
            cls.env,
            "mc_user_ab",
            groups="leasing_management.group_leasing_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )

    def setUp(self):
        super().setUp()
        self.contract_a = self._create_contract()
        self.contract_b = (
            self.env["leasing.contract"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": self.partner.id,
                    "plan_id": self.plan_b.id,
                    "start_date": date(2024, 1, 31),
                    "line_ids": [Command.create({"product_id": self.product_excavator.id, "price_unit": 600.0})],
                }
            )
        )

    def test_contract_created_in_its_company(self):
        self.assertEqual(self.contract_b.company_id, self.company_b)
        self.assertEqual(self.contract_b.schedule_line_ids.company_id, self.company_b)
        self.assertEqual(self.contract_b.schedule_line_ids.mapped("amount"), [300.0, 300.0])
        self.assertEqual(self.contract_a.schedule_line_ids.company_id, self.company_a)

    def test_contract_of_other_company_invisible(self):
        ids = (self.contract_a | self.contract_b).ids
        Contract = self.env["leasing.contract"].with_user(self.user_a)
        self.assertEqual(Contract.search([("id", "in", ids)]), self.contract_a)
        with self.assertRaises(AccessError):
            self.contract_b.with_user(self.user_a).read(["name"])
        lines = self.env["leasing.schedule.line"].with_user(self.user_a).search([("contract_id", "in", ids)])
        self.assertEqual(lines, self.contract_a.schedule_line_ids)
        with self.assertRaises(AccessError):
            self.contract_b.schedule_line_ids[0].with_user(self.user_a).read(["amount"])
        self.assertNotIn(self.plan_b, self.env["leasing.plan"].with_user(self.user_a).search([]))

    def test_user_of_both_companies_sees_both(self):
        ids = (self.contract_a | self.contract_b).ids
        both = (
            self.env["leasing.contract"]
            .with_user(self.user_ab)
            .with_context(allowed_company_ids=(self.company_a | self.company_b).ids)
        )
        self.assertEqual(both.search([("id", "in", ids)]), self.contract_a | self.contract_b)
        only_a = (
            self.env["leasing.contract"].with_user(self.user_ab).with_context(allowed_company_ids=self.company_a.ids)
        )
        self.assertEqual(only_a.search([("id", "in", ids)]), self.contract_a)

    def test_plan_of_other_company_refused(self):
        count = self.env["leasing.contract"].search_count([])
        with self.assertRaises(UserError):
            self._create_contract(plan_id=self.plan_b.id)
        self.assertEqual(self.env["leasing.contract"].search_count([]), count)
