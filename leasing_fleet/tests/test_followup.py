from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import FleetCommon

COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"


@tagged("post_install", "-at_install")
class TestRepossessionAndFollowup(FleetCommon):
    def _leased_unit(self, name):
        lot = self._receive(name)
        contract = self._active_lease(lot)
        self._deliver(lot, contract)
        return lot, contract

    def _approved_repossession(self, contract):
        """A repossession request of ``contract``, approved (which carries it out)."""
        request = self.env["leasing.collection.request"].create(
            {"request_type": "repossession", "contract_id": contract.id, "reason": "Three instalments unpaid"}
        )
        if hasattr(request, "action_approve"):
            submitter = new_test_user(
                self.env, "fleet_submitter", groups=COLLECTION_MANAGER, company_id=self.company.id
            )
            approver = new_test_user(self.env, "fleet_decider", groups=COLLECTION_MANAGER, company_id=self.company.id)
            request.with_user(submitter).action_submit()
            request.with_user(approver).action_approve()
        else:
            request.sudo().write({"state": "approved"})
            request._execute()
        return request

    def test_repossession_receipt_chain(self):
        lot, contract = self._leased_unit("EXC-RP1")
        request = self._approved_repossession(contract)
        self.assertEqual(request.state, "approved", "Approved, waiting for the unit to be back")
        receipt = request.leasing_picking_ids
        self.assertRecordValues(
            receipt,
            [
                {
                    "partner_id": self.lessee.id,
                    "location_id": self.lessee.property_stock_customer.id,
                    "location_dest_id": self.hq.leasing_repossessed_location_id.id,
                    "picking_type_id": self.hq.in_type_id.id,
                }
            ],
        )
        self.assertEqual(receipt.move_line_ids.lot_id, lot)
        self.assertEqual(lot.leasing_status, "on_lease")
        self._validate(receipt.with_user(self.keeper))
        self.assertRecordValues(
            lot,
            [{"leasing_status": "repossessed", "leasing_contract_id": contract.id, "leasing_warehouse_id": self.hq.id}],
        )
        self.assertEqual(request.state, "done")

    def test_repossession_without_unit_on_lease_falls_back_to_the_todo(self):
        lot = self._receive("EXC-RP2")
        contract = self._active_lease(lot)  # never delivered
        request = self._approved_repossession(contract)
        self.assertFalse(request.leasing_picking_ids)
        self.assertEqual(lot.leasing_status, "reserved")

    def test_followup_register_gives_the_unit_its_state(self):
        lot, _contract = self._leased_unit("EXC-F1")
        Followup = self.env["leasing.unit.followup"].with_user(self.keeper)
        first = Followup.create(
            {"lot_id": lot.id, "reason": "not_paying", "state": "searching", "date": "2026-03-01 09:00:00"}
        )
        self.assertRecordValues(first, [{"user_id": self.keeper.id, "company_id": self.company.id}])
        self.assertRecordValues(lot, [{"leasing_followup_state": "searching", "leasing_followup_reason": "not_paying"}])
        Followup.create(
            {
                "lot_id": lot.id,
                "reason": "lessee_missing",
                "state": "towing",
                "date": "2026-03-05 15:00:00",
                "notes": "Found at a quarry",
            }
        )
        # A row recorded late, for an earlier day, does not change where the chase stands now.
        Followup.create({"lot_id": lot.id, "reason": "not_paying", "state": "located", "date": "2026-03-03 10:00:00"})
        self.assertRecordValues(
            lot, [{"leasing_followup_state": "towing", "leasing_followup_reason": "lessee_missing"}]
        )
        self.assertEqual(len(lot.leasing_followup_ids), 3)
        with self.assertRaises(AccessError):
            first.with_user(self.keeper).unlink()
        with self.assertRaises(AccessError):
            Followup.with_user(self.seller).create({"lot_id": lot.id, "reason": "other"})

    def test_followup_of_another_company_is_hidden(self):
        lot = self._lots("EXC-F2")
        followup = self.env["leasing.unit.followup"].create({"lot_id": lot.id, "reason": "unit_missing"})
        other = self.env["res.company"].create({"name": "Other Leasing Co"})
        outsider = new_test_user(
            self.env, "fleet_outsider", groups="leasing_fleet.group_leasing_warehouse", company_id=other.id
        )
        outsider.company_ids = other
        self.assertFalse(self.env["leasing.unit.followup"].with_user(outsider).search([("id", "=", followup.id)]))
