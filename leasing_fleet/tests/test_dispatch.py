from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_dispatch import WAREHOUSE, DispatchCommon

ALL_CODES = ["lease_approved", "contract_signed", "upfront_paid", "documents", "no_overdue", "credit_review"]


@tagged("post_install", "-at_install")
class TestDispatchRequest(DispatchCommon):
    # ------------------------------------------------------------------
    # Conditions
    # ------------------------------------------------------------------
    def test_defaults_and_every_condition_met(self):
        contract = self._lease()
        request = self._request(contract)
        self.assertEqual(request.lot_ids, self.lot_1 | self.lot_2)
        self.assertEqual(request.warehouse_id, self.warehouse)
        self.assertEqual(request.requested_by_id, self.seller)
        self.assertEqual(request.partner_id, self.lessee)
        self.assertTrue(request.name.startswith("DR/"))
        self.assertEqual(request.condition_ids.mapped("code"), ALL_CODES)
        self.assertEqual(self._conditions(request), dict.fromkeys(ALL_CODES, True))

    def test_branch_defaults_to_where_the_units_are(self):
        """The branch is the one the units are in stock at, not the company's first warehouse:
        on create (the units and the branch are precomputed together) and in the form."""
        store = self.env["stock.warehouse"].create(
            {"name": "Valencia Store", "code": "VLC", "company_id": self.company.id}
        )
        lots = self._stock_lots("SN-EXC-VLC-1", "SN-EXC-VLC-2", warehouse=store)
        contract = self._lease(lots=lots)
        created = self._request(contract)
        self.assertEqual(created.lot_ids, lots)
        self.assertEqual(created.warehouse_id, store)
        created.action_cancel()
        form = Form(self.env["leasing.dispatch.request"].with_user(self.seller))
        form.contract_id = contract
        self.assertEqual(form.warehouse_id, store)
        request = form.save()
        self.assertEqual(request.lot_ids, lots)
        request.action_submit()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.picking_id.location_id, store.lot_stock_id)

    def test_conditions_unmet_one_by_one(self):
        contract = self._lease(pay=False, sign=False, documents=False)
        request = self._request(contract)
        conditions = self._conditions(request)
        self.assertEqual(
            [code for code in ALL_CODES if not conditions[code]], ["contract_signed", "upfront_paid", "documents"]
        )
        documents = request.condition_ids.filtered(lambda line: line.code == "documents")
        self.assertEqual(documents.detail, "Missing: Business licence")
        # Fixing the lease fixes the conditions, live.
        self._pay(contract.upfront_invoice_id)
        contract.write({"signed_document": b"c2lnbmVk", "signed_document_name": "signed.pdf"})
        self.env.invalidate_all()
        conditions = self._conditions(request)
        self.assertEqual([code for code in ALL_CODES if not conditions[code]], ["documents"])

    def test_approved_lease_without_upfront_invoice_yet(self):
        """An approved lease, not yet activated, has no up-front invoice: its down payment and
        deposit are not paid."""
        contract = self._lease(activate=False, documents=False)
        contract.action_submit()
        self.env["leasing.credit.review"].with_user(self.seller).create(
            dict(self.REVIEW_FINDINGS, contract_id=contract.id)
        ).action_done()
        contract.with_user(self.approver).action_approve()
        request = self._request(contract)
        conditions = self._conditions(request)
        self.assertTrue(conditions["lease_approved"])
        self.assertFalse(conditions["upfront_paid"])

    def test_overdue_on_another_lease_of_the_lessee(self):
        contract = self._lease()
        # Another lease of the same lessee, its up-front invoice due on 2026-01-31 and unpaid.
        (other_lot,) = self._stock_lots("SN-EXC-009")
        other = self._lease(lots=other_lot, pay=False)
        self.assertGreater(other.amount_overdue, 0.0)
        request = self._request(contract)
        line = request.condition_ids.filtered(lambda c: c.code == "no_overdue")
        self.assertFalse(line.met)
        self.assertIn(other.name, line.detail)
        # The lease's own overdue does not count for itself.
        self.assertTrue(self._conditions(self._request(other, lot_ids=other_lot.ids))["no_overdue"])

    def test_rejecting_credit_review(self):
        contract = self._lease()
        # The review's recommendation as the reviewer left it: rejection (written as the system,
        # the lease being decided).
        contract.credit_review_id.sudo().write({"recommendation": "reject"})
        request = self._request(contract)
        line = request.condition_ids.filtered(lambda c: c.code == "credit_review")
        self.assertFalse(line.met)
        self.assertEqual(line.detail, "The completed credit review recommends rejection.")

    # ------------------------------------------------------------------
    # Submission and approval
    # ------------------------------------------------------------------
    def test_all_met_goes_straight_to_the_warehouse(self):
        contract = self._lease()
        request = self._request(contract)
        request.action_submit()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.approver_id)
        self.assertEqual(request.decision_comment, "Every condition met.")
        self.assertEqual((self.lot_1 | self.lot_2).leasing_contract_id, contract)
        self.assertEqual(set((self.lot_1 | self.lot_2).mapped("leasing_status")), {"reserved"})
        picking = request.picking_id.with_user(self.env.user)
        self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(picking.partner_id, self.lessee)
        self.assertEqual(picking.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(picking.location_dest_id.usage, "customer")
        self.assertEqual(picking.leasing_dispatch_request_id, request)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_line_ids.lot_id, self.lot_1 | self.lot_2)
        self.assertEqual(picking.move_line_ids.mapped("quantity"), [1.0, 1.0])
        # The conditions are kept as decided.
        self.assertEqual(request.condition_ids.mapped("decided_met"), [True] * 6)

    def test_unmet_needs_a_reason_each_then_a_risk_approver(self):
        contract = self._lease(pay=False, documents=False)
        request = self._request(contract)
        with self.assertRaises(UserError) as error:
            request.action_submit()
        message = str(error.exception)
        self.assertIn("Down payment and deposit invoices paid", message)
        self.assertIn("The plan's required documents attached", message)
        self.assertNotIn("Lease approved or active", message)
        self.assertEqual(request.state, "draft")
        request.condition_ids.filtered(lambda c: c.code == "upfront_paid").write({"unmet_reason": "Paying Friday."})
        with self.assertRaisesRegex(UserError, "required documents") as error:
            request.action_submit()
        self.assertNotIn("Down payment", str(error.exception))
        self._give_reasons(request)
        request.action_submit()
        self.assertEqual(request.state, "to_approve")
        self.assertFalse(request.picking_id)
        self.assertFalse(self._reserved(self.lot_1))
        # Reasons are frozen once submitted.
        with self.assertRaises(UserError):
            request.condition_ids[0].write({"unmet_reason": "changed"})
        # Neither the salesperson nor the warehouse approves.
        with self.assertRaises(AccessError):
            request.with_user(self.seller).action_approve("Fine.")
        with self.assertRaises(AccessError):
            request.with_user(self.keeper).action_approve("Fine.")
        with self.assertRaisesRegex(UserError, "comment"):
            request.with_user(self.risk_approver).action_approve("  ")
        request.with_user(self.risk_approver).action_approve("Director's guarantee on file.")
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.risk_approver)
        self.assertEqual(request.decision_comment, "Director's guarantee on file.")
        self.assertTrue(request.picking_id)
        decided = {line.code: line.met for line in request.condition_ids}
        self.assertFalse(decided["upfront_paid"])
        # Decided conditions no longer follow the lease.
        self._pay(contract.upfront_invoice_id)
        request.condition_ids.invalidate_recordset()
        self.assertFalse(request.condition_ids.filtered(lambda c: c.code == "upfront_paid").met)

    def test_risk_approver_never_approves_own_request(self):
        contract = self._lease(documents=False)
        request = self._request(contract, user=self.risk_approver)
        self._give_reasons(request)
        request.with_user(self.risk_approver).action_submit()
        with self.assertRaisesRegex(UserError, "another Risk Approver"):
            request.with_user(self.risk_approver).action_approve("Mine.")
        with self.assertRaisesRegex(UserError, "another Risk Approver"):
            request.with_user(self.risk_approver).with_context(uid=self.risk_approver_2.id).action_refuse("Mine.")
        request.with_user(self.risk_approver_2).action_approve("Checked.")
        self.assertEqual(request.approver_id, self.risk_approver_2)

    def test_refusal(self):
        contract = self._lease(documents=False)
        request = self._request(contract)
        self._give_reasons(request)
        request.action_submit()
        request.with_user(self.risk_approver).action_refuse("No licence, no machine.")
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.approver_id, self.risk_approver)
        self.assertFalse(request.picking_id)
        self.assertFalse(self._reserved(self.lot_1))
        with self.assertRaisesRegex(UserError, "refused"):
            request.with_user(self.keeper).action_print_gate_pass()
        self.assertFalse(self.env["leasing.gate.pass"].search([("request_id", "=", request.id)]))
        # A refused request frees its units for a new one.
        self.assertTrue(self._request(contract).lot_ids)

    def test_decision_wizard(self):
        contract = self._lease(documents=False)
        request = self._request(contract)
        self._give_reasons(request)
        request.action_submit()
        wizard = (
            self.env["leasing.dispatch.decision.wizard"]
            .with_user(self.risk_approver)
            .create({"request_id": request.id, "comment": "Go."})
        )
        self.assertEqual(len(wizard.condition_ids), 6)
        wizard.action_approve()
        self.assertEqual(request.state, "approved")

    # ------------------------------------------------------------------
    # Refusals: units
    # ------------------------------------------------------------------
    def test_unit_on_two_open_requests(self):
        contract = self._lease()
        first = self._request(contract, lot_ids=self.lot_1.ids)
        with self.assertRaises(ValidationError) as error:
            self._request(contract, lot_ids=(self.lot_1 | self.lot_2).ids)
        self.assertIn(f"SN-EXC-001 already on the open dispatch request {first.name}", str(error.exception))
        # Nothing saved; the default leaves out the unit already requested.
        self.assertEqual(self.env["leasing.dispatch.request"].search([("contract_id", "=", contract.id)]), first)
        second = self._request(contract)
        self.assertEqual(second.lot_ids, self.lot_2)
        first.action_cancel()
        self.assertEqual(self._request(contract, lot_ids=self.lot_1.ids).lot_ids, self.lot_1)

    def test_unit_reserved_for_another_lease(self):
        # lot_1 is on an active lease; a draft lease names it too (allowed while it is a draft).
        self._lease(lots=self.lot_1)
        draft = self._lease(lots=self.lot_1, activate=False, pay=False)
        request = self._request(draft)
        with self.assertRaisesRegex(UserError, "SN-EXC-001 is reserved for the lease"):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.picking_id)

    def test_unit_not_available(self):
        contract = self._lease()
        request = self._request(contract)
        self.lot_2.leasing_abnormal_reason = "damaged"
        self.lot_2.action_leasing_mark_abnormal()
        with self.assertRaisesRegex(UserError, "SN-EXC-002 is Abnormal"):
            request.action_submit()
        self.lot_2.action_leasing_clear_abnormal()
        # Out of stock: moved to the customers' location by hand.
        quant = self.env["stock.quant"].search([("lot_id", "=", self.lot_2.id), ("quantity", ">", 0)])
        self.env["stock.quant"]._update_available_quantity(self.excavator, quant.location_id, -1.0, lot_id=self.lot_2)
        with self.assertRaisesRegex(UserError, "SN-EXC-002 is not available in stock"):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        self.assertFalse(self._reserved(self.lot_1))

    def test_unit_of_another_lease_refused(self):
        contract = self._lease(lots=self.lot_1)
        with self.assertRaises(ValidationError) as error:
            self._request(contract, lot_ids=(self.lot_1 | self.lot_2).ids)
        self.assertIn("SN-EXC-002 not on the lease", str(error.exception))
        self.assertFalse(self.env["leasing.dispatch.request"].search([("contract_id", "=", contract.id)]))

    # ------------------------------------------------------------------
    # The delivery
    # ------------------------------------------------------------------
    def _manual_delivery(self, lot):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.lessee.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": lot.name,
                            "product_id": self.excavator.id,
                            "product_uom_qty": 1.0,
                            "product_uom": self.excavator.uom_id.id,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_line_ids.write({"lot_id": lot.id, "quantity": 1.0})
        return picking

    def test_delivery_of_leased_units_needs_an_approved_request(self):
        contract = self._lease(lots=self.lot_1)
        picking = self._manual_delivery(self.lot_1)
        with self.assertRaisesRegex(UserError, rf"SN-EXC-001 of {contract.name}\) but no dispatch request"):
            picking.with_user(self.keeper).button_validate()
        self.assertEqual(picking.state, "assigned")
        # An unleased unit leaves freely.
        (free_lot,) = self._stock_lots("SN-FREE-1")
        free = self._manual_delivery(free_lot)
        free.button_validate()
        self.assertEqual(free.state, "done")

    def test_delivery_of_a_request_not_approved(self):
        contract = self._lease()
        request = self._request(contract)
        request.action_submit()
        picking = request.picking_id.with_user(self.env.user)
        request.action_cancel()
        self.assertEqual(picking.state, "cancel")
        self.assertFalse(self._reserved(self.lot_1))
        # A delivery made by hand and tied to the cancelled request does not carry its units out.
        manual = self._manual_delivery(self.lot_1)
        manual.sudo().write({"leasing_dispatch_request_id": request.id})
        with self.assertRaisesRegex(UserError, f"once its dispatch request {request.name} is approved.*Cancelled"):
            manual.with_user(self.keeper).button_validate()
        self.assertEqual(manual.state, "assigned")

    def test_delivery_carries_only_its_request_units(self):
        contract = self._lease()
        request = self._request(contract, lot_ids=self.lot_1.ids)
        request.action_submit()
        picking = request.picking_id.with_user(self.env.user)
        # Another leased unit slipped onto the approved delivery.
        picking.move_ids.product_uom_qty = 2.0
        picking.move_line_ids.create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": self.excavator.id,
                "lot_id": self.lot_2.id,
                "quantity": 1.0,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        with self.assertRaisesRegex(UserError, f"SN-EXC-002 are not on the dispatch request {request.name}"):
            picking.with_user(self.keeper).button_validate()
        self.assertEqual(request.state, "approved")

    def test_validated_delivery_puts_units_out_and_request_done(self):
        contract = self._lease()
        request = self._request(contract)
        request.action_submit()
        picking = request.picking_id.with_user(self.keeper)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(request.state, "done")
        customers = picking.location_dest_id
        quants = self.env["stock.quant"].search([("lot_id", "in", (self.lot_1 | self.lot_2).ids), ("quantity", ">", 0)])
        self.assertEqual(quants.location_id, customers)
        self.assertEqual(set((self.lot_1 | self.lot_2).mapped("leasing_status")), {"on_lease"})
        # Delivered units are not proposed for a new dispatch.
        self.assertFalse(self._request(contract).lot_ids)

    # ------------------------------------------------------------------
    # Security
    # ------------------------------------------------------------------
    def test_system_fields_refused(self):
        contract = self._lease()
        request = self._request(contract)
        for vals in (
            {"state": "approved"},
            {"approver_id": self.seller.id},
            {"decision_comment": "ok"},
            {"requested_by_id": self.risk_approver.id},
            {"picking_id": self._manual_delivery(self.lot_1).id},
        ):
            with self.assertRaises(AccessError):
                request.with_user(self.seller).write(vals)
        with self.assertRaises(AccessError):
            self._request(contract, state="approved")
        with self.assertRaises(AccessError):
            request.condition_ids[0].with_user(self.seller).write({"decided_met": True})
        with self.assertRaises(UserError):
            request.condition_ids[0].with_user(self.seller).write({"code": "documents"})
        # A default in the context is no way around it either.
        other = (
            self.env["leasing.dispatch.request"]
            .with_user(self.seller)
            .with_context(default_state="approved", default_requested_by_id=self.risk_approver.id)
            .create({"contract_id": contract.id, "lot_ids": []})
        )
        self.assertEqual(other.state, "draft")
        self.assertEqual(other.requested_by_id, self.seller)

    def test_warehouse_reads_but_does_not_request(self):
        contract = self._lease()
        with self.assertRaises(AccessError):
            self._request(contract, user=self.keeper)
        request = self._request(contract)
        self.assertEqual(request.with_user(self.keeper).state, "draft")
        with self.assertRaises(AccessError):
            request.with_user(self.keeper).write({"driver_name": "X"})

    def test_multi_company(self):
        contract = self._lease()
        request = self._request(contract)
        other_company = self.env["res.company"].create({"name": "Other Leasing Co"})
        outsider = new_test_user(
            self.env,
            "dispatch_other_company",
            groups=f"{WAREHOUSE},leasing_fleet.group_leasing_risk_approver",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertFalse(self.env["leasing.dispatch.request"].with_user(outsider).search([("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            request.with_user(outsider).read(["name"])

    def test_lease_smart_button(self):
        contract = self._lease()
        request = self._request(contract)
        self.assertEqual(contract.dispatch_request_count, 1)
        action = contract.action_view_dispatch_requests()
        self.assertEqual(self.env["leasing.dispatch.request"].search(action["domain"]), request)
