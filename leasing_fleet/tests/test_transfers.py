from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import FleetCommon


@tagged("post_install", "-at_install")
class TestTransfers(FleetCommon):
    def _request(self, **values):
        return (
            self.env["leasing.unit.request"]
            .with_user(self.keeper)
            .create({"warehouse_id": self.store.id, "product_id": self.excavator.id, "quantity": 1, **values})
        )

    def test_inter_branch_transfer_through_transit(self):
        """HQ sends a unit to the store: transfer_transit from the shipment until the store's
        receipt is done, then available at the store."""
        first, second = self._receive("EXC-X1", "EXC-X2")
        request = self._request(source_warehouse_id=self.hq.id)
        self.assertTrue(request.name.startswith("UR/"))
        request.action_request()
        self.assertRecordValues(request, [{"state": "requested", "requested_by_id": self.keeper.id}])
        request.action_fulfil_transfer()
        self.assertRecordValues(request, [{"state": "fulfilled", "lot_ids": first.ids}])
        shipment, receipt = request.picking_ids.sorted("id")
        transit = self.company.internal_transit_location_id
        self.assertRecordValues(
            shipment | receipt,
            [
                {"location_id": self.hq.lot_stock_id.id, "location_dest_id": transit.id},
                {"location_id": transit.id, "location_dest_id": self.store.lot_stock_id.id},
            ],
        )
        self.assertEqual(first.leasing_status, "transfer_transit")
        self.assertEqual(second.leasing_status, "available", "Only the unit sent is on its way")
        self._validate(shipment)
        self.assertEqual(receipt.move_line_ids.lot_id, first, "The store receives the very unit sent")
        self.assertRecordValues(
            first, [{"leasing_status": "transfer_transit", "leasing_warehouse_id": self.hq.id}]
        )  # on its way, still counted at the branch that sent it
        self._validate(receipt)
        self.assertRecordValues(first, [{"leasing_status": "available", "leasing_warehouse_id": self.store.id}])

    def test_unit_parked_in_transit_is_relay_transit(self):
        lot = self._receive("EXC-X3")
        transit = self.company.internal_transit_location_id
        self._validate(self._picking(lot, self.hq.lot_stock_id, transit, self.hq.int_type_id))
        self.assertEqual(lot.leasing_status, "relay_transit")
        onward = self._picking(lot, transit, self.store.lot_stock_id, self.store.in_type_id)
        self.assertEqual(lot.leasing_status, "transfer_transit")
        self._validate(onward)
        self.assertRecordValues(lot, [{"leasing_status": "available", "leasing_warehouse_id": self.store.id}])

    def test_direct_transfer_between_branches(self):
        lot = self._receive("EXC-X4")
        picking = self._picking(lot, self.hq.lot_stock_id, self.store.lot_stock_id, self.hq.int_type_id)
        self.assertEqual(lot.leasing_status, "transfer_transit")
        picking.action_cancel()
        self.assertRecordValues(lot, [{"leasing_status": "available", "leasing_warehouse_id": self.hq.id}])

    def test_move_inside_a_branch_is_no_transfer(self):
        lot = self._receive("EXC-X5")
        shelf = self.env["stock.location"].create(
            {"name": "Yard", "usage": "internal", "location_id": self.hq.lot_stock_id.id}
        )
        self._picking(lot, self.hq.lot_stock_id, shelf, self.hq.int_type_id)
        self.assertEqual(lot.leasing_status, "available")

    def test_unit_request_fulfilled_by_a_vendor_receipt(self):
        lots = self._lots("EXC-V1", "EXC-V2")
        request = self._request(quantity=2, vendor_id=self.vendor.id, lot_ids=[(6, 0, lots.ids)])
        request.action_request()
        request.action_fulfil_receipt()
        self.assertEqual(request.state, "fulfilled")
        receipt = request.picking_ids
        self.assertRecordValues(
            receipt, [{"partner_id": self.vendor.id, "location_dest_id": self.store.lot_stock_id.id}]
        )
        self.assertEqual(set(lots.mapped("leasing_status")), {"purchase_transit"})
        self.assertEqual(lots.leasing_warehouse_id, self.store, "Shown at the branch expecting them")
        self._validate(receipt)
        self.assertEqual(set(lots.mapped("leasing_status")), {"available"})
        self.assertEqual(lots.leasing_warehouse_id, self.store)

    def test_vendor_receipt_without_serial_numbers(self):
        request = self._request(quantity=3, vendor_id=self.vendor.id)
        request.action_request()
        request.action_fulfil_receipt()
        self.assertEqual(request.picking_ids.move_ids.product_uom_qty, 3)

    def test_unit_request_refusals(self):
        self._receive("EXC-X6")
        request = self._request(quantity=2, source_warehouse_id=self.hq.id)
        with self.assertRaisesRegex(UserError, "must be requested"):
            request.action_fulfil_transfer()
        request.action_request()
        with self.assertRaisesRegex(UserError, "asks for 2 units; Test HQ has 1 available"):
            request.action_fulfil_transfer()
        request.source_warehouse_id = self.store
        with self.assertRaisesRegex(UserError, "another branch"):
            request.action_fulfil_transfer()
        with self.assertRaisesRegex(UserError, "Choose the vendor"):
            request.action_fulfil_receipt()
        self.assertEqual(request.state, "requested")
        self.assertFalse(request.picking_ids)
        with self.assertRaises(AccessError):
            request.with_user(self.seller).action_cancel()
        with self.assertRaises(AccessError):
            request.write({"state": "fulfilled"})
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")

    def test_reserved_unit_is_not_sent(self):
        lot = self._receive("EXC-X7")
        self._approved_lease(lot)
        request = self._request(source_warehouse_id=self.hq.id, lot_ids=[(6, 0, lot.ids)])
        request.action_request()
        with self.assertRaisesRegex(UserError, "Only available units at Test HQ can be sent: EXC-X7"):
            request.action_fulfil_transfer()

    def test_unit_request_of_another_company_is_hidden(self):
        request = self._request()
        other = self.env["res.company"].create({"name": "Other Fleet Co"})
        outsider = self.env["res.users"].create(
            {
                "name": "Outsider Keeper",
                "login": "fleet_other_keeper",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [(6, 0, [self.env.ref("leasing_fleet.group_leasing_warehouse").id])],
            }
        )
        self.assertFalse(self.env["leasing.unit.request"].with_user(outsider).search([("id", "=", request.id)]))

    def test_picking_links_are_the_systems(self):
        request = self._request()
        picking = self._receipt(self._lots("EXC-L1"))
        with self.assertRaises(AccessError):
            picking.with_user(self.keeper).write({"leasing_unit_request_id": request.id})
        self.assertFalse(picking.leasing_unit_request_id)
