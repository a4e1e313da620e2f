from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .stock_lot import WAREHOUSE_GROUP

UNIT_REQUEST_STATES = [
    ("draft", "Draft"),
    ("requested", "Requested"),
    ("fulfilled", "Fulfilled"),
    ("cancelled", "Cancelled"),
]


class LeasingUnitRequest(models.Model):
    """A branch asks headquarters for units of a product. Headquarters fulfils it by a transfer
    of units in stock at a branch (through the inter-branch transit location) or by a receipt
    from a vendor delivering to the branch; the request is fulfilled once the transfer or receipt
    is created, and the units show on their way until they are received."""

    _name = "leasing.unit.request"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Unit Request"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    state = fields.Selection(
        UNIT_REQUEST_STATES, string="Status", required=True, readonly=True, default="draft", tracking=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse", string="Requesting Branch", required=True, tracking=True, check_company=True, index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        tracking=True,
        check_company=True,
        domain="[('tracking', '=', 'serial')]",
    )
    quantity = fields.Integer(required=True, default=1, tracking=True)
    requested_by_id = fields.Many2one("res.users", string="Requested By", readonly=True, copy=False)
    requested_date = fields.Datetime(readonly=True, copy=False)
    source_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="From Branch",
        check_company=True,
        help="Transfer: the branch whose available units are sent.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Units",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        help="Transfer: the units sent (by default, the first available units at the branch sending them). "
        "Receipt: the serial numbers the vendor announced, if known.",
    )
    vendor_id = fields.Many2one(
        "res.partner", string="Vendor", check_company=True, help="Receipt: the vendor delivering the units."
    )
    picking_ids = fields.One2many("stock.picking", "leasing_unit_request_id", string="Transfers", readonly=True)
    picking_count = fields.Integer(compute="_compute_picking_count", string="Transfer Count")
    note = fields.Text()

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A unit request asks for at least one unit."),
    ]

    def _compute_picking_count(self):
        counts = dict(
            self.env["stock.picking"]._read_group(
                [("leasing_unit_request_id", "in", self.ids)], ["leasing_unit_request_id"], ["__count"]
            )
        )
        for request in self:
            request.picking_count = counts.get(request, 0)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("leasing.unit.request") or "/"
        return super(LeasingUnitRequest, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_request(self):
        self._check_rights()
        for request in self:
            if request.state != "draft":
                raise UserError(self.env._("%(request)s has already been sent.", request=request.name))
        self._write_system(
            {"state": "requested", "requested_by_id": self.env.user.id, "requested_date": fields.Datetime.now()}
        )
        return True

    def action_fulfil_transfer(self):
        """Send units in stock at the From Branch: a transfer from its stock to the inter-branch
        transit location, and the requesting branch's receipt from there."""
        self._check_rights()
        for request in self:
            request._check_fulfillable()
            source = request.source_warehouse_id
            if not source:
                raise UserError(
                    self.env._("Choose the branch the units of %(request)s come from.", request=request.name)
                )
            if source == request.warehouse_id:
                raise UserError(self.env._("The units must come from another branch than the one asking for them."))
            lots = request._units_to_send()
            transit = request.company_id.internal_transit_location_id
            if not transit:
                raise UserError(
                    self.env._("%(company)s has no inter-branch transit location.", company=request.company_id.name)
                )
            # The transfers are linked to the request by the system (refused to write()); the
            # warehouse's rights were checked above.
            Picking = self.env["stock.picking"].sudo().with_company(request.company_id)
            origin = {"origin": request.name, "leasing_unit_request_id": request.id}
            shipment = Picking._leasing_create_for_units(
                dict(
                    origin,
                    picking_type_id=source.int_type_id.id,
                    location_id=source.lot_stock_id.id,
                    location_dest_id=transit.id,
                ),
                lots,
            )
            receipt = Picking.create(
                dict(
                    origin,
                    picking_type_id=request.warehouse_id.in_type_id.id,
                    location_id=transit.id,
                    location_dest_id=request.warehouse_id.lot_stock_id.id,
                    move_ids=[
                        fields.Command.create(
                            {
                                "name": request.product_id.display_name,
                                "product_id": request.product_id.id,
                                "product_uom": request.product_id.uom_id.id,
                                "product_uom_qty": len(lots),
                                "location_id": transit.id,
                                "location_dest_id": request.warehouse_id.lot_stock_id.id,
                                # Chained to the shipment: received with the very units sent.
                                "procure_method": "make_to_order",
                                "move_orig_ids": [fields.Command.set(shipment.move_ids.ids)],
                            }
                        )
                    ],
                )
            )
            receipt.action_confirm()
            request._write_system({"state": "fulfilled", "lot_ids": [fields.Command.set(lots.ids)]})
        return True

    def action_fulfil_receipt(self):
        """Have a vendor deliver the units to the requesting branch: a receipt from the vendor,
        with the announced serial numbers when they are known (the units then show in purchase
        transit until received)."""
        self._check_rights()
        for request in self:
            request._check_fulfillable()
            if not request.vendor_id:
                raise UserError(
                    self.env._("Choose the vendor who delivers the units of %(request)s.", request=request.name)
                )
            warehouse = request.warehouse_id
            vals = {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": request.vendor_id.with_company(request.company_id).property_stock_supplier.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "partner_id": request.vendor_id.id,
                "origin": request.name,
                "leasing_unit_request_id": request.id,
            }
            # As in action_fulfil_transfer: the link to the request is the system's.
            Picking = self.env["stock.picking"].sudo().with_company(request.company_id)
            if request.lot_ids:
                if len(request.lot_ids) != request.quantity:
                    raise UserError(
                        self.env._(
                            "%(request)s asks for %(quantity)s units: give as many serial numbers, or none.",
                            request=request.name,
                            quantity=request.quantity,
                        )
                    )
                Picking._leasing_create_for_units(vals, request.lot_ids)
            else:
                vals["move_ids"] = [
                    fields.Command.create(
                        {
                            "name": request.product_id.display_name,
                            "product_id": request.product_id.id,
                            "product_uom": request.product_id.uom_id.id,
                            "product_uom_qty": request.quantity,
                            "location_id": vals["location_id"],
                            "location_dest_id": vals["location_dest_id"],
                        }
                    )
                ]
                Picking.create(vals).action_confirm()
            request._write_system({"state": "fulfilled"})
        return True

    def action_cancel(self):
        self._check_rights()
        for request in self:
            if request.state not in ("draft", "requested"):
                raise UserError(
                    self.env._("%(request)s is fulfilled: cancel its transfers instead.", request=request.name)
                )
        self._write_system({"state": "cancelled"})
        return True

    def action_view_pickings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transfers"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("leasing_unit_request_id", "=", self.id)],
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _check_rights(self):
        self.check_access("write")
        if not self.env.user.has_group(WAREHOUSE_GROUP):
            raise AccessError(self.env._("Only the warehouse (group Warehouse) handles unit requests."))

    def _check_fulfillable(self):
        self.ensure_one()
        if self.state != "requested":
            raise UserError(self.env._("%(request)s must be requested before it is fulfilled.", request=self.name))

    def _units_to_send(self):
        """The units sent: those chosen, else the first available ones at the From Branch."""
        self.ensure_one()
        source = self.source_warehouse_id
        lots = self.lot_ids or self.env["stock.lot"].search(
            [
                ("product_id", "=", self.product_id.id),
                ("leasing_status", "=", "available"),
                ("leasing_warehouse_id", "=", source.id),
            ],
            order="id",
            limit=self.quantity,
        )
        wrong = lots.filtered(lambda lot: lot.leasing_status != "available" or lot.leasing_warehouse_id != source)
        if wrong:
            raise UserError(
                self.env._(
                    "Only available units at %(branch)s can be sent: %(units)s.",
                    branch=source.name,
                    units=", ".join(wrong.mapped("name")),
                )
            )
        if len(lots) != self.quantity:
            raise UserError(
                self.env._(
                    "%(request)s asks for %(quantity)s units; %(branch)s has %(count)s available.",
                    request=self.name,
                    quantity=self.quantity,
                    branch=source.name,
                    count=len(lots),
                )
            )
        return lots

    def _write_system(self, vals):
        """Write what only the system sets, for an action method that checked the rights."""
        self.check_access("write")
        return self.sudo().write(vals)
