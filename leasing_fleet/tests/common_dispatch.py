import base64

from odoo import Command
from odoo.addons.leasing_management.tests.common_ledger import LEASING_USER, LeasingLedgerCommon
from odoo.tests import new_test_user

WAREHOUSE = "leasing_fleet.group_leasing_warehouse"
RISK_APPROVER = "leasing_fleet.group_leasing_risk_approver"
SIGNED = base64.b64encode(b"%PDF-1.4 signed contract")


class DispatchCommon(LeasingLedgerCommon):
    """An active lease of two serial-numbered excavators in the company's warehouse, its up-front
    invoice paid, signed, with the plan's one required document attached: every condition met.

    * ``plan``: monthly annuity, 10 % down payment, 5 % deposit, a required "Business licence";
    * ``lot_1``, ``lot_2`` (SN-EXC-001/002): in the warehouse's stock, on the lease's two lines;
    * users: ``seller`` (Leasing User, from the ledger set-up), ``risk_approver`` and
      ``risk_approver_2`` (Risk Approver and Leasing User), ``keeper`` (Warehouse).
    """

    USER_PREFIX = "dispatch"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.plan = cls._create_plan(
            min_down_payment_pct=10.0,
            deposit_pct=5.0,
            document_ids=[
                Command.create({"name": "Business licence", "required": True}),
                Command.create({"name": "Insurance policy", "required": False}),
            ],
        )
        cls.licence = cls.plan.document_ids.filtered("required")
        cls.lessee = cls.env["res.partner"].create({"name": "Northwind Haulage", "is_company": True})
        cls.excavator = cls.env["product.product"].create(
            {
                "name": "Excavator EX-30",
                "lst_price": 1000.0,
                "leasing_ok": True,
                "is_storable": True,
                "tracking": "serial",
                "company_id": cls.company.id,
            }
        )
        cls.lot_1, cls.lot_2 = cls._stock_lots("SN-EXC-001", "SN-EXC-002")
        cls.risk_approver = new_test_user(
            cls.env, "dispatch_risk", groups=f"{RISK_APPROVER},{LEASING_USER}", company_id=cls.company.id
        )
        cls.risk_approver_2 = new_test_user(
            cls.env, "dispatch_risk_2", groups=f"{RISK_APPROVER},{LEASING_USER}", company_id=cls.company.id
        )
        cls.keeper = new_test_user(cls.env, "dispatch_keeper", groups=WAREHOUSE, company_id=cls.company.id)

    @classmethod
    def _stock_lots(cls, *names, warehouse=None):
        """Serial-numbered excavators ``names``, one each in ``warehouse``'s stock."""
        warehouse = warehouse or cls.warehouse
        lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": cls.excavator.id, "company_id": cls.company.id} for name in names]
        )
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(cls.excavator, warehouse.lot_stock_id, 1.0, lot_id=lot)
        return lots

    def _lease(self, lots=None, pay=True, sign=True, documents=True, activate=True):
        """A lease of ``lots`` (by default lot_1 and lot_2), one line each, active with its
        up-front invoice paid, signed and documented unless told otherwise."""
        lots = self.lot_1 | self.lot_2 if lots is None else lots
        vals = self._lease_vals(
            line_ids=[Command.create({"product_id": self.excavator.id, "lot_id": lot.id}) for lot in lots]
        )
        if activate:
            contract = self._activate_contract(vals)
        else:
            contract = self.env["leasing.contract"].with_user(self.seller).create(vals).with_user(self.env.user)
        if pay and contract.upfront_invoice_id:
            self._pay(contract.upfront_invoice_id)
        if sign:
            contract.write({"signed_document": SIGNED, "signed_document_name": "signed.pdf"})
        if documents:
            contract.write({"document_ids": [Command.create({"plan_document_id": self.licence.id, "file": SIGNED})]})
        return contract

    def _request(self, contract, user=None, **values):
        return (
            self.env["leasing.dispatch.request"]
            .with_user(user or self.seller)
            .create({"contract_id": contract.id, "driver_name": "Ana Ruiz", "vehicle_plate": "4821-KLM", **values})
        )

    def _reserved(self, lot):
        """The quantity of ``lot`` reserved in stock (by a delivery)."""
        quants = self.env["stock.quant"].search([("lot_id", "=", lot.id), ("location_id.usage", "=", "internal")])
        return sum(quants.mapped("reserved_quantity"))

    def _conditions(self, request):
        return {line.code: line.met for line in request.condition_ids}

    def _give_reasons(self, request, reason="The lessee's director vouches for it."):
        request.condition_ids.filtered(lambda line: not line.met).write({"unmet_reason": reason})
