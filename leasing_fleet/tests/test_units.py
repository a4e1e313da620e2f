from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import FleetCommon


@tagged("post_install", "-at_install")
class TestUnits(FleetCommon):
    # ------------------------------------------------------------------
    # Each status through real stock operations
    # ------------------------------------------------------------------
    def test_purchase_transit_then_available_at_its_branch(self):
        lots = self._lots("EXC-P1")
        receipt = self._receipt(lots, self.store)
        self.assertEqual(lots.leasing_status, "purchase_transit")
        self._validate(receipt)
        self.assertRecordValues(
            lots, [{"leasing_status": "available", "leasing_warehouse_id": self.store.id, "leasing_contract_id": False}]
        )

    def test_reserved_on_approved_lease_then_on_lease_when_delivered(self):
        lot = self._receive("EXC-R1")
        contract = self._approved_lease(lot)
        self.assertRecordValues(lot, [{"leasing_status": "reserved", "leasing_contract_id": contract.id}])
        self.assertEqual(lot.leasing_partner_id, self.lessee)
        with freeze_time("2026-01-31"):
            contract.with_user(self.approver).action_activate()
        self.assertEqual(lot.leasing_status, "reserved", "Active but not delivered yet")
        self._deliver(lot, contract)
        self.assertRecordValues(
            lot,
            [{"leasing_status": "on_lease", "leasing_contract_id": contract.id, "leasing_warehouse_id": self.hq.id}],
        )

    def test_cancelled_draft_lease_frees_nothing_it_did_not_hold(self):
        lot = self._receive("EXC-R2")
        contract = self.env["leasing.contract"].with_user(self.seller).create(self._unit_lease_vals(lot))
        self.assertEqual(lot.leasing_status, "available", "A draft lease does not reserve its unit")
        contract.action_cancel()
        self.assertEqual(lot.leasing_status, "available")

    def test_abnormal_set_and_cleared_by_the_warehouse(self):
        lot = self._receive("EXC-A1")
        keeper_lot = lot.with_user(self.keeper)
        with self.assertRaisesRegex(UserError, "Give the reason"):
            keeper_lot.action_leasing_mark_abnormal()
        keeper_lot.leasing_abnormal_reason = "other"
        with self.assertRaisesRegex(UserError, "Say in the note"):
            keeper_lot.action_leasing_mark_abnormal()
        keeper_lot.write({"leasing_abnormal_reason": "damaged", "leasing_abnormal_note": "Boom cracked"})
        with self.assertRaises(AccessError):
            lot.with_user(self.seller).action_leasing_mark_abnormal()
        self.assertEqual(lot.leasing_status, "available")
        keeper_lot.action_leasing_mark_abnormal()
        self.assertRecordValues(lot, [{"leasing_status": "abnormal", "leasing_abnormal": True}])
        keeper_lot.action_leasing_clear_abnormal()
        self.assertRecordValues(
            lot, [{"leasing_status": "available", "leasing_abnormal": False, "leasing_abnormal_reason": False}]
        )

    def test_sold_when_ownership_passes(self):
        lot = self._receive("EXC-S1")
        contract = self._active_lease(lot)
        self._deliver(lot, contract)
        # What the close wizard and the payoff do at the end of a lease paid in full.
        contract._write_system({"state": "closed"})
        self.assertEqual(lot.leasing_status, "on_lease", "Closed without the ownership: still the lessor's")
        contract._transfer_ownership("Paid in full")
        self.assertRecordValues(lot, [{"leasing_status": "sold", "leasing_contract_id": contract.id}])

    def test_returned_when_a_discontinued_unit_is_received(self):
        kept, taken_back = self._receive("EXC-D1", "EXC-D2")
        contract = self._active_lease(kept | taken_back)
        self._deliver(kept | taken_back, contract)
        line = contract.line_ids.filtered(lambda item: item.lot_id == taken_back)
        with freeze_time("2026-02-25"):
            contract.action_invoice_due()
            self.env["leasing.discontinue.wizard"].create(
                {
                    "contract_id": contract.id,
                    "line_id": line.id,
                    "reason": "Returned: engine failure",
                    "date": "2026-02-25",
                }
            ).action_confirm()
        receipt = line.leasing_return_picking_ids
        self.assertEqual(len(receipt), 1, "Discontinuing the item creates its return receipt")
        self.assertRecordValues(
            receipt,
            [{"partner_id": self.lessee.id, "location_dest_id": self.hq.lot_stock_id.id, "state": "assigned"}],
        )
        self.assertEqual(receipt.move_line_ids.lot_id, taken_back)
        self.assertEqual(taken_back.leasing_status, "on_lease", "Still with the lessee until received")
        self._validate(receipt)
        self.assertRecordValues(
            taken_back | kept,
            [
                {"leasing_status": "returned", "leasing_contract_id": contract.id},
                {"leasing_status": "on_lease", "leasing_contract_id": contract.id},
            ],
        )
        # A returned unit can be leased again: the new lease reserves it.
        again = self._approved_lease(taken_back)
        self.assertRecordValues(taken_back, [{"leasing_status": "reserved", "leasing_contract_id": again.id}])

    def test_status_changes_are_in_the_chatter(self):
        # The test classes of the ledger switch tracking off; the warehouse's chatter is the point here.
        quiet = ("tracking_disable", "mail_notrack")
        self.env = self.env(context={key: value for key, value in self.env.context.items() if key not in quiet})
        lot = self._receive("EXC-T1")
        self._flush_tracking()  # a record created in the transaction tracks its changes after it
        self._approved_lease(lot)
        self._flush_tracking()
        tracked = lot.message_ids.tracking_value_ids.filtered(lambda value: value.field_id.name == "leasing_status")
        self.assertIn("Reserved", tracked.mapped("new_value_char"))

    def _flush_tracking(self):
        """Write the tracking messages, as the commit does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    # ------------------------------------------------------------------
    # Constraints and guards
    # ------------------------------------------------------------------
    def test_unit_on_two_open_leases_is_refused(self):
        lot = self._receive("EXC-C1")
        first = self._approved_lease(lot)
        second = self.env["leasing.contract"].with_user(self.seller).create(self._unit_lease_vals(lot))
        second.action_submit()
        self.env["leasing.credit.review"].with_user(self.seller).create(
            dict(self.REVIEW_FINDINGS, contract_id=second.id)
        ).action_done()
        with self.assertRaises(ValidationError) as refused:
            second.with_user(self.approver).action_approve()
        self.assertIn("EXC-C1 cannot be on two open leases", str(refused.exception))
        self.assertEqual(second.state, "review")
        self.assertEqual(lot.leasing_contract_id, first)

    def test_unit_needs_a_serial_tracked_product_and_quantity_one(self):
        lot = self._receive("EXC-C2")
        plain = self.env["product.product"].create({"name": "Bucket", "lst_price": 100.0})
        with self.assertRaisesRegex(ValidationError, "not tracked by serial number"):
            self.env["leasing.contract"].with_user(self.seller).create(
                self._lease_vals(line_ids=[Command.create({"product_id": plain.id, "lot_id": lot.id})])
            )
        with self.assertRaisesRegex(ValidationError, "its quantity must be 1"):
            self.env["leasing.contract"].with_user(self.seller).create(
                self._lease_vals(
                    line_ids=[Command.create({"product_id": self.excavator.id, "lot_id": lot.id, "quantity": 2})]
                )
            )
        other = self.env["product.product"].create(
            {"name": "Loader", "is_storable": True, "tracking": "serial", "lst_price": 10.0}
        )
        with self.assertRaisesRegex(ValidationError, "not a Loader"):
            self.env["leasing.contract"].with_user(self.seller).create(
                self._lease_vals(line_ids=[Command.create({"product_id": other.id, "lot_id": lot.id})])
            )

    def test_status_is_not_written_by_hand(self):
        lot = self._receive("EXC-G1")
        for vals in ({"leasing_status": "sold"}, {"leasing_abnormal": True}, {"leasing_contract_id": False}):
            with self.assertRaises(AccessError):
                lot.with_user(self.keeper).write(vals)
        self.assertEqual(lot.leasing_status, "available")

    def test_status_is_not_given_by_the_context(self):
        """A caller's default_* keys of the fields only the system sets are dropped: a unit
        created with them in its context starts as the system sets it."""
        lot = (
            self.env["stock.lot"]
            .with_user(self.keeper)
            .with_context(default_lock_state="locked", default_leasing_abnormal=True)
            .create({"name": "EXC-CTX", "product_id": self.excavator.id, "company_id": self.company.id})
        )
        self.assertEqual((lot.lock_state, lot.leasing_abnormal), ("unlocked", False))

    def test_status_of_many_units_in_a_constant_number_of_queries(self):
        """The facts of all the units come from a few grouped queries, not a query per unit."""

        def recompute_queries(lots):
            lots.invalidate_recordset()
            lots._leasing_recompute_status()
            self.env.flush_all()  # flush whatever is pending before counting
            lots._leasing_recompute_status()
            before = self.env.cr.sql_log_count
            lots.mapped("leasing_status")
            return self.env.cr.sql_log_count - before

        few = self._receive(*(f"EXC-Q{index}" for index in range(3)))
        many = self._receive(*(f"EXC-M{index}" for index in range(30)))
        self.assertEqual(set(many.mapped("leasing_status")), {"available"})
        queries = recompute_queries(few)
        self.assertGreater(queries, 0, "The statuses were computed again")
        self.assertEqual(recompute_queries(many), queries)

    def test_warehouse_group_has_no_accounting(self):
        self.assertTrue(self.keeper.has_group("stock.group_stock_user"))
        self.assertFalse(self.keeper.has_group("account.group_account_invoice"))
        self.assertFalse(self.keeper.has_group("account.group_account_readonly"))
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.keeper).search([], limit=1)

    # ------------------------------------------------------------------
    # Branches and the board
    # ------------------------------------------------------------------
    def test_every_branch_has_a_repossessed_location(self):
        for warehouse in self.hq | self.store:
            location = warehouse.leasing_repossessed_location_id
            self.assertTrue(location.leasing_repossessed)
            self.assertEqual(location.usage, "internal")
            self.assertEqual(location.warehouse_id, warehouse)
        # The branches that existed when the addon was installed got theirs too.
        self.assertFalse(self.env["stock.warehouse"].search([("leasing_repossessed_location_id", "=", False)]))

    def test_board_lists_the_leasable_units_by_status_and_branch(self):
        self._receive("EXC-B1", "EXC-B2")
        self._receive("EXC-B3", warehouse=self.store)
        action = self.env.ref("leasing_fleet.action_leased_unit_lots")
        domain = safe_eval(action.domain)
        counts = {
            (warehouse.code, status): count
            for warehouse, status, count in self.env["stock.lot"]._read_group(
                domain + [("name", "like", "EXC-B")], ["leasing_warehouse_id", "leasing_status"], ["__count"]
            )
        }
        self.assertEqual(counts, {("THQ", "available"): 2, ("TST", "available"): 1})

    def test_vehicle_unit_shows_vin_and_plate(self):
        model = self.env["fleet.vehicle.model"].create(
            {"name": "Hauler", "brand_id": self.env["fleet.vehicle.model.brand"].create({"name": "Volvo"}).id}
        )
        vehicle = self.env["fleet.vehicle"].create(
            {
                "model_id": model.id,
                "vin_sn": "YV2A4C2A0KB123456",
                "license_plate": "B-123-XY",
                "company_id": self.company.id,
            }
        )
        lot = self._lots("TRK-1")
        lot.vehicle_id = vehicle
        self.assertRecordValues(
            lot,
            [
                {
                    "leasing_vin": "YV2A4C2A0KB123456",
                    "leasing_license_plate": "B-123-XY",
                    "leasing_vehicle_model_id": model.id,
                }
            ],
        )
