from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .leasing_dispatch_request import LEASED_STATES

# The links only the system sets (a receipt marked as the repossession of a request is what
# makes the request done when it is validated): refused on create and write to anybody else.
LEASING_PICKING_LINKS = (
    "leasing_collection_request_id",
    "leasing_unit_request_id",
    "leasing_return_line_id",
    "leasing_dispatch_request_id",
)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    leasing_collection_request_id = fields.Many2one(
        "leasing.collection.request",
        string="Repossession Request",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The approved repossession this receipt brings the units back for.",
    )
    leasing_unit_request_id = fields.Many2one(
        "leasing.unit.request",
        string="Unit Request",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The branch's request for a unit this transfer or receipt fulfils.",
    )
    leasing_return_line_id = fields.Many2one(
        "leasing.contract.line",
        string="Returned Lease Item",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The discontinued lease item whose unit this receipt takes back.",
    )

    leasing_dispatch_request_id = fields.Many2one(
        "leasing.dispatch.request",
        string="Dispatch Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The approved dispatch request this delivery of leased units was created by.",
    )
    leasing_gate_pass_ids = fields.One2many("leasing.gate.pass", "picking_id", string="Gate Passes", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._leasing_check_links(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._leasing_check_links([vals])
        return super().write(vals)

    def _leasing_check_links(self, vals_list):
        if self.env.su or not any(name in vals for vals in vals_list for name in LEASING_PICKING_LINKS):
            return
        raise AccessError(
            self.env._(
                "The links of a transfer to a repossession, a unit request, a returned item "
                "or a dispatch request are set by the system."
            )
        )

    def _action_done(self):
        self._check_leased_units_dispatch()
        result = super()._action_done()
        done = self.filtered(lambda picking: picking.state == "done")
        done.leasing_dispatch_request_id._mark_delivered()
        requests = done.leasing_collection_request_id.filtered(lambda request: request.state == "approved")
        # A request is done when all its receipts are, whatever of them this user's rules show.
        finished = requests.filtered(
            lambda request: all(picking.state in ("done", "cancel") for picking in request.sudo().leasing_picking_ids)
        )
        if finished:
            # The units are back: the repossession is carried out. The warehouse validating the
            # receipt may not edit collection requests; the request's completion is the system's
            # consequence of the receipt it made, checked above (approved, every receipt done).
            finished.sudo()._action_done()
        return result

    @api.model
    def _leasing_create_for_units(self, vals, lots):
        """A transfer of the serial-numbered ``lots`` with ``vals`` (type, locations, partner,
        origin, link): one move per product, confirmed, with exactly these units on its lines.
        Return the picking."""
        picking = self.create(
            dict(
                vals,
                move_ids=[
                    fields.Command.create(
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": len(product_lots),
                            "location_id": vals["location_id"],
                            "location_dest_id": vals["location_dest_id"],
                        }
                    )
                    for product, product_lots in lots.grouped("product_id").items()
                ],
            )
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.lot_ids = lots.filtered(lambda lot, product=move.product_id: lot.product_id == product)
        return picking

    def action_print_leasing_gate_pass(self):
        self.ensure_one()
        return self.leasing_dispatch_request_id.action_print_gate_pass()

    def _check_leased_units_dispatch(self):
        """A delivery of leased units (a unit on a lease's line) leaves only on the approved
        dispatch request that created it, and carries only that request's units."""
        outgoing = self.filtered(lambda p: p.picking_type_code == "outgoing")
        lots = outgoing.move_line_ids.lot_id
        if not lots:
            return
        # Which units are leased, whoever validates: the warehouse may not read the leases' lines.
        lines = (
            self.env["leasing.contract.line"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("contract_id.state", "in", LEASED_STATES)])
        )
        leased = {line.lot_id.id: line.contract_id for line in lines}
        for picking in outgoing:
            picking_lots = picking.move_line_ids.filtered(lambda ml: ml.quantity).lot_id
            units = picking_lots.filtered(lambda lot: lot.id in leased)
            if not units:
                continue
            request = picking.leasing_dispatch_request_id
            if not request:
                raise UserError(
                    self.env._(
                        "%(delivery)s carries leased units (%(units)s of %(contracts)s) but no dispatch request: "
                        "it can be validated only as the delivery of an approved dispatch request. Ask the "
                        "lease's salesperson for one (Leased Units > Dispatch Requests).",
                        delivery=picking.name,
                        units=", ".join(units.mapped("name")),
                        contracts=", ".join(sorted({leased[lot.id].name for lot in units})),
                    )
                )
            request_sudo = request.sudo()  # its state, for a keeper who may not read the request
            if request_sudo.state != "approved":
                raise UserError(
                    self.env._(
                        "%(delivery)s can be validated only once its dispatch request %(request)s is approved "
                        "(it is %(state)s).",
                        delivery=picking.name,
                        request=request_sudo.name,
                        state=request_sudo._state_label(),
                    )
                )
            foreign = units - request_sudo.lot_ids
            if foreign:
                raise UserError(
                    self.env._(
                        "%(units)s are not on the dispatch request %(request)s of %(delivery)s: deliver them "
                        "on their own approved request.",
                        units=", ".join(foreign.mapped("name")),
                        request=request_sudo.name,
                        delivery=picking.name,
                    )
                )
