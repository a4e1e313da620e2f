from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.leasing_management.models.leasing_system_fields_mixin import (
    check_system_fields,
    without_system_defaults,
)
from odoo.exceptions import AccessError, UserError

from ..tools import UnitFacts, unit_status
from .leasing_unit_followup import FOLLOWUP_REASONS, FOLLOWUP_STATES

# Where a leased unit stands (see the README): computed from its stock moves, its leases and the
# requests acting on it, except `abnormal`, which a warehouse keeper sets by hand with a reason.
LEASING_STATUSES = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("abnormal", "Abnormal"),
    ("purchase_transit", "Purchase in Transit"),
    ("transfer_transit", "Transfer in Transit"),
    ("relay_transit", "Relay in Transit"),
    ("on_lease", "On Lease"),
    ("repossessed", "Repossessed"),
    ("returned", "Returned"),
    ("sold", "Sold"),
]
ABNORMAL_REASONS = [
    ("damaged", "Damaged"),
    ("documents_missing", "Documents Missing"),
    ("under_repair", "Under Repair"),
    ("other", "Other"),
]
# The lease of a unit in these statuses is shown on it even when the lease is no longer open.
LEASE_BOUND_STATUSES = ("reserved", "on_lease", "repossessed", "returned", "sold")
WAREHOUSE_GROUP = "leasing_fleet.group_leasing_warehouse"
# A unit's device lock (see leasing.device.command).
LOCK_STATES = [
    ("unlocked", "Unlocked"),
    ("lock_requested", "Lock Requested"),
    ("locked", "Locked"),
    ("unlock_requested", "Unlock Requested"),
]


# The demo's reasons for the dispatch conditions its leases do not meet, as a salesman gives them.
DEMO_UNMET_REASONS = {
    "lease_approved": "The lease is approved; the signed approval is at the branch.",
    "contract_signed": "The lessee signed at the branch; the scan of the contract follows.",
    "upfront_paid": "The down payment was wired; the bank confirms it tomorrow.",
    "documents": "The missing documents are at the branch; their scans follow.",
    "no_overdue": "The arrears are the subject of a call with the lessee this week.",
    "credit_review": "The lessee's credit was reviewed on their previous lease.",
}


class StockLot(models.Model):
    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Unit status
    # ------------------------------------------------------------------
    leasing_status = fields.Selection(
        LEASING_STATUSES,
        string="Unit Status",
        compute="_compute_leasing_status",
        store=True,
        index=True,
        tracking=True,
        copy=False,
        group_expand="_read_group_leasing_status",
    )
    leasing_contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        compute="_compute_leasing_status",
        store=True,
        index="btree_not_null",
        tracking=True,
        copy=False,
        help="The lease the unit is reserved for or leased on.",
    )
    leasing_partner_id = fields.Many2one(related="leasing_contract_id.partner_id", string="Lessee")
    leasing_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Branch",
        compute="_compute_leasing_status",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The branch (warehouse) the unit is at, or, when it is out, the branch it left from.",
    )
    leasing_unit = fields.Boolean(
        related="product_id.leasing_ok", string="Leasable Unit", help="A serial number of a product that can be leased."
    )
    leasing_abnormal = fields.Boolean(string="Abnormal", readonly=True, copy=False, tracking=True)
    leasing_abnormal_reason = fields.Selection(ABNORMAL_REASONS, string="Abnormal Reason", copy=False, tracking=True)
    leasing_abnormal_note = fields.Text(string="Abnormal Note", copy=False, tracking=True)

    # ------------------------------------------------------------------
    # Vehicle and machinery
    # ------------------------------------------------------------------
    vehicle_id = fields.Many2one(
        "fleet.vehicle",
        string="Vehicle",
        index="btree_not_null",
        copy=False,
        check_company=True,
        help="For a vehicle: its record in Fleet (VIN, plate, model).",
    )
    leasing_vin = fields.Char(related="vehicle_id.vin_sn", string="VIN")
    leasing_license_plate = fields.Char(related="vehicle_id.license_plate", string="License Plate")
    leasing_vehicle_model_id = fields.Many2one(related="vehicle_id.model_id", string="Vehicle Model")
    engine_number = fields.Char(copy=False, tracking=True)
    frame_number = fields.Char(copy=False, tracking=True)
    hour_meter = fields.Float(digits=(16, 1), tracking=True, help="Hours worked, last reading.")

    # ------------------------------------------------------------------
    # Follow-up register
    # ------------------------------------------------------------------
    leasing_followup_ids = fields.One2many("leasing.unit.followup", "lot_id", string="Follow-up Register")
    leasing_followup_state = fields.Selection(
        FOLLOWUP_STATES,
        string="Follow-up State",
        compute="_compute_leasing_followup",
        store=True,
        index="btree_not_null",
    )
    leasing_followup_reason = fields.Selection(
        FOLLOWUP_REASONS,
        string="Follow-up Reason",
        compute="_compute_leasing_followup",
        store=True,
    )

    _sql_constraints = [
        (
            "leasing_vehicle_uniq",
            "unique(vehicle_id)",
            "A vehicle is the unit of one serial number only.",
        ),
    ]

    @api.depends("leasing_abnormal")
    def _compute_leasing_status(self):
        """The unit's status, lease and branch, from facts gathered for all of ``self`` at once:
        a few grouped queries, whatever the number of units. The other triggers (stock moves,
        leases, lease lines) call ``_leasing_recompute_status``."""
        facts = self._leasing_status_facts()
        for lot in self:
            fact = facts.get(lot.id, {})
            status = unit_status(
                UnitFacts(
                    location_usage=fact.get("usage"),
                    repossessed_location=fact.get("repossessed", False),
                    pending_receipt=fact.get("pending_receipt", False),
                    pending_transfer=fact.get("pending_transfer", False),
                    lease_state=fact.get("lease_state"),
                    line_discontinued=fact.get("discontinued", False),
                    ownership_transferred=fact.get("ownership", False),
                    abnormal=lot.leasing_abnormal,
                )
            )
            lot.leasing_status = status or False
            contract = fact.get("contract_id") if fact.get("open") or status in LEASE_BOUND_STATUSES else False
            lot.leasing_contract_id = contract
            lot.leasing_warehouse_id = fact.get("warehouse_id", False)

    @api.model
    def _read_group_leasing_status(self, values, domain):
        return [key for key, _label in LEASING_STATUSES]

    @api.depends("leasing_followup_ids.date", "leasing_followup_ids.state", "leasing_followup_ids.reason")
    def _compute_leasing_followup(self):
        last = {}
        followups = self.env["leasing.unit.followup"].search([("lot_id", "in", self.ids)], order="date, id")
        for followup in followups:
            last[followup.lot_id.id] = followup
        for lot in self:
            followup = last.get(lot.id)
            lot.leasing_followup_state = followup.state if followup else False
            lot.leasing_followup_reason = followup.reason if followup else False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list)
        # Nor through the caller's context: its default_* keys of those fields are dropped.
        return super(StockLot, without_system_defaults(self)).create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_leasing_mark_abnormal(self):
        """Flag the units abnormal, for the reason (and note) the warehouse keeper gave."""
        self._leasing_check_warehouse()
        for lot in self:
            if lot.leasing_abnormal:
                raise UserError(self.env._("%(unit)s is already abnormal.", unit=lot.display_name))
            if not lot.leasing_abnormal_reason:
                raise UserError(self.env._("Give the reason why %(unit)s is abnormal.", unit=lot.display_name))
            if lot.leasing_abnormal_reason == "other" and not (lot.leasing_abnormal_note or "").strip():
                raise UserError(
                    self.env._("Say in the note what is wrong with %(unit)s (reason: Other).", unit=lot.display_name)
                )
        # The flag is the system's field (refused to write()); the rights were checked above.
        self.sudo().write({"leasing_abnormal": True})
        return True

    def action_leasing_clear_abnormal(self):
        """The unit is back to normal: its status is computed again from its moves and leases."""
        self._leasing_check_warehouse()
        for lot in self:
            if not lot.leasing_abnormal:
                raise UserError(self.env._("%(unit)s is not abnormal.", unit=lot.display_name))
        # As in action_leasing_mark_abnormal: the rights were checked above.
        self.sudo().write({"leasing_abnormal": False, "leasing_abnormal_reason": False, "leasing_abnormal_note": False})
        return True

    def action_leasing_view_followups(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up Register"),
            "res_model": "leasing.unit.followup",
            "view_mode": "list,form",
            "domain": [("lot_id", "=", self.id)],
            "context": {"default_lot_id": self.id},
        }

    # ------------------------------------------------------------------
    # Status: facts and triggers
    # ------------------------------------------------------------------
    def _leasing_check_warehouse(self):
        self.check_access("write")
        if not self.env.user.has_group(WAREHOUSE_GROUP):
            raise AccessError(self.env._("Only the warehouse (group Warehouse) flags units abnormal or clears them."))

    def _leasing_recompute_status(self):
        """Compute the status of these units again (at the next flush or read): called when one
        of their stock moves, leases or lease lines changes."""
        lots = self.exists()
        for name in ("leasing_status", "leasing_contract_id", "leasing_warehouse_id"):
            self.env.add_to_compute(self._fields[name], lots)

    def _leasing_status_facts(self):
        """{lot id: facts} for the units of ``self``: where they are, which transfers and
        receipts not done carry them, their current lease line. Four queries for all of them."""
        ids = [lot_id for lot_id in self.ids if lot_id]
        if not ids:
            return {}
        self.env["stock.move.line"].flush_model(["lot_id", "state", "location_id", "location_dest_id", "date"])
        self.env["stock.quant"].flush_model(["lot_id", "location_id", "quantity"])
        self.env["stock.location"].flush_model(["usage", "warehouse_id", "leasing_repossessed"])
        facts = {lot_id: {} for lot_id in ids}
        # Where each unit is: in stock (a quant), else where its last done move took it. Its
        # branch: that of its location, else the one its last move left from (in transit, out).
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (ml.lot_id) ml.lot_id, dest.usage, dest.leasing_repossessed,
                   COALESCE(dest.warehouse_id, src.warehouse_id)
              FROM stock_move_line ml
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              JOIN stock_location src ON src.id = ml.location_id
             WHERE ml.lot_id = ANY(%(ids)s) AND ml.state = 'done'
             ORDER BY ml.lot_id, ml.date DESC, ml.id DESC
            """,
            {"ids": ids},
        )
        for lot_id, usage, repossessed, warehouse_id in self.env.cr.fetchall():
            facts[lot_id].update(usage=usage, repossessed=bool(repossessed), warehouse_id=warehouse_id)
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (q.lot_id) q.lot_id, loc.usage, loc.leasing_repossessed, loc.warehouse_id
              FROM stock_quant q
              JOIN stock_location loc ON loc.id = q.location_id
             WHERE q.lot_id = ANY(%(ids)s) AND q.quantity > 0 AND loc.usage IN ('internal', 'transit')
             ORDER BY q.lot_id, q.in_date DESC, q.id DESC
            """,
            {"ids": ids},
        )
        for lot_id, usage, repossessed, warehouse_id in self.env.cr.fetchall():
            fact = facts[lot_id]
            fact.update(usage=usage, repossessed=bool(repossessed))
            if warehouse_id:
                fact["warehouse_id"] = warehouse_id
        # The receipts and inter-branch transfers not done that carry the units.
        self.env.cr.execute(
            """
            SELECT ml.lot_id,
                   (array_agg(dest.warehouse_id ORDER BY ml.id DESC))[1],
                   bool_or(src.usage = 'supplier'),
                   bool_or(src.usage IN ('internal', 'transit') AND dest.usage IN ('internal', 'transit')
                           AND (src.usage = 'transit' OR dest.usage = 'transit'
                                OR src.warehouse_id IS DISTINCT FROM dest.warehouse_id))
              FROM stock_move_line ml
              JOIN stock_location src ON src.id = ml.location_id
              JOIN stock_location dest ON dest.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%(ids)s) AND ml.state NOT IN ('done', 'cancel')
             GROUP BY ml.lot_id
            """,
            {"ids": ids},
        )
        for lot_id, warehouse_id, pending_receipt, pending_transfer in self.env.cr.fetchall():
            fact = facts[lot_id]
            fact.update(pending_receipt=pending_receipt, pending_transfer=pending_transfer)
            if not fact.get("warehouse_id"):
                # Not received yet: the branch expecting it.
                fact["warehouse_id"] = warehouse_id
        # The current lease line of each unit: the open one (approved or active lease, item not
        # discontinued: one at most), else the latest of the others. The status must not depend
        # on who reads it: the lines are read as superuser.
        lines = (
            self.env["leasing.contract.line"]
            .sudo()
            .search(
                [("lot_id", "in", ids), ("contract_id.state", "in", ("approved", "active", "closed"))],
                order="id",
            )
        )
        for line in lines:
            fact = facts[line.lot_id.id]
            is_open = line.contract_id.state in ("approved", "active") and not line.discontinued
            if fact.get("open") and not is_open:
                continue
            fact.update(
                open=is_open,
                contract_id=line.contract_id.id,
                lease_state=line.contract_id.state,
                discontinued=line.discontinued,
                ownership=bool(line.contract_id.ownership_transferred_date),
            )
        return facts

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------
    @api.model
    def _demo_leasing_units(self):
        """Take the demo units to every status by real stock operations: receipts, transfers,
        deliveries, a repossession and its register, an item discontinued and taken back."""
        ref = self.env.ref
        hq, shenzhen, madrid = (ref(f"leasing_fleet.warehouse_{name}") for name in ("hq", "shenzhen", "madrid"))
        vendor = ref("leasing_fleet.partner_equipment_vendor")
        Picking = self.env["stock.picking"]
        lot = {name: ref(f"leasing_fleet.lot_{name}") for name in (
            "excavator_1", "excavator_2", "excavator_3", "excavator_4", "excavator_5",
            "wheel_loader_1", "wheel_loader_2", "cnc_1", "press_1", "mixer_1", "truck_1",
        )}  # fmt: skip

        def validate(picking):
            picking.move_ids.picked = True
            picking.button_validate()
            return picking

        def receive(warehouse, lots):
            return validate(
                Picking._leasing_create_for_units(
                    {
                        "picking_type_id": warehouse.in_type_id.id,
                        "location_id": vendor.property_stock_supplier.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                        "partner_id": vendor.id,
                        "origin": "Initial stock",
                    },
                    lots,
                )
            )

        seller, manager = ref("base.user_demo"), ref("base.user_admin")

        def deliver(warehouse, lots, contract):
            if contract.state in ("approved", "active"):
                # A leased unit leaves on a dispatch request, by its workflow: the salesman asks,
                # with the reason of each condition not met; a Risk Approver approves.
                request = (
                    self.env["leasing.dispatch.request"]
                    .with_user(seller)
                    .create(
                        {
                            "contract_id": contract.id,
                            "lot_ids": [fields.Command.set(lots.ids)],
                            "warehouse_id": warehouse.id,
                        }
                    )
                )
                met = request._evaluate_conditions()[request]
                for condition in request.condition_ids:
                    if not met[condition.code][0]:
                        condition.unmet_reason = DEMO_UNMET_REASONS[condition.code]
                request.action_submit()
                if request.state == "to_approve":
                    request.with_user(manager).action_approve(
                        "Approved: the reasons were checked with the branch before the units left."
                    )
                return validate(request.sudo().picking_id)
            return validate(
                Picking._leasing_create_for_units(
                    {
                        "picking_type_id": warehouse.out_type_id.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": contract.partner_id.property_stock_customer.id,
                        "partner_id": contract.partner_id.id,
                        "origin": contract.name,
                    },
                    lots,
                )
            )

        def line_of(contract_xmlid, product_xmlid):
            contract = ref(contract_xmlid)
            return contract, contract.line_ids.filtered(lambda line: line.product_id == ref(product_xmlid))[:1]

        receive(hq, lot["excavator_1"] | lot["excavator_2"] | lot["excavator_4"])
        receive(shenzhen, lot["excavator_3"] | lot["excavator_5"] | lot["cnc_1"] | lot["mixer_1"])
        receive(madrid, lot["wheel_loader_1"] | lot["wheel_loader_2"] | lot["press_1"])

        # Reserved: the approved lease of an excavator names its unit.
        _contract, line = line_of("leasing_management.contract_tajo_approved", "leasing_management.product_excavator")
        line.lot_id = lot["excavator_2"]
        # Abnormal: flagged by the warehouse.
        lot["wheel_loader_2"].action_leasing_mark_abnormal()
        # On lease: the CNC machine delivered to its lessee.
        contract, line = line_of(
            "leasing_management.contract_huaxin_cnc_active", "leasing_management.product_cnc_machine"
        )
        line.lot_id = lot["cnc_1"]
        deliver(shenzhen, lot["cnc_1"], contract)
        # Sold: the concrete mixer of the lease closed with the ownership passed, delivered.
        contract, line = line_of(
            "leasing_management.contract_pacifico_closed", "leasing_management.product_concrete_mixer"
        )
        line.lot_id = lot["mixer_1"]
        deliver(shenzhen, lot["mixer_1"], contract)
        # Repossessed: the printing press of a lease three rents behind, towed back to Madrid.
        contract, line = line_of(
            "leasing_management.contract_andinas_active", "leasing_management.product_printing_press"
        )
        line.lot_id = lot["press_1"]
        deliver(madrid, lot["press_1"], contract)
        Followup = self.env["leasing.unit.followup"]
        now = fields.Datetime.now()
        Followup.create(
            [
                {
                    "lot_id": lot["press_1"].id,
                    "date": now - timedelta(days=9),
                    "state": "searching",
                    "reason": "not_paying",
                    "notes": "Three rents behind, the lessee does not answer.",
                },
                {
                    "lot_id": lot["press_1"].id,
                    "date": now - timedelta(days=6),
                    "state": "located",
                    "reason": "not_paying",
                    "notes": "The press is at the lessee's second plant, in Getafe.",
                },
                {
                    "lot_id": lot["press_1"].id,
                    "date": now - timedelta(days=3),
                    "state": "towing",
                    "reason": "not_paying",
                    "notes": "Dismantled and loaded by the rigging contractor.",
                },
            ]
        )
        # The collector of the lease's case asks for the tow; a Collection Manager approves it,
        # which creates the receipt from the lessee.
        case = self.env["leasing.collection.case"].search(
            [("contract_id", "=", contract.id), ("stage_id.stage_key", "not in", ("resolved", "written_off"))],
            limit=1,
        )
        collector = case.collector_id or ref("leasing_collections.user_collector_wang")
        request = (
            self.env["leasing.collection.request"]
            .with_user(collector)
            .create(
                {
                    "request_type": "repossession",
                    "case_id": case.id,
                    "contract_id": contract.id,
                    "reason": "Three rents behind; the lessee stopped answering.",
                }
            )
        )
        request.action_submit()
        request.with_user(manager).action_approve()
        request = request.sudo()
        for picking in request.leasing_picking_ids:
            validate(picking)
        Followup.create(
            {
                "lot_id": lot["press_1"].id,
                "date": now - timedelta(days=1),
                "state": "in_storage",
                "reason": "not_paying",
                "notes": "Received in the Repossessed location of the Madrid store.",
            }
        )
        # Transfer in transit: Madrid asked headquarters for an excavator; shipped, not received.
        transfer = self.env["leasing.unit.request"].create(
            {
                "warehouse_id": madrid.id,
                "product_id": lot["excavator_4"].product_id.id,
                "quantity": 1,
                "source_warehouse_id": hq.id,
                "lot_ids": [fields.Command.set(lot["excavator_4"].ids)],
                "note": "A road works contract starts next month.",
            }
        )
        transfer.action_request()
        transfer.action_fulfil_transfer()
        validate(transfer.picking_ids.filtered(lambda picking: picking.location_id == hq.lot_stock_id))
        # Purchase in transit: Shenzhen asked for a truck, delivered by the vendor.
        purchase = self.env["leasing.unit.request"].create(
            {
                "warehouse_id": shenzhen.id,
                "product_id": lot["truck_1"].product_id.id,
                "quantity": 1,
                "vendor_id": vendor.id,
                "lot_ids": [fields.Command.set(lot["truck_1"].ids)],
            }
        )
        purchase.action_request()
        purchase.action_fulfil_receipt()
        # Relay in transit: an excavator shipped from Shenzhen into transit, its next leg not planned.
        validate(
            Picking._leasing_create_for_units(
                {
                    "picking_type_id": shenzhen.int_type_id.id,
                    "location_id": shenzhen.lot_stock_id.id,
                    "location_dest_id": self.env.company.internal_transit_location_id.id,
                    "origin": "Relay to the Madrid store",
                },
                lot["excavator_5"],
            )
        )
        # Returned: the wheel loader of a lease discontinued and taken back.
        contract, line = line_of("leasing_management.contract_bajio_active", "leasing_management.product_wheel_loader")
        line.lot_id = lot["wheel_loader_1"]
        deliver(madrid, lot["wheel_loader_1"], contract)
        self.env["leasing.discontinue.wizard"].create(
            {"contract_id": contract.id, "line_id": line.id, "reason": "Returned: the site closed early."}
        ).action_confirm()
        for picking in line.leasing_return_picking_ids:
            validate(picking)

    # ------------------------------------------------------------------
    # Device locks
    # ------------------------------------------------------------------
    lock_state = fields.Selection(
        LOCK_STATES,
        string="Lock",
        required=True,
        readonly=True,
        default="unlocked",
        index=True,
        tracking=True,
        copy=False,
        help="The unit's device lock: requested when an approved lock or unlock request sent its command, locked "
        "or unlocked when the device (or the technician) confirmed it.",
    )
    device_command_ids = fields.One2many("leasing.device.command", "lot_id", string="Device Commands", readonly=True)
    device_command_count = fields.Integer(compute="_compute_device_command_count")

    def _compute_device_command_count(self):
        counts = dict(
            self.env["leasing.device.command"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.device_command_count = counts.get(lot, 0)

    def action_view_device_commands(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_fleet.action_leasing_device_command")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {}
        return action

    def _lock_state_label(self, state=None):
        return dict(self._fields["lock_state"]._description_selection(self.env))[state or self.lock_state]
