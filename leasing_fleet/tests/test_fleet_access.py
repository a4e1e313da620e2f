from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFleetAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = new_test_user(cls.env, "lease_wh", groups="leasing_fleet.group_leasing_warehouse")
        cls.manager = new_test_user(cls.env, "lease_mgr", groups="leasing_management.group_leasing_manager")

    def test_group_hierarchy(self):
        self.assertTrue(self.warehouse.has_group("leasing_management.group_leasing_reader"))
        self.assertFalse(self.warehouse.has_group("leasing_management.group_leasing_user"))
        self.assertFalse(self.warehouse.has_group("leasing_management.group_leasing_manager"))
        self.assertTrue(self.manager.has_group("leasing_fleet.group_leasing_warehouse"))

    def test_warehouse_user_cannot_approve_contracts(self):
        contract = self.env["leasing.contract"].new({})
        with self.assertRaises(AccessError):
            contract.with_user(self.warehouse).action_approve()

    def test_menu_visible_to_warehouse_only(self):
        menu = self.env.ref("leasing_fleet.menu_leasing_fleet_root")
        visible_for = self.env["ir.ui.menu"].with_user(self.warehouse)._visible_menu_ids()
        self.assertIn(menu.id, visible_for)
        outsider = new_test_user(self.env, "outsider", groups="base.group_user")
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(outsider)._visible_menu_ids())
