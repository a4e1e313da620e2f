from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import give_cases


@tagged("post_install", "-at_install")
class TestCollectionsAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(cls.env, "collector", groups="leasing_collections.group_leasing_collector")
        cls.collection_manager = new_test_user(
            cls.env, "collection_manager", groups="leasing_collections.group_leasing_collection_manager"
        )
        cls.leasing_manager = new_test_user(cls.env, "leasing_mgr", groups="leasing_management.group_leasing_manager")

    def test_group_hierarchy(self):
        # A collector reads the leases behind their cases, not every lease (record rules): not a
        # reader of the leases; preparing or changing them is not theirs. Their manager reads
        # every lease, as before.
        self.assertFalse(self.collector.has_group("leasing_management.group_leasing_reader"))
        self.assertTrue(self.collection_manager.has_group("leasing_management.group_leasing_reader"))
        self.assertFalse(self.collector.has_group("leasing_management.group_leasing_user"))
        self.assertFalse(self.collector.has_group("leasing_collections.group_leasing_collection_manager"))
        self.assertTrue(self.collection_manager.has_group("leasing_collections.group_leasing_collector"))
        self.assertFalse(self.collection_manager.has_group("leasing_management.group_leasing_manager"))
        self.assertTrue(self.leasing_manager.has_group("leasing_collections.group_leasing_collection_manager"))

    def test_collector_reads_leases_but_neither_creates_nor_changes_them(self):
        plan = self.env["leasing.plan"].create({"name": "Plan", "term": 12, "annual_rate": 6.0})
        partner = self.env["res.partner"].create({"name": "Lessee"})
        contract, other = self.env["leasing.contract"].create(
            [{"partner_id": partner.id, "plan_id": plan.id}, {"partner_id": partner.id, "plan_id": plan.id}]
        )
        contracts = self.env["leasing.contract"].with_user(self.collector)
        self.assertFalse(contracts.search([("id", "in", (contract | other).ids)]))
        give_cases(contract, self.collector)
        self.assertEqual(contracts.search([("id", "in", (contract | other).ids)]), contract)
        self.assertEqual(
            self.env["leasing.contract"]
            .with_user(self.collection_manager)
            .search([("id", "in", (contract | other).ids)]),
            contract | other,
        )
        with self.assertRaises(AccessError):
            contracts.create({"partner_id": partner.id, "plan_id": plan.id})
        with self.assertRaises(AccessError):
            contract.with_user(self.collector).write({"note": "Changed by a collector"})
        with self.assertRaises(AccessError):
            contract.with_user(self.collector).action_submit()
        self.assertEqual(contract.state, "draft")
        with self.assertRaises(AccessError):
            self.env["leasing.plan"].with_user(self.collector).create({"name": "Not allowed"})

    def test_leases_in_force_action_lists_active_contracts_only(self):
        plan = self.env["leasing.plan"].create({"name": "Plan", "term": 12, "annual_rate": 6.0})
        product = self.env["product.product"].create({"name": "Forklift", "lst_price": 12000.0})
        partner = self.env["res.partner"].create({"name": "Lessee"})
        vals = {
            "partner_id": partner.id,
            "plan_id": plan.id,
            "start_date": "2026-01-15",
            "line_ids": [Command.create({"product_id": product.id})],
        }
        draft, active = self.env["leasing.contract"].create([vals, dict(vals, state="active")])
        give_cases(draft | active, self.collector)
        action = self.env.ref("leasing_collections.action_leasing_contract_collections")
        domain = safe_eval(action.domain) + [("id", "in", (draft | active).ids)]
        self.assertEqual(self.env[action.res_model].with_user(self.collector).search(domain), active)
