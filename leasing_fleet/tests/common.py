from freezegun import freeze_time

from odoo import Command
from odoo.addons.leasing_collections.tests.common import CollectionsCommon
from odoo.tests import new_test_user

WAREHOUSE = "leasing_fleet.group_leasing_warehouse"


class FleetCommon(CollectionsCommon):
    """Leased units in stock: two branches of the test company (``hq``, ``store``), the
    ``excavator`` (tracked by serial, leasable), a vendor, a warehouse keeper, and the steps the
    tests share, each a real stock operation (pickings validated with their serial numbers)."""

    USER_PREFIX = "fleet"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.excavator.write({"is_storable": True, "tracking": "serial", "leasing_ok": True})
        Warehouse = cls.env["stock.warehouse"]
        cls.hq = Warehouse.create({"name": "Test HQ", "code": "THQ", "company_id": cls.company.id})
        cls.store = Warehouse.create({"name": "Test Store", "code": "TST", "company_id": cls.company.id})
        cls.vendor = cls.env["res.partner"].create({"name": "Maquinaria Vendor", "is_company": True})
        cls.keeper = new_test_user(cls.env, "fleet_keeper", groups=WAREHOUSE, company_id=cls.company.id)

    # ------------------------------------------------------------------
    # Stock operations
    # ------------------------------------------------------------------
    def _lots(self, *names, product=None):
        product = product or self.excavator
        return self.env["stock.lot"].create(
            [{"name": name, "product_id": product.id, "company_id": self.company.id} for name in names]
        )

    def _picking(self, lots, source, destination, picking_type, partner=None):
        """A confirmed transfer of ``lots`` from ``source`` to ``destination`` (not done)."""
        return self.env["stock.picking"]._leasing_create_for_units(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "partner_id": partner.id if partner else False,
            },
            lots,
        )

    def _validate(self, picking):
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True, "The transfer is validated without a wizard")
        self.assertEqual(picking.state, "done")
        return picking

    def _receipt(self, lots, warehouse=None):
        warehouse = warehouse or self.hq
        return self._picking(
            lots, self.vendor.property_stock_supplier, warehouse.lot_stock_id, warehouse.in_type_id, self.vendor
        )

    def _receive(self, *names, warehouse=None):
        """Units ``names`` received from the vendor into ``warehouse`` (hq)."""
        lots = self._lots(*names)
        self._validate(self._receipt(lots, warehouse))
        return lots

    def _deliver(self, lots, contract, warehouse=None):
        """Deliver ``lots`` to ``contract``'s lessee from ``warehouse`` (hq)."""
        warehouse = warehouse or self.hq
        picking = self._picking(
            lots,
            warehouse.lot_stock_id,
            contract.partner_id.property_stock_customer,
            warehouse.out_type_id,
            contract.partner_id,
        )
        return self._validate(picking)

    # ------------------------------------------------------------------
    # Leases
    # ------------------------------------------------------------------
    def _unit_lease_vals(self, lots, **values):
        return self._lease_vals(
            line_ids=[Command.create({"product_id": lot.product_id.id, "lot_id": lot.id}) for lot in lots], **values
        )

    def _approved_lease(self, lots, **values):
        """A lease of ``lots`` (a line each), approved, not active."""
        with freeze_time("2026-01-31"):
            contract = self.env["leasing.contract"].with_user(self.seller).create(self._unit_lease_vals(lots, **values))
            contract.action_submit()
            review = (
                self.env["leasing.credit.review"]
                .with_user(self.seller)
                .create(dict(self.REVIEW_FINDINGS, contract_id=contract.id))
            )
            review.action_done()
            contract.with_user(self.approver).action_approve()
        return contract.with_user(self.env.user)

    def _active_lease(self, lots, **values):
        """A lease of ``lots``, active from 2026-01-31."""
        return self._activate_contract(self._unit_lease_vals(lots, **values), at="2026-01-31")
